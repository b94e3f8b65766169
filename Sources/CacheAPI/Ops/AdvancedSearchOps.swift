import Nostr
import Store

/// `advanced_search {query, limit=20 (at most 100), since, until, offset, user_pubkey}`:
/// Primal's search language (`SearchQuery`) over the store, as a bundle with RANGE; the
/// terms it could not honour are named in a NOTICE after the answer.
struct AdvancedSearchOp: CacheOperation {
    static let name = "advanced_search"
    let search: AdvancedSearch

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let query = try params.requiredString("query")
        search = try Self.search(query, &params, context)
    }

    /// The search of `query` with the paging and viewer params.
    static func search(_ query: String, _ params: inout CacheParams, _ context: CacheContext) throws -> AdvancedSearch {
        guard query.contains(where: { !$0.isWhitespace }) else { throw CacheError.queryIsEmpty }
        let viewer = try context.viewer(&params)
        let page = try params.page(clampTo: 100, now: context.now)
        return AdvancedSearch(query: SearchQuery(query, now: context.now), viewer: viewer, page: page)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await search.run(context) }
}

/// `advanced_feed {specification, limit, since, until, offset, user_pubkey}`: the web app's
/// search page sends `specification: ["advanced_search", {"query": …}]`; a specification
/// that is a feed spec (a JSON string, as `mega_feed_directive` takes) is routed the same
/// way as there.
struct AdvancedFeed: CacheOperation {
    static let name = "advanced_feed"
    let route: MegaFeedRoute

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        switch params.raw("specification") {
        case .array(let parts)? where parts.first?.stringValue == "advanced_search":
            guard let query = parts.count > 1 ? parts[1]["query"]?.stringValue : nil else {
                throw CacheError("specification must be [\"advanced_search\", {\"query\": …}]")
            }
            route = .search(try AdvancedSearchOp.search(query, &params, context))
        case .string(let spec)?:
            var values: [String: JSONValue] = ["spec": .string(spec)]
            for key in params.keys where key != "specification" { values[key] = params.raw(key) ?? .null }
            var inner = CacheParams(values: values)
            route = try MegaFeedRoute(&inner, kinds: nil, context)
            context.ignore(inner.finish())
        case nil:
            throw CacheError("missing parameter: specification")
        default:
            throw CacheError("unsupported specification (advanced_search, or a feed spec)")
        }
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await route.run(context) }
}
