import Nostr
import Store

/// `explore {timeframe, scope, limit (clamped to 50), created_after, since, until, offset,
/// group_by_pubkey, kinds, user_pubkey}`.
///
/// timeframe: `latest` (created_at), `popular` and `trending` (score), `mostzapped` (sats,
/// > 0). scope: `global`/`network` (authors with ≥ 5 followers), `follows` (the user's),
/// `tribe` (follows and followers). Ranked timeframes rank the explore index; since/until
/// bound the score or sats. All but `popular` are clamped to the last 7 days.
struct Explore: CacheOperation {
    static let name = "explore"
    static let week: Int64 = 7 * 86_400
    static let globalMinFollowers = 5

    enum Scope: String { case global, network, follows, tribe }

    let timeframe: String
    let scope: Scope
    let user: PublicKey?
    let viewer: PublicKey?
    let createdAfter: Int64
    let onePerAuthor: Bool
    let kinds: Set<Int>
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        timeframe = try params.string("timeframe", default: "latest")
        guard ["latest", "popular", "trending", "mostzapped"].contains(timeframe) else {
            throw CacheError("unknown timeframe: \(timeframe) (latest, popular, trending, mostzapped)")
        }
        let scopeName = try params.string("scope", default: "global")
        guard let scope = Scope(rawValue: scopeName) else { throw CacheError("unknown scope: \(scopeName) (global, follows, tribe)") }
        self.scope = scope
        viewer = try context.viewer(&params)
        user = try params.pubkey("pubkey") ?? viewer
        if scope == .follows || scope == .tribe, user == nil { throw CacheError("scope \(scopeName) needs user_pubkey") }
        var after = try params.int("created_after", default: 0)
        if timeframe != "popular" { after = max(after, context.now - Self.week) }
        createdAfter = after
        onePerAuthor = try params.bool("group_by_pubkey", default: false)
        kinds = try params.kinds("kinds", default: [1])
        page = try params.page(clampTo: 50, now: timeframe == "latest" ? context.now : Int64.max)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var authors: Set<PublicKey>?
        if let user, scope == .follows || scope == .tribe {
            var members = Set(try await context.follows(of: user))
            if scope == .tribe { members.formUnion(try await context.store.followers(of: user, limit: 10_000).map(\.0)) }
            authors = members
        }
        if timeframe == "latest" {
            var latest = page
            latest.since = max(latest.since, createdAfter)
            guard let authors else { return try await LatestNotes(kinds: kinds, viewer: viewer, page: latest).run(context) }
            let posts = try await context.store.posts(authors: Array(authors), kinds: kinds, replies: .excluded, page: latest)
            return try await context.bundle(viewer: viewer).build(posts, orderBy: "created_at")
        }
        let ranking: ExploreRanking = timeframe == "mostzapped" ? .satszapped : .score
        let query = ExploreQuery(ranking: ranking, createdAfter: createdAfter, authors: authors, kinds: kinds,
                                 minAuthorFollowers: authors == nil ? Self.globalMinFollowers : 0, onePerAuthor: onePerAuthor, page: page)
        return try await RankedFeed(query: query, viewer: viewer).run(context)
    }
}

/// A ranked query over the explore index, as a bundle with RANGE(score | satszapped).
struct RankedFeed: Sendable {
    let query: ExploreQuery
    let viewer: PublicKey?

    func run(_ context: CacheContext, range: Bool = true) async throws -> [[UInt8]] {
        let index = try await context.service.explore.snapshot(context.store, now: context.now)
        return try await context.bundle(viewer: viewer).build(query.rank(index), orderBy: query.ranking.rawValue, range: range)
    }

    /// Global, one best post per author, over the last `hours`.
    static func global(_ ranking: ExploreRanking, hours: Int64, limit: Int, viewer: PublicKey?, now: Int64, page: Page? = nil) -> RankedFeed {
        var bounded = page ?? Page(limit: limit)
        bounded.limit = min(bounded.limit, limit)
        if page?.until == now { bounded.until = Int64.max }
        return RankedFeed(query: ExploreQuery(ranking: ranking, createdAfter: now - hours * 3_600, authors: nil,
                                              minAuthorFollowers: Explore.globalMinFollowers, onePerAuthor: true, page: bounded),
                          viewer: viewer)
    }
}

/// `explore_global_trending_24h {user_pubkey}`: the 100 best-scored posts of the day, one
/// per author.
struct ExploreGlobalTrending24h: CacheOperation {
    static let name = "explore_global_trending_24h"
    let viewer: PublicKey?

    init(_ params: inout CacheParams, _ context: CacheContext) throws { viewer = try context.viewer(&params) }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        try await RankedFeed.global(.score, hours: 24, limit: 100, viewer: viewer, now: context.now).run(context)
    }
}

/// `explore_global_mostzapped_4h {user_pubkey}`: the 100 most zapped posts of the last four
/// hours, one per author.
struct ExploreGlobalMostZapped4h: CacheOperation {
    static let name = "explore_global_mostzapped_4h"
    let viewer: PublicKey?

    init(_ params: inout CacheParams, _ context: CacheContext) throws { viewer = try context.viewer(&params) }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        try await RankedFeed.global(.satszapped, hours: 4, limit: 100, viewer: viewer, now: context.now).run(context)
    }
}

/// `scored {selector, user_pubkey}`: a precomputed list (`trending_24h|12h|4h|1h`,
/// `mostzapped_*`; the `gm_` and `classic_` trending variants rank the same), built from the
/// explore index once per rebuild and then served from memory; no RANGE.
struct Scored: CacheOperation {
    static let name = "scored"
    static let size = 20
    let selector: String
    let ranking: ExploreRanking
    let hours: Int64

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        selector = try params.requiredString("selector")
        _ = try context.viewer(&params)
        guard let (ranking, hours) = Self.parse(selector) else { throw CacheError("unknown selector: \(selector)") }
        self.ranking = ranking
        self.hours = hours
    }

    static func parse(_ selector: String) -> (ExploreRanking, Int64)? {
        let parts = selector.split(separator: "_")
        guard let last = parts.last, let hours = Int64(last.dropLast()), last.hasSuffix("h"), [1, 4, 12, 24].contains(hours) else { return nil }
        switch parts.dropLast().joined(separator: "_") {
        case "trending", "gm_trending", "classic_trending": return (.score, hours)
        case "mostzapped": return (.satszapped, hours)
        default: return nil
        }
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let index = try await context.service.explore.snapshot(context.store, now: context.now)
        let key = "\(ranking.rawValue)-\(hours)"
        if let cached = context.service.scoredResults.get(key, generation: index.generation) { return cached }
        let feed = RankedFeed.global(ranking, hours: hours, limit: Self.size, viewer: nil, now: index.builtAt)
        let objects = try await context.bundle(viewer: nil).build(feed.query.rank(index), orderBy: ranking.rawValue, range: false)
        context.service.scoredResults.set(key, generation: index.generation, objects)
        return objects
    }
}

/// `explore_topics`: HASHTAGS_2, the day's hashtags with how many notes used them.
struct ExploreTopics: CacheOperation {
    static let name = "explore_topics"

    init(_ params: inout CacheParams, _ context: CacheContext) throws { _ = try context.viewer(&params) }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let index = try await context.service.explore.snapshot(context.store, now: context.now)
        return [Synthetic.object(SyntheticKind.hashtags2) { w in
            w.object { o in for (tag, count) in index.hashtags { o.int(tag, count) } }
        }]
    }
}
