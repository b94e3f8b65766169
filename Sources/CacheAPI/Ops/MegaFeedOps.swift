import Nostr
import Store

/// `mega_feed_directive {spec, user_pubkey, limit, since, until, offset, …}`: the feed a
/// spec (a JSON string) names, routed to the op that serves it. Keys the spec does not
/// use are passed on to that op, which refuses the ones it does not know.
struct MegaFeedDirective: CacheOperation {
    static let name = "mega_feed_directive"
    let route: MegaFeedRoute

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        route = try MegaFeedRoute(&params, kinds: nil, context)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await route.run(context) }
}

/// `multi_kind_mega_feed_directive {spec, kinds, …}`: the same, for feeds of other kinds.
struct MultiKindMegaFeedDirective: CacheOperation {
    static let name = "multi_kind_mega_feed_directive"
    let route: MegaFeedRoute

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let kinds = try params.kinds("kinds", default: [])
        route = try MegaFeedRoute(&params, kinds: kinds.isEmpty ? nil : kinds, context)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await route.run(context) }
}

/// What a feed spec resolves to.
enum MegaFeedRoute: Sendable {
    case feed(FeedOp)
    case latest(LatestNotes)
    /// Ranked feeds (trending, most zapped) arrive with explore; until then an empty page.
    case ranked(orderBy: String)

    init(_ params: inout CacheParams, kinds: Set<Int>?, _ context: CacheContext) throws {
        let specText = try params.requiredString("spec")
        guard case .object(var spec)? = try? JSONValue.parse(specText) else { throw CacheError("spec must be a JSON object") }
        let id = spec.removeValue(forKey: "id")?.stringValue ?? ""
        let kind = spec.removeValue(forKey: "kind")?.stringValue ?? ""
        // The rest of the request goes to the routed op.
        var passed: [String: JSONValue] = [:]
        for key in params.keys where key != "spec" && key != "kinds" { passed[key] = params.raw(key) ?? .null }
        if let kinds { passed["kinds"] = .array(kinds.sorted().map { .int(Int64($0)) }) }

        switch (id, kind) {
        case ("latest", "notes"), ("latest", _) where kinds != nil:
            guard let viewer = passed["user_pubkey"], viewer != .null else { throw CacheError("missing parameter: user_pubkey") }
            passed["pubkey"] = viewer
            if let replies = spec["include_replies"] { passed["include_replies"] = replies }
            self = .feed(try Self.decode(FeedOp.self, passed, context))
        case ("feed", "notes"), ("feed", _) where kinds != nil:
            for (key, value) in spec where passed[key] == nil { passed[key] = value }
            self = .feed(try Self.decode(FeedOp.self, passed, context))
        case ("all-notes", _):
            var sub = CacheParams(values: passed)
            let viewer = try context.viewer(&sub)
            let page = try sub.page(now: context.now)
            let kinds = try sub.kinds("kinds", default: [1])
            try sub.finish()
            self = .latest(LatestNotes(kinds: kinds, viewer: viewer, page: page))
        case ("global-trending", _), ("most-zapped", _):
            guard spec["hours"]?.intValue != nil else { throw CacheError("spec \(id) needs hours") }
            var sub = CacheParams(values: passed)
            _ = try context.viewer(&sub)
            _ = try sub.page(now: context.now)
            try sub.finish()
            self = .ranked(orderBy: id == "most-zapped" ? "satszapped" : "score")
        default:
            throw CacheError("unsupported feed spec: \(specText)")
        }
    }

    private static func decode<Op: CacheOperation>(_ type: Op.Type, _ values: [String: JSONValue], _ context: CacheContext) throws -> Op {
        var sub = CacheParams(values: values)
        let op = try Op(&sub, context)
        try sub.finish()
        return op
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        switch self {
        case .feed(let op): return try await op.run(context)
        case .latest(let op): return try await op.run(context)
        case .ranked(let orderBy): return [Synthetic.range([], orderBy: orderBy)]
        }
    }
}
