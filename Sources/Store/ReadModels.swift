import Nostr

/// The counters of a profile header (Primal's USER_PROFILE, 10000105).
public struct UserStats: Hashable, Sendable {
    public var pubkey: PublicKey
    public var followsCount = 0
    public var followersCount = 0
    /// Notes and reposts (kind 1 that reply to nothing, and kind 6), as Primal counts them.
    public var noteCount = 0
    public var replyCount = 0
    public var longFormNoteCount = 0
    /// The oldest stored event's created_at.
    public var timeJoined: Int64?
    public var relayCount = 0
    public var mediaCount = 0
    /// Zaps received: how many, and how many sats.
    public var totalZapCount = 0
    public var totalSatsZapped: Int64 = 0
    /// Zaps received on posts (not on the profile).
    public var contentZapCount = 0

    public init(pubkey: PublicKey) { self.pubkey = pubkey }
}

/// The counters under a post (Primal's EVENT_STATS, 10000100).
public struct EventStats: Hashable, Sendable {
    /// People who liked (kind 7 `+`, empty, 🤙 or ❤).
    public var likes = 0
    /// Replies (each reply event).
    public var replies = 0
    /// People who reposted (kind 6/16) or quoted.
    public var reposts = 0
    /// Zap receipts, and their sats.
    public var zaps = 0
    public var satsZapped: Int64 = 0
    /// Primal's score: first like, repost/quote, zap and reply of each person, weighted.
    public var score: Int64 = 0
    /// The same over actions of the last 24 hours.
    public var score24h: Int64 = 0

    public init() {}
}

/// What one viewer did to a post (Primal's EVENT_ACTIONS_COUNT, 10000115).
public struct ViewerActions: Hashable, Sendable {
    public var replied = false
    public var liked = false
    public var reposted = false
    public var zapped = false

    public init() {}

    public var any: Bool { replied || liked || reposted || zapped }
}

/// One notification row (Primal's NOTIFICATION, 10000110).
public struct NotificationEntry: Hashable, Sendable {
    public let recipient: PublicKey
    public let createdAt: Int64
    /// Primal's type: 1 new follower, 2 unfollow, 3 zapped, 4 liked, 5 reposted, 6 replied,
    /// 7 mentioned, 8 your post mentioned.
    public let type: Int
    /// The event that caused it.
    public let cause: EventID
    /// Who did it.
    public let actor: PublicKey
    /// The post concerned (yours, or the one you were mentioned in).
    public let target: EventReference?
    /// Sats, for zaps.
    public let amount: Int64
    /// The reaction, or the zap message.
    public let content: String

    public init(recipient: PublicKey, createdAt: Int64, type: Int, cause: EventID, actor: PublicKey,
                target: EventReference?, amount: Int64, content: String) {
        self.recipient = recipient
        self.createdAt = createdAt
        self.type = type
        self.cause = cause
        self.actor = actor
        self.target = target
        self.amount = amount
        self.content = content
    }
}

/// Network-wide counters (Primal's NET_STATS, 10000101).
public struct NetworkStats: Hashable, Sendable {
    /// Pubkeys with a profile and a non-empty contact list.
    public var users: Int64 = 0
    /// Pubkeys with at least one stored event.
    public var pubkeys: Int64 = 0
    public var pubnotes: Int64 = 0
    public var reactions: Int64 = 0
    public var reposts: Int64 = 0
    /// All stored events.
    public var any: Int64 = 0
    public var zaps: Int64 = 0
    public var satsZapped: Int64 = 0

    public init() {}
}

/// The derived read models a cache serves, backend-neutral. SQLite keeps them in the
/// writer's transaction; every backend must give the same answers.
public protocol ReadModelStore: Sendable {
    func userStats(_ pubkeys: [PublicKey]) async throws -> [PublicKey: UserStats]
    func eventStats(_ targets: [EventReference]) async throws -> [EventReference: EventStats]
    /// What `viewer` did to each target; targets without any action are left out.
    func viewerActions(_ viewer: PublicKey, on targets: [EventReference]) async throws -> [EventReference: ViewerActions]
    /// Notifications of `pubkey`, newest first; `types` nil means all. Self-caused ones
    /// (liking your own post) are left out.
    func notifications(for pubkey: PublicKey, types: Set<Int>?, until: Int64?, limit: Int, offset: Int) async throws -> [NotificationEntry]
    /// Notifications newer than `since`, counted per type.
    func notificationCounts(for pubkey: PublicKey, since: Int64) async throws -> [Int: Int]
    func networkStats() async throws -> NetworkStats
}
