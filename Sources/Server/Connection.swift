import CacheAPI
import CompressNIO
import Ingest
import NIOCore
import Nostr
import RelayAPI
import Store
import Synchronization
import Workers

/// One WebSocket client: its outbound queue, its rate limit, and the dispatch of its
/// messages to the NIP-01 session, the cache API and the ingest pipeline.
final class Connection: MessageSink, CacheClient, Sendable {
    let id: Int
    let remoteAddress: String
    let queue: OutboundQueue
    let cacheState = CacheConnectionState()
    /// EVENTs being written for this connection.
    let publishes = PendingPublishes(limit: 64)
    /// Bit pattern of the monotonic time of the last message either way.
    private let lastActivity: Atomic<UInt64>
    private let limiter: Mutex<RateLimiter>
    private let closeChannel: @Sendable () -> Void
    private let metrics: ServerMetrics

    /// Connection objects of this server not yet freed (a dropped connection must free its own).
    private let alive: ObjectCounter
    /// Told when this connection's memory is freed.
    private let memory: MemoryTrimmer

    init(id: Int, remoteAddress: String, configuration: ServerConfiguration, metrics: ServerMetrics, budget: OutboundBudget,
         alive: ObjectCounter, memory: MemoryTrimmer, closeChannel: @escaping @Sendable () -> Void) {
        self.alive = alive
        self.memory = memory
        alive.count.add(1, ordering: .relaxed)
        self.id = id
        self.remoteAddress = remoteAddress
        self.closeChannel = closeChannel
        self.metrics = metrics
        let now = monotonicNow()
        lastActivity = Atomic<UInt64>(now.bitPattern)
        limiter = Mutex(RateLimiter(rate: configuration.messagesPerSecond, burst: configuration.messageBurst, now: now))
        queue = OutboundQueue(capacity: configuration.maxOutboundBytes, budget: budget) {
            metrics.droppedSlowClients.increment()
            closeChannel()
        }
    }

    deinit {
        alive.count.subtract(1, ordering: .relaxed)
        memory.connectionFreed()
    }

    // MARK: Sending

    func send(_ frame: [UInt8]) {
        if queue.enqueue(.text(frame)) { metrics.messagesOut.increment() }
    }

    func sendEvent(_ subscription: String, json: [UInt8]) {
        if queue.enqueue(.event(prefix: RelayMessage.eventPrefix(subscription), json: json)) { metrics.messagesOut.increment() }
    }

    func sendBinary(_ frame: [UInt8]) {
        if queue.enqueue(.binary(frame)) { metrics.messagesOut.increment() }
    }

    // MARK: Cache responses

    func respond(_ subscription: String, objects: [[UInt8]], notice: String?) {
        if cacheState.compressesResponses {
            sendBinary(Self.zlib(RelayMessage.events(subscription, objects: objects)))
        } else {
            for object in objects { send(RelayMessage.event(subscription, json: object)) }
        }
        if let notice { send(RelayMessage.notice(subscription, notice)) }
        send(RelayMessage.eose(subscription))
    }

    func fail(_ subscription: String, _ message: String) {
        send(RelayMessage.notice(subscription, message))
        send(RelayMessage.eose(subscription))
    }

    func push(_ subscription: String, object: [UInt8]) {
        send(RelayMessage.event(subscription, json: object))
    }

    /// One zlib stream (RFC 1950, with header) of the message.
    static func zlib(_ message: [UInt8]) -> [UInt8] {
        var input = ByteBuffer(bytes: message)
        // Deflating a buffer in memory fails only on a broken allocator.
        guard var output = try? input.compress(with: .zlib()) else { preconditionFailure("zlib compression failed") }
        return output.readBytes(length: output.readableBytes) ?? []
    }

    // MARK: Activity

    func touch() { lastActivity.store(monotonicNow().bitPattern, ordering: .relaxed) }

    /// Seconds since the last message in either direction.
    var idleSeconds: Double { monotonicNow() - Double(bitPattern: lastActivity.load(ordering: .relaxed)) }

    /// Takes a token from the message budget.
    func takeMessageToken() -> RateLimiter.Verdict { limiter.withLock { $0.take(now: monotonicNow()) } }

    /// Closes the socket now (slow, idle or refused clients).
    func close() { closeChannel() }

    /// Drops a connection that is furthest behind when the server's outbound budget is spent:
    /// its waiting bytes are given back at once.
    func dropForBudget() {
        metrics.droppedSlowClients.increment()
        queue.release()
        closeChannel()
    }
}

/// Objects of one kind alive now (incremented in init, decremented in deinit).
final class ObjectCounter: Sendable {
    let count = Atomic<Int>(0)
}
