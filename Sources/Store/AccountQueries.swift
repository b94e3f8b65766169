import Nostr

/// One direct-message conversation as a user sees it.
public struct DirectMessageContact: Hashable, Sendable {
    public let peer: PublicKey
    /// Messages from the peer since the user last marked them read.
    public let unread: Int
    /// The latest message either way.
    public let latestAt: Int64
    public let latestEvent: EventID

    public init(peer: PublicKey, unread: Int, latestAt: Int64, latestEvent: EventID) {
        self.peer = peer
        self.unread = unread
        self.latestAt = latestAt
        self.latestEvent = latestEvent
    }
}

/// Per-user state that the user changes with signed requests (notifications seen, direct
/// messages read), and what live count pushes read.
public protocol AccountStore: Sendable {
    /// Until when `pubkey` has seen its notifications; nil when never set.
    func notificationsSeen(_ pubkey: PublicKey) async throws -> Int64?
    func setNotificationsSeen(_ pubkey: PublicKey, until: Int64) async throws
    /// Recipients of notifications added after the row `after` (rows only ever append),
    /// and the last row now: what a count push recomputes. With `after` < 0, only the last
    /// row (and no recipients).
    func notificationRecipients(after: Int64) async throws -> (last: Int64, recipients: Set<PublicKey>)
    /// The user's conversations, latest first.
    func directMessageContacts(of user: PublicKey) async throws -> [DirectMessageContact]
    /// Messages to the user not yet marked read, from everyone.
    func unreadDirectMessages(of user: PublicKey) async throws -> Int
    /// Marks the messages from `sender` (from everyone when nil) as read.
    func markDirectMessagesRead(of user: PublicKey, from sender: PublicKey?) async throws
    /// The settings JSON the user saved under `subkey`, if any.
    func appSubsettings(of user: PublicKey, subkey: String) async throws -> String?
    func setAppSubsettings(of user: PublicKey, subkey: String, settings: String, at time: Int64) async throws
}
