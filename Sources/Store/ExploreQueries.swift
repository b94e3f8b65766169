import Nostr

/// A post with the numbers explore ranks it by.
public struct ScoredPost: Hashable, Sendable {
    public let id: EventID
    public let pubkey: PublicKey
    public let createdAt: Int64
    public let kind: Int
    public let score: Int64
    public let score24h: Int64
    public let satsZapped: Int64
    public let authorFollowers: Int

    public init(id: EventID, pubkey: PublicKey, createdAt: Int64, kind: Int, score: Int64, score24h: Int64,
                satsZapped: Int64, authorFollowers: Int) {
        self.id = id
        self.pubkey = pubkey
        self.createdAt = createdAt
        self.kind = kind
        self.score = score
        self.score24h = score24h
        self.satsZapped = satsZapped
        self.authorFollowers = authorFollowers
    }
}

/// Which zaps a zap list shows.
public enum ZapSelection: Hashable, Sendable {
    /// Zaps of these posts (an article's id and address both count).
    case targets([EventReference])
    case received(by: PublicKey)
    case sent(by: PublicKey)
    /// Sent or received by any of these.
    case involving([PublicKey])
    /// Zaps of posts, created at or after this time.
    case ofPostsSince(Int64)
}

/// What a zap list sorts by; the page's since/until bound that value.
public enum ZapOrder: Hashable, Sendable {
    case createdAt, amount
}

/// The lookups explore, zap lists and reads are built from.
public protocol ExploreStore: Sendable {
    /// Top-level posts of `kinds` created at or after `since` that have any score or zap.
    func scoredPosts(kinds: Set<Int>, since: Int64) async throws -> [ScoredPost]
    /// Counted zaps, sorted descending by `order` (ties: newer, then receipt id).
    func zaps(_ selection: ZapSelection, order: ZapOrder, page: Page) async throws -> [ZapInfo]
    /// Hashtags used since `since`, with how many notes used each, most used first.
    func hashtagCounts(since: Int64, limit: Int) async throws -> [(String, Int)]
    /// New followers minus unfollows since `since`, per pubkey (changes of contact lists;
    /// a first list records the past and counts for no one).
    func followerIncreases(since: Int64) async throws -> [PublicKey: Int]
    /// Top-level notes with media by anyone, newest first.
    func recentMediaPosts(page: Page) async throws -> [FeedItem]
    /// An author's posts (notes and replies of `kinds`) with a score above zero, best first
    /// (ties: newer first); the sort value is the score.
    func bestPosts(author: PublicKey, kinds: Set<Int>, limit: Int) async throws -> [FeedItem]
}
