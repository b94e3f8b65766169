import Nostr

/// What the writer did with one event.
public enum WriteOutcome: Sendable, Equatable {
    /// Stored as a new event.
    case stored
    /// Already stored; nothing changed.
    case duplicate
    /// Stored, and the older version of this replaceable or addressable event (this id)
    /// was removed.
    case replaced(EventID)
    /// A replaceable or addressable event older than the version already stored; ignored.
    case olderThanStored
    /// Its author deleted it earlier (NIP-09); refused.
    case deleted
    /// An ephemeral kind (20000–29999): delivered to live subscribers, never stored.
    case ephemeral
    /// Refused for the reason given (too far in the future, expired, …).
    case rejected(String)
    /// Not stored because the server failed (a full disk, say); the client may retry.
    case failed(String)

    /// True when the event is now stored (new, or replacing an older version).
    public var isStored: Bool {
        switch self {
        case .stored, .replaced: return true
        default: return false
        }
    }

    /// True when live subscribers should see it (stored or ephemeral).
    public var isLive: Bool { isStored || self == .ephemeral }
}

/// An event the writer accepted, handed to live subscriptions and caches after commit.
public struct CommittedEvent: Sendable {
    public let event: Event
    public let json: [UInt8]
    public let outcome: WriteOutcome

    public init(event: Event, json: [UInt8], outcome: WriteOutcome) {
        self.event = event
        self.json = json
        self.outcome = outcome
    }
}
