import CacheAPI
import RelayAPI
import Workers

/// Everything `hearth serve` is told: where to listen and the limits it enforces. The NIP-11
/// document is generated from the same values, so what is announced is what is enforced.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests).
    public var port = 8008
    /// Refuse client EVENTs (fixture files, read-only media).
    public var readOnly = false

    public var relay = RelayLimits()
    /// The cache API: default relays, result cache size and lifetime.
    public var cache = CacheService.Settings()
    /// The largest message a client may send (bytes); larger ones get a NOTICE.
    public var maxMessageBytes = 128 * 1024
    /// Frames larger than this close the connection outright (code 1009).
    public var maxFrameBytes = 4 * 1024 * 1024
    /// Outbound bytes a connection may have waiting before it is disconnected as too slow.
    public var maxOutboundBytes = 4 * 1024 * 1024
    /// Outbound bytes all connections together may have waiting; past it, the connection
    /// furthest behind is disconnected first.
    public var maxTotalOutboundBytes = 64 * 1024 * 1024
    /// Seconds without a message in either direction before a connection is closed.
    public var idleTimeout = 600.0
    public var maxConnectionsPerIP = 100
    /// Messages a connection may send per second, sustained, and in a burst.
    public var messagesPerSecond = 50.0
    public var messageBurst = 200.0

    /// NIP-11 facts.
    public var name = "Hearth"
    public var description = "A self-hosted Nostr cache: Primal's cache protocol and NIP-01 on one port."
    public var contact = ""
    public var version = "0.1.0"

    /// The clock in unix seconds (tests move it).
    public var now: @Sendable () -> Int64 = unixNow

    public init() {}
}
