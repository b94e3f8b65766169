import CacheAPI
import Hummingbird
import HummingbirdWebSocket
import Ingest
import Logging
import NIOCore
import NIOWebSocket
import Nostr
import RelayAPI
import ServiceLifecycle
import Store
import Synchronization
import Workers

/// `hearth serve`: WebSocket (NIP-01 and Primal's cache protocol) and HTTP (NIP-11,
/// /health, /metrics, a status page) on one port, over one store.
///
/// Run it as a `Service` (it is one); graceful shutdown stops accepting, lets in-flight
/// requests finish and closes connections. The caller closes the pipeline and store after.
public final class HearthServer: Service, Sendable {
    public let configuration: ServerConfiguration
    public let store: any CacheStore
    public let pipeline: IngestPipeline?
    /// The upstream relays, when this server ingests (for /metrics and the status page).
    public let relays: RelayPool?
    public let metrics: ServerMetrics
    let cache: CacheService
    let live = LiveSubscriptions<RelaySession<Connection>>()
    let connections = ConnectionRegistry()
    let outboundBudget: OutboundBudget
    public let memory = MemoryTrimmer()
    private let logger: Logger
    private let boundPort = Mutex<Int?>(nil)
    private let portWaiters = Mutex<[CheckedContinuation<Int, Never>]>([])
    let started = monotonicNow()
    /// How long a client has to answer our close frame before the socket is closed.
    static let closeGrace: Duration = .seconds(2)

    public init(configuration: ServerConfiguration, store: any CacheStore, pipeline: IngestPipeline?, relays: RelayPool? = nil,
                logger: Logger = Logger(label: "hearth")) {
        self.configuration = configuration
        self.store = store
        self.pipeline = pipeline
        self.relays = relays
        self.logger = logger
        outboundBudget = OutboundBudget(limit: configuration.maxTotalOutboundBytes)
        let metrics = ServerMetrics()
        self.metrics = metrics
        cache = CacheService(store: store, pipeline: configuration.readOnly ? nil : pipeline, settings: configuration.cache,
                             backfill: relays?.backfill,
                             record: { model, hits, misses in metrics.recordResultCache(model, hits: hits, misses: misses) },
                             ignoredParameter: { op, name in
                                 metrics.recordIgnoredParameter(op: op, name: name)
                                 logger.debug("ignored cache param", metadata: ["op": "\(op)", "param": "\(name)"])
                             })
        // Over the budget, the connection with the most waiting goes first.
        let registry = connections
        outboundBudget.onMakeRoom {
            guard let furthest = registry.all.max(by: { $0.queue.waitingBytes < $1.queue.waitingBytes }),
                  furthest.queue.waitingBytes > 0 else { return false }
            furthest.dropForBudget()
            return true
        }
    }

