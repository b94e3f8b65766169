import Nostr

/// An event whose id and signature have been checked, with the JSON it arrived in.
///
/// The store trusts these: it never re-verifies. Build one only after `Event.validate()`
/// returned nil (the ingest pipeline does), or from the store's own contents.
public struct ValidatedEvent: Sendable {
    public let event: Event
    /// The event object exactly as received; served back byte for byte.
    public let json: [UInt8]

    public init(event: Event, json: [UInt8]) {
        self.event = event
        self.json = json
    }

    /// Wraps an event whose JSON is the writer's canonical form (generated or imported
    /// events that were validated by the caller).
    public init(event: Event) {
        self.init(event: event, json: event.json)
    }
}

/// An event as the store returns it: the indexed fields and the JSON as received.
public struct StoredEvent: Sendable, Hashable {
    public let id: EventID
    public let pubkey: PublicKey
    public let createdAt: Int64
    public let kind: Int
    public let json: [UInt8]

    public init(id: EventID, pubkey: PublicKey, createdAt: Int64, kind: Int, json: [UInt8]) {
        self.id = id
        self.pubkey = pubkey
        self.createdAt = createdAt
        self.kind = kind
        self.json = json
    }

    /// Parses the stored JSON (tags and content are not kept parsed).
    public func parsed() throws -> Event { try EventParser.parse(json) }

    /// NIP-01 order: newest first, then lowest id.
    public static func newestFirst(_ a: StoredEvent, _ b: StoredEvent) -> Bool {
        a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.id < b.id
    }
}
