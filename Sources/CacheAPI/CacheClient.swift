import Synchronization

/// What the cache API needs from a connection: a place to send frames and the
/// connection's protocol settings.
public protocol CacheClient: AnyObject, Sendable {
    /// Queues a text frame.
    func send(_ frame: [UInt8])
    /// Queues a binary frame (zlib-compressed responses).
    func sendBinary(_ frame: [UInt8])
    /// The connection's cache settings (compression, remembered user).
    var cacheState: CacheConnectionState { get }
}

/// Per-connection cache-protocol settings (`set_primal_protocol`).
public final class CacheConnectionState: Sendable {
    private let zlib = Mutex(false)

    public init() {}

    /// Responses go out as one zlib-compressed binary `EVENTS` frame.
    public var compressesResponses: Bool {
        get { zlib.withLock { $0 } }
    }

    public func setCompression(_ on: Bool) { zlib.withLock { $0 = on } }
}
