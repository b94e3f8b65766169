/// What Hearth knows about one upstream relay, persisted so a restart resumes where it
/// left off (`hearth relays` prints these).
public struct RelayState: Hashable, Sendable {
    public var url: String
    /// `connecting`, `catching up`, `live`, `waiting` (to reconnect), `removed`.
    public var status: String
    public var lastConnected: Int64?
    public var lastError: String?
    /// EVENT messages received, and how many of them were new to this cache.
    public var eventsReceived: Int64 = 0
    public var eventsNew: Int64 = 0
    public var duplicates: Int64 = 0
    /// Refused before storage: bad id or signature, unparseable, or blocked by policy.
    public var invalid: Int64 = 0
    public var reconnects: Int64 = 0
    public var notices: Int64 = 0
    /// Newest created_at of any event received from this relay.
    public var lastEventAt: Int64?
    /// The catch-up cursor: everything this relay had up to here has been received.
    public var caughtUpTo: Int64?
    /// Round trip of the last catch-up request to its EOSE, in milliseconds.
    public var latencyMilliseconds: Int64?
    /// Backfill REQs sent to this relay, and events received in answer.
    public var backfillRequests: Int64 = 0
    public var backfillEvents: Int64 = 0

    public init(url: String, status: String = "new") {
        self.url = url
        self.status = status
    }
}

/// Persistence of upstream relay states, written through the single writer.
public protocol RelayStateStore: Sendable {
    func relayStates() async throws -> [RelayState]
    /// Inserts or replaces these states (by url).
    func saveRelayStates(_ states: [RelayState]) async throws
}
