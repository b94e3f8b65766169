import Nostr
import Synchronization

/// What the cache API needs from a connection. The connection owns the framing: text
/// `EVENT` frames, or one zlib `EVENTS` frame after `set_primal_protocol`.
public protocol CacheClient: AnyObject, Sendable {
    /// Sends the objects of a response, then `NOTICE` with `notice` when there is one (a
    /// remark on an answer that succeeded, such as search terms left out), then `EOSE`.
    func respond(_ subscription: String, objects: [[UInt8]], notice: String?)
    /// Sends `NOTICE` with the message, then `EOSE`.
    func fail(_ subscription: String, _ message: String)
    /// Sends one object of a live subscription: a text `EVENT`, never compressed, no `EOSE`.
    func push(_ subscription: String, object: [UInt8])
    /// The connection's cache-protocol settings.
    var cacheState: CacheConnectionState { get }
}

extension CacheClient {
    /// Sends the objects of a response, then `EOSE`.
    public func respond(_ subscription: String, objects: [[UInt8]]) { respond(subscription, objects: objects, notice: nil) }
}

/// Per-connection cache-protocol settings.
public final class CacheConnectionState: Sendable {
    private struct State {
        var zlib = false
        var user: PublicKey?
    }

    private let state = Mutex(State())

    public init() {}

    /// Responses go out as one zlib-compressed binary `EVENTS` frame (set_primal_protocol).
    public var compressesResponses: Bool { state.withLock { $0.zlib } }

    public func setCompression(_ on: Bool) { state.withLock { $0.zlib = on } }

    /// The first `user_pubkey` seen on the connection (Primal remembers it, never trusts it).
    public var user: PublicKey? { state.withLock { $0.user } }

    public func remember(user: PublicKey) { state.withLock { if $0.user == nil { $0.user = user } } }
}
