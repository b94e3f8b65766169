import Workers
import Nostr
import Store
import Synchronization

/// Every top-level post of the last `window` seconds that has a score or zaps, with its
/// numbers, the day's hashtag counts and follower gains: what explore, trending, `scored`
/// and explore_people rank. Built
/// from the store in the background every `interval` seconds (requests rank in memory);
/// a request finds it rebuilt inline only when it is missing or far too old.
final class ExploreIndex: Sendable {
    struct Snapshot: Sendable {
        let builtAt: Int64
        let generation: Int
        /// The posts in ranking order, by score and by sats (so a query stops early).
        let byScore: [ScoredPost]
        let bySats: [ScoredPost]
        /// Every post, in no particular order (at a million events 200,000 of them: not kept
        /// a third time).
        var posts: [ScoredPost] { byScore }
        let hashtags: [(String, Int)]
        /// Follower changes over the last day, per pubkey.
        let followerIncreases: [PublicKey: Int]
    }

    static let kinds: Set<Int> = [1, 20]
    let window: Int64
    let interval: Double
    private let current = Mutex<Snapshot?>(nil)
    private let inFlight = Mutex<Task<Snapshot, any Error>?>(nil)

    init(window: Int64, interval: Double) {
        self.window = window
        self.interval = interval
    }

    /// The index, rebuilt first when missing or older than twice the interval.
    func snapshot(_ store: any CacheStore, now: Int64) async throws -> Snapshot {
        // An interval of 0 (tests) means: always fresh.
        if interval > 0, let snapshot = current.withLock({ $0 }), Double(now - snapshot.builtAt) <= interval * 2 {
            return snapshot
        }
        return try await rebuild(store, now: now)
    }

    /// One rebuild at a time: callers that arrive while one runs share its result.
    @discardableResult
    func rebuild(_ store: any CacheStore, now: Int64) async throws -> Snapshot {
        let (task, mine) = inFlight.withLock { running -> (Task<Snapshot, any Error>, Bool) in
            if let running { return (running, false) }
            let task = Task { try await self.build(store, now: now) }
            running = task
            return (task, true)
        }
        defer { if mine { inFlight.withLock { $0 = nil } } }
        return try await task.value
    }

    private func build(_ store: any CacheStore, now: Int64) async throws -> Snapshot {
        let posts = try await store.scoredPosts(kinds: Self.kinds, since: now - window)
        let hashtags = try await store.hashtagCounts(since: now - 86_400, limit: 200)
        let increases = try await store.followerIncreases(since: now - 86_400)
        let byScore = ExploreRanking.score.sorted(posts), bySats = ExploreRanking.satszapped.sorted(posts)
        return current.withLock { old in
            let snapshot = Snapshot(builtAt: now, generation: (old?.generation ?? 0) + 1, byScore: byScore,
                                    bySats: bySats, hashtags: hashtags, followerIncreases: increases)
            old = snapshot
            return snapshot
        }
    }

    /// Rebuilds every `interval` seconds until cancelled.
    func run(_ store: any CacheStore) async {
        guard interval > 0 else { return }
        while !Task.isCancelled {
            _ = try? await rebuild(store, now: unixNow())
            try? await Task.sleep(for: .milliseconds(Int64(interval * 1_000)))
        }
    }
}

/// What explore ranks by.
enum ExploreRanking: String, Sendable {
    case score, satszapped

    func value(_ post: ScoredPost) -> Int64 { self == .score ? post.score : post.satsZapped }

    /// Ranking order: value descending, then newer, then higher id.
    func sorted(_ posts: [ScoredPost]) -> [ScoredPost] {
        posts.sorted { a, b in
            let (va, vb) = (value(a), value(b))
            if va != vb { return va > vb }
            return a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.id > b.id
        }
    }
}

/// One ranked explore query over the index.
struct ExploreQuery: Sendable {
    var ranking: ExploreRanking
    var createdAfter: Int64
    var authors: Set<PublicKey>?
    var kinds: Set<Int> = [1]
    var minAuthorFollowers = 0
    var onePerAuthor = false
    var page: Page

    /// Walks the snapshot's posts in ranking order and stops once the page is full.
    func rank(_ snapshot: ExploreIndex.Snapshot) -> [FeedItem] {
        let ordered = ranking == .score ? snapshot.byScore : snapshot.bySats
        // The first post at or under `until`: values descend.
        var low = 0, high = ordered.count
        while low < high {
            let middle = (low + high) / 2
            if ranking.value(ordered[middle]) > page.until { low = middle + 1 } else { high = middle }
        }
        let wanted = page.offset + page.limit
        var found: [FeedItem] = []
        var authorsSeen = Set<PublicKey>()
        for post in ordered[low...] {
            let value = ranking.value(post)
            if value <= 0 || value < page.since || found.count >= wanted { break }
            guard post.createdAt >= createdAfter, kinds.contains(post.kind), post.authorFollowers >= minAuthorFollowers,
                  authors?.contains(post.pubkey) ?? true else { continue }
            if onePerAuthor, !authorsSeen.insert(post.pubkey).inserted { continue }
            found.append(FeedItem(id: post.id, sortValue: value))
        }
        return Array(found.dropFirst(page.offset))
    }
}

/// Responses computed once per explore index rebuild (`scored`), by key.
final class PerRebuildCache: Sendable {
    private let entries = Mutex<[String: (generation: Int, objects: [[UInt8]])]>([:])

    func get(_ key: String, generation: Int) -> [[UInt8]]? {
        entries.withLock { entries in entries[key].flatMap { $0.generation == generation ? $0.objects : nil } }
    }

    func set(_ key: String, generation: Int, _ objects: [[UInt8]]) {
        entries.withLock { $0[key] = (generation, objects) }
    }
}