    /// The port the server listens on, once it does (useful with port 0).
    public func listeningPort() async -> Int {
        if let port = boundPort.withLock({ $0 }) { return port }
        return await withCheckedContinuation { continuation in
            let ready: Int? = boundPort.withLock { port in
                if port == nil { portWaiters.withLock { $0.append(continuation) } }
                return port
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    public func run() async throws {
        let dispatcher = MessageDispatcher(configuration: configuration, pipeline: pipeline, cache: cache, metrics: metrics)
        let application = Application(
            router: HTTPEndpoints(server: self).router(),
            server: .http1WebSocketUpgrade(
                configuration: .init(
                    http1: .init(idleTimeout: .seconds(Int64(configuration.idleTimeout))),
                    // RFC 6455 §8.1: a text frame that is not UTF-8 fails the connection (1007).
                    ws: .init(maxFrameSize: configuration.maxFrameBytes, autoPing: .enabled(timePeriod: .seconds(30)),
                              closeTimeout: Self.closeGrace, validateUTF8: true)
                ),
                shouldUpgrade: { [self] request, channel, _ in
                    let path = request.path?.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
                    guard path == "/" || path == "/v1" else { return .dontUpgrade }
                    let address = channel.remoteAddress?.ipAddress ?? "unknown"
                    try channel.pipeline.syncOperations.addHandler(MaskedClientFramesOnly.Installer())
                    return .upgrade([:]) { inbound, outbound, _ in
                        try await self.serve(inbound, outbound, channel: channel, address: address, dispatcher: dispatcher)
                    }
                }
            ),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Hearth"),
            onServerRunning: { [self] channel in self.didBind(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await withThrowingDiscardingTaskGroup { group in
            // The application shuts itself down gracefully; the helpers stop when it begins.
            group.addTask { try await application.run() }
            group.addTask {
                await withDiscardingTaskGroup { helpers in
                    helpers.addTask { await self.deliverLiveEvents() }
                    helpers.addTask { await self.cache.runBackgroundWork() }
                    helpers.addTask { try? await self.closeIdleConnections() }
                    helpers.addTask { await self.memory.run() }
                    try? await gracefulShutdown()
                    helpers.cancelAll()
                }
            }
        }
    }

    private func didBind(_ port: Int) {
        let waiters = boundPort.withLock { bound -> [CheckedContinuation<Int, Never>] in
            bound = port
            return portWaiters.withLock { waiters in defer { waiters.removeAll() }; return waiters }
        }
        for waiter in waiters { waiter.resume(returning: port) }
        logger.info("listening", metadata: ["address": "\(configuration.host):\(port)"])
    }

    // MARK: Connections

    private func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, channel: any Channel,
                       address: String, dispatcher: MessageDispatcher) async throws {
        guard connections.admit(address, limit: configuration.maxConnectionsPerIP) else {
            let refusal = RelayMessage.notice("blocked: too many connections from your address (max \(configuration.maxConnectionsPerIP))")
            try? await outbound.write(.custom(.init(fin: true, opcode: .text, data: ByteBuffer(bytes: refusal))))
            try? await outbound.close(.policyViolation, reason: "too many connections")
            // Wait (at most 2 s) for the client's close reply: dropping the socket at once can
            // reset the connection before the client has read the refusal.
            let deadline = Task {
                try? await Task.sleep(for: .seconds(2))
                if !Task.isCancelled { channel.close(promise: nil) }
            }
            do { for try await _ in inbound.messages(maxSize: 1 << 16) {} } catch {}
            deadline.cancel()
            return
        }
        let connection = Connection(id: connections.nextID(), remoteAddress: address, configuration: configuration,
                                    metrics: metrics, budget: outboundBudget, alive: liveConnections, memory: memory,
                                    closeChannel: { channel.close(promise: nil) })
        let session = RelaySession(sink: connection, store: store, live: live, limits: configuration.relay)
        connections.add(connection)
        metrics.connections.record(connections.count)
        defer {
            session.closeAll()
            cache.disconnected(connection)
            connection.queue.release()
            connections.remove(connection)
            metrics.connections.record(connections.count)
        }
        // A protocol error ends the inbound stream with a close code (1007 for bad UTF-8,
        // 1009 for too large): it is rethrown so that the close frame carries it.
        var inboundError: (any Error)?
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await frame in connection.queue.frames {
                    let (opcode, data): (WebSocketOpcode, ByteBuffer)
                    switch frame {
                    case .text(let text): (opcode, data) = (.text, ByteBuffer(bytes: text))
                    case .binary(let binary): (opcode, data) = (.binary, ByteBuffer(bytes: binary))
                    case .event(let prefix, let json):
                        var buffer = ByteBufferAllocator().buffer(capacity: frame.count)
                        buffer.writeBytes(prefix)
                        buffer.writeBytes(json)
                        buffer.writeInteger(UInt8(ascii: "]"))
                        (opcode, data) = (.text, buffer)
                    case .close(let reason):
                        try? await outbound.close(.normalClosure, reason: reason)
                        connection.queue.finish()
                        // A client that does not answer the close frame loses the socket.
                        try? await Task.sleep(for: Self.closeGrace)
                        if !Task.isCancelled { connection.close() }
                        return
                    }
                    do {
                        try await outbound.write(.custom(.init(fin: true, opcode: opcode, data: data)))
                    } catch {
                        connection.close()
                        break
                    }
                    connection.queue.sent(frame.count)
                    connection.touch()
                }
            }
            do {
                for try await message in inbound.messages(maxSize: configuration.maxFrameBytes) {
                    connection.touch()
                    switch message {
                    case .text(let text):
                        await dispatcher.handle(text, from: connection, session: session)
                    case .binary:
                        connection.send(RelayMessage.notice("invalid: binary frames are not accepted; send JSON text"))
                    }
                }
            } catch {
                logger.debug("connection ended", metadata: ["error": "\(error)"])
                inboundError = error
            }
            connection.queue.finish()
            group.cancelAll()
        }
        if let inboundError { throw inboundError }
    }

    /// Hands committed events to the subscriptions they match.
    private func deliverLiveEvents() async {
        for await batch in store.committedEvents() {
            for committed in batch {
                for entry in live.matches(committed.event) {
                    entry.subscriber.deliver(committed, to: entry.subscription)
                }
            }
        }
    }

    /// Closes connections with no traffic for `idleTimeout` seconds.
    private func closeIdleConnections() async throws {
        let period = max(0.05, min(10, configuration.idleTimeout / 4))
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(period))
            for connection in connections.all where connection.idleSeconds > configuration.idleTimeout {
                connection.send(RelayMessage.notice("closing: idle for more than \(configuration.idleTimeout) seconds"))
                connection.queue.enqueue(.close(reason: "idle"))
                connection.touch()  // one goodbye, not one per sweep
            }
        }
    }

    /// Connection objects not yet freed (open ones, and any a bug kept).
    public var connectionObjects: Int { liveConnections.count.load(ordering: .relaxed) }
    private let liveConnections = ObjectCounter()

    /// Open connections.
    public var openConnections: Int { connections.count }

    /// Subscriptions open across all connections (for /metrics).
    var subscriptionCount: Int { live.count }
}

/// Open connections, and how many each address has.
final class ConnectionRegistry: Sendable {
    private struct State {
        var byID: [Int: Connection] = [:]
        var perAddress: [String: Int] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    func nextID() -> Int { state.withLock { $0.nextID += 1; return $0.nextID } }

    /// Counts a new connection from `address`; false when it already has `limit`.
    func admit(_ address: String, limit: Int) -> Bool {
        state.withLock { state in
            guard state.perAddress[address, default: 0] < limit else { return false }
            state.perAddress[address, default: 0] += 1
            return true
        }
    }

    func add(_ connection: Connection) { state.withLock { $0.byID[connection.id] = connection } }

    func remove(_ connection: Connection) {
        state.withLock { state in
            state.byID[connection.id] = nil
            state.perAddress[connection.remoteAddress, default: 1] -= 1
            if state.perAddress[connection.remoteAddress] == 0 { state.perAddress[connection.remoteAddress] = nil }
        }
    }

    var all: [Connection] { state.withLock { Array($0.byID.values) } }
    var count: Int { state.withLock { $0.byID.count } }
}
