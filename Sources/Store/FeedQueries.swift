import Nostr

/// A post in a feed: its id and the value the feed sorts by (created_at, score, sats…).
public struct FeedItem: Hashable, Sendable {
    public let id: EventID
    public let sortValue: Int64

    public init(id: EventID, sortValue: Int64) {
        self.id = id
        self.sortValue = sortValue
    }
}

/// Primal's paging: sorted descending by the feed's value, `since` ≤ value ≤ `until`
/// (both inclusive), skipping `offset` items (the ones the client already has at `until`).
public struct Page: Hashable, Sendable {
    public var since: Int64
    public var until: Int64
    public var limit: Int
    public var offset: Int

    public init(since: Int64 = 0, until: Int64 = Int64.max, limit: Int = 20, offset: Int = 0) {
        self.since = since
        self.until = until
        self.limit = limit
        self.offset = offset
    }
}

/// Which posts of an author a feed wants.
public enum ReplyFilter: Sendable {
    case excluded, only, included
}

/// A counted zap receipt.
public struct ZapInfo: Hashable, Sendable {
    public let receipt: EventID
    public let target: EventReference?
    public let sender: PublicKey
    public let receiver: PublicKey
    public let amountSats: Int64
    public let createdAt: Int64

    public init(receipt: EventID, target: EventReference?, sender: PublicKey, receiver: PublicKey, amountSats: Int64, createdAt: Int64) {
        self.receipt = receipt
        self.target = target
        self.sender = sender
        self.receiver = receiver
        self.amountSats = amountSats
        self.createdAt = createdAt
    }
}

/// The lookups the cache API's feeds, threads and profile pages are built from.
public protocol FeedStore: ReadModelStore {
    /// Posts by these authors, newest first (ties: higher id first).
    func posts(authors: [PublicKey], kinds: Set<Int>, replies: ReplyFilter, page: Page) async throws -> [FeedItem]
    /// Posts by anyone, newest first (explore's "latest").
    func recentPosts(kinds: Set<Int>, replies: ReplyFilter, page: Page) async throws -> [FeedItem]
    /// Kind 1 notes with media by an author, newest first.
    func mediaPosts(author: PublicKey, page: Page) async throws -> [FeedItem]
    /// Direct replies to a post, newest first; `kinds` nil means any.
    func replies(to target: EventReference, kinds: Set<Int>?, page: Page) async throws -> [FeedItem]
    /// Notes quoting a post, newest first.
    func quotes(of target: EventReference, page: Page) async throws -> [FeedItem]
    func quoteCount(of target: EventReference) async throws -> Int
    /// The largest zaps of each target, at most `limit` per target, largest first.
    func topZaps(on targets: [EventReference], limit: Int) async throws -> [ZapInfo]
    /// Followers of a pubkey with their own follower counts, most followed first.
    func followers(of pubkey: PublicKey, limit: Int) async throws -> [(PublicKey, Int)]
    /// Which of `candidates` follow `pubkey`.
    func followersAmong(_ candidates: [PublicKey], of pubkey: PublicKey) async throws -> Set<PublicKey>
    /// Profiles whose name, display name or NIP-05 start with the words of `query`, most
    /// followed first; only among `among` when given.
    func searchProfiles(_ query: String, limit: Int, among: Set<PublicKey>?) async throws -> [PublicKey]
    /// Notes matching a full-text query, newest first.
    func searchNotes(_ query: String, kinds: Set<Int>, page: Page) async throws -> [FeedItem]
    /// Events of `kinds` (by `authors`, when given) created in since...until whose indexed
    /// text matches `text`, newest first, at most `limit` (advanced search's candidates;
    /// the most recently stored matches when there are more).
    func textMatches(_ text: TextMatch, kinds: Set<Int>, authors: Set<PublicKey>?, since: Int64, until: Int64,
                     limit: Int) async throws -> [StoredEvent]
}

/// A full-text condition: every group must match, a group by any of its phrases, a phrase
/// by its words in a row (lowercase words, as `words(_:)` splits them).
public struct TextMatch: Hashable, Sendable {
    public var groups: [[[String]]]

    public init(groups: [[[String]]]) { self.groups = groups.filter { !$0.isEmpty && $0.allSatisfy { !$0.isEmpty } } }

    public var isEmpty: Bool { groups.isEmpty }

    /// Words as the full-text indexes see them: runs of letters, digits and combining
    /// marks, lowercased.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current.lowercased())
                current = ""
            }
        }
        if !current.isEmpty { words.append(current.lowercased()) }
        return words
    }
}
