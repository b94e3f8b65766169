import Nostr
import Store

extension SyntheticKind {
    static let userFollowerCountIncreases = 10_000_157
}

/// `explore_people {limit (clamped to 50), since, until, offset, user_pubkey}`: people
/// ranked by followers gained over the last day (since/until bound the gain), leaving out
/// whom the user already follows and profiles without a bio. USER_FOLLOWER_COUNT_INCREASES,
/// their user_infos, RANGE(increase) over their pubkeys.
struct ExplorePeople: CacheOperation {
    static let name = "explore_people"
    /// Candidates looked at (by gain) before the bio check.
    static let candidates = 1_000
    let viewer: PublicKey?
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        viewer = try context.viewer(&params)
        page = try params.page(clampTo: 50, now: Int64.max)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let index = try await context.service.explore.snapshot(context.store, now: context.now)
        var excluded = Set<PublicKey>()
        if let viewer { excluded = Set(try await context.follows(of: viewer)).union([viewer]) }
        let ranked = index.followerIncreases
            .filter { $0.value > 0 && Int64($0.value) >= page.since && Int64($0.value) <= page.until && !excluded.contains($0.key) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(Self.candidates)
        let profiles = try await context.models.profiles(ranked.map(\.key), store: context.store)
        let shown = Array(ranked.filter { profiles[$0.key].map(Self.hasBio) ?? false }.dropFirst(page.offset).prefix(page.limit))
        let stats = try await context.models.userStats(shown.map(\.key), store: context.store)
        var out = BundleOutput()
        out.append(Synthetic.object(SyntheticKind.userFollowerCountIncreases) { w in
            w.object { o in
                for (pubkey, increase) in shown {
                    let count = stats[pubkey]?.followersCount ?? 0
                    o.object(pubkey.hex) { entry in
                        entry.int("increase", increase)
                        entry.double("ratio", count > 0 ? Double(increase) / Double(count) : 0)
                        entry.int("count", count)
                    }
                }
            }
        })
        try await context.addUserInfos(shown.map(\.key), to: &out)
        // USER_FOLLOWER_COUNTS even when nobody is shown (the web app waits for it).
        if shown.isEmpty { out.append(Synthetic.pubkeyCounts(SyntheticKind.userFollowerCounts, [:])) }
        out.append(Synthetic.range(shown.map { FeedItem(id: $0.key, sortValue: Int64($0.value)) }, orderBy: "increase"))
        return out.objects
    }

    static func hasBio(_ profile: CachedProfile) -> Bool {
        guard let about = (try? JSONValue.parse(profile.event.content))?["about"]?.stringValue else { return false }
        return about.contains { !$0.isWhitespace }
    }
}

/// `scored_users_24h {user_pubkey}`: the 24 authors whose best post of the last day has the
/// highest score; their profiles and USER_SCORES with that score.
struct ScoredUsers24h: CacheOperation {
    static let name = "scored_users_24h"
    static let size = 24

    init(_ params: inout CacheParams, _ context: CacheContext) throws { _ = try context.viewer(&params) }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let index = try await context.service.explore.snapshot(context.store, now: context.now)
        var best: [PublicKey: Int64] = [:]
        for post in index.posts where post.createdAt >= context.now - 86_400 && post.score24h > 0 {
            best[post.pubkey] = max(best[post.pubkey] ?? 0, post.score24h)
        }
        let top = best.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(Self.size)
        let profiles = try await context.models.profiles(top.map(\.key), store: context.store)
        var out = BundleOutput()
        for (pubkey, _) in top {
            guard let profile = profiles[pubkey] else { continue }
            out.appendEvent(profile.event.id, json: profile.json)
        }
        out.append(Synthetic.pubkeyCounts(SyntheticKind.userScores, Dictionary(uniqueKeysWithValues: top.map { ($0.key, Int($0.value)) })))
        return out.objects
    }
}

/// `explore_zaps {limit (clamped to 50), since, until, offset, created_after=now-24h}`: the
/// largest zaps of posts since `created_after` (since/until bound the amount), as zap
/// bundles with RANGE(amount_sats).
struct ExploreZaps: CacheOperation {
    static let name = "explore_zaps"
    let list: ZapList

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        _ = try context.viewer(&params)
        let after = try params.int("created_after", default: context.now - 86_400)
        list = ZapList(selection: .ofPostsSince(after), order: .amount, page: try params.page(clampTo: 50, now: ZapList.maxAmount))
    }

    init(list: ZapList) { self.list = list }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await list.run(context) }
}

/// The `explore-media` feed spec: top-level notes with media by anyone, newest first.
struct ExploreMedia: Sendable {
    let viewer: PublicKey?
    let page: Page

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        try await context.bundle(viewer: viewer).build(try await context.store.recentMediaPosts(page: page), orderBy: "created_at")
    }
}

/// `explore_media {user_pubkey, limit, since, until, offset}`: the `explore-media` feed.
struct ExploreMediaOp: CacheOperation {
    static let name = "explore_media"
    let feed: ExploreMedia

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let viewer = try context.viewer(&params)
        feed = ExploreMedia(viewer: viewer, page: try params.page(now: context.now))
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await feed.run(context) }
}

extension SyntheticKind {
    static let exploreLegendCounts = 10_000_102
}

/// `explore_legend_counts {pubkey}`: EXPLORE_LEGEND_COUNTS — how many the user follows,
/// their inner network (follows and followers), outer network (follows and the follows of
/// follows) and all users.
struct ExploreLegendCounts: CacheOperation {
    static let name = "explore_legend_counts"
    /// Follows whose own lists are read for the outer network.
    static let maxExpanded = 1_000
    let pubkey: PublicKey

    init(_ params: inout CacheParams, _ context: CacheContext) throws { pubkey = try params.requiredPubkey("pubkey") }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let follows = try await context.follows(of: pubkey)
        let inner = Set(follows).union(try await context.store.followers(of: pubkey, limit: 1_000_000).map(\.0))
        var outer = Set(follows)
        for followed in follows.prefix(Self.maxExpanded) { outer.formUnion(try await context.follows(of: followed)) }
        let users = try await context.store.networkStats().users
        var writer = JSONWriter()
        writer.object { o in
            o.int("kind", SyntheticKind.exploreLegendCounts)
            o.hex("pubkey", pubkey)
            o.jsonString("content") { w in
                w.object { c in
                    c.int("your_follows", follows.count)
                    c.int("your_inner_network", inner.count)
                    c.int("your_outer_network", outer.count)
                    c.int("all_users", users)
                }
            }
        }
        return [writer.bytes]
    }
}
