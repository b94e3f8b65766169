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
    /// Ranked feeds over the explore index (trending, most zapped).
    case ranked(RankedFeed)
    case media(ExploreMedia)
    case zaps(ExploreZaps)
    case reads(LongFormContentFeed)
    case search(AdvancedSearch)

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
            context.ignore(sub.finish())
            self = .latest(LatestNotes(kinds: kinds, viewer: viewer, page: page))
        case ("global-trending", _), ("most-zapped", _):
            guard let hours = spec["hours"]?.intValue, hours > 0, hours <= 24 * 30 else { throw CacheError("spec \(id) needs hours (1 to 720)") }
            var sub = CacheParams(values: passed)
            let viewer = try context.viewer(&sub)
            let page = try sub.page(clampTo: 100, now: context.now)
            context.ignore(sub.finish())
            self = .ranked(RankedFeed.global(id == "most-zapped" ? .satszapped : .score, hours: Int64(hours), limit: 100,
                                             viewer: viewer, now: context.now, page: page))
        case ("explore-media", _):
            var sub = CacheParams(values: passed)
            let viewer = try context.viewer(&sub)
            let page = try sub.page(now: context.now)
            context.ignore(sub.finish())
            self = .media(ExploreMedia(viewer: viewer, page: page))
        case ("explore-zaps", _):
            self = .zaps(try Self.decode(ExploreZaps.self, passed, context))
        case ("reads-feed", _), (_, "reads"):
            self = .reads(try Self.reads(spec, passed, context))
        case ("advsearch", _):
            guard let query = spec["query"]?.stringValue else { throw CacheError("spec advsearch needs a query") }
            var sub = CacheParams(values: passed)
            self = .search(try AdvancedSearchOp.search(query, &sub, context))
            context.ignore(sub.finish())
        default:
            throw CacheError("unsupported feed spec: \(specText)")
        }
    }

    /// Reads specs (PS `mega_feed_directive`): scope follows / zappedbyfollows, a topic, a
    /// curation list, or every article; at least `minwords` words (100 unless given).
    private static func reads(_ spec: [String: JSONValue], _ passed: [String: JSONValue], _ context: CacheContext) throws -> LongFormContentFeed {
        var sub = CacheParams(values: passed)
        let viewer = try context.viewer(&sub)
        let page = try sub.page(now: context.now)
        context.ignore(sub.finish())
        let minWords = Int(spec["minwords"]?.intValue ?? 100)
        let source: LongFormContentFeed.Source
        switch (spec["scope"]?.stringValue, spec["pubkey"]?.stringValue.flatMap(CacheParams.pubkey), spec["curation"]?.stringValue) {
        case ("follows", _, _), ("zappedbyfollows", _, _):
            guard let viewer else { throw CacheError("missing parameter: user_pubkey") }
            source = spec["scope"]?.stringValue == "follows" ? .authors(follows: viewer) : .zappedByFollows(viewer)
        case (_, let pubkey?, let curation?): source = .curation(pubkey, curation)
        case (_, let pubkey?, nil): source = .author(pubkey)
        default: source = .everyone
        }
        return LongFormContentFeed(source: source, topic: spec["topic"]?.stringValue?.lowercased(), minWords: minWords, viewer: viewer, page: page)
    }

    private static func decode<Op: CacheOperation>(_ type: Op.Type, _ values: [String: JSONValue], _ context: CacheContext) throws -> Op {
        var sub = CacheParams(values: values)
        let op = try Op(&sub, context)
        context.ignore(sub.finish())
        return op
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        switch self {
        case .feed(let op): return try await op.run(context)
        case .latest(let op): return try await op.run(context)
        case .ranked(let feed): return try await feed.run(context)
        case .media(let feed): return try await feed.run(context)
        case .zaps(let op): return try await op.run(context)
        case .reads(let op): return try await op.run(context)
        case .search(let search): return try await search.run(context)
        }
    }
}
