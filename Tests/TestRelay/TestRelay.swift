import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Nostr
import RelayAPI
import ServiceLifecycle
import Synchronization

/// A NIP-01 relay for tests and benchmarks, on a real loopback socket.
///
/// It serves the events it holds (newest first, at most `cap` per REQ, like most public
/// relays), keeps REQs open for live events (`publish`), and can misbehave on demand:
/// stall, send garbage, send forged copies of its events, flood duplicates, drop every
/// connection, or stop and start again on the same port.
public final class TestRelay: Sendable {
    public enum Behavior: Sendable, Equatable {
        case normal
        /// Reads requests and answers nothing (WebSocket pings are still answered).
        case stall
        /// Answers every REQ with frames that are not Nostr messages, then EOSE.
        case garbage
        /// Sends, before each real event, a copy with a forged signature and one with a
        /// tampered content (so a wrong id).
        case forge
        /// Sends every event this many times.
        case flood(copies: Int)
    }

    private struct Stored: Sendable {
        let event: Event
        let json: [UInt8]
    }

    private struct State {
        var events: [Stored] = []
        var behavior: Behavior
        var requests: [Filter] = []
        var connections: [Int: @Sendable () -> Void] = [:]
        var live: [Int: [String: [Filter]]] = [:]
        var nextConnection = 0
    }

    private let state: Mutex<State>
    private let outboxes = Mutex<[Int: AsyncStream<[UInt8]>.Continuation]>([:])
    public let cap: Int
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, Error>)?>(nil)
    private let boundPort = Mutex(0)

    public init(events: [Event] = [], cap: Int = 500, behavior: Behavior = .normal) {
        self.cap = cap
        var initial = State(behavior: behavior)
        initial.events = events.map { Stored(event: $0, json: $0.json) }.sorted(by: Self.newestFirst)
        state = Mutex(initial)
    }

    /// The first index where `isPast` holds, in a list where it holds for a suffix.
    private static func firstIndex(in events: [Stored], where isPast: (Stored) -> Bool) -> Int {
        var low = 0, high = events.count
        while low < high {
            let middle = (low + high) / 2
            if isPast(events[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    private static func newestFirst(_ a: Stored, _ b: Stored) -> Bool {
        a.event.createdAt != b.event.createdAt ? a.event.createdAt > b.event.createdAt : a.event.id < b.event.id
    }

    /// The address, also after `stop` (a restart reuses the port).
    public var url: String { "ws://127.0.0.1:\(port)/" }
    public var port: Int { boundPort.withLock { $0 } }

    /// Filters of every REQ received, in order.
    public var requests: [Filter] { state.withLock { $0.requests } }

    public var connectionCount: Int { state.withLock { $0.connections.count } }

    public func setBehavior(_ behavior: Behavior) { state.withLock { $0.behavior = behavior } }

    // MARK: Running

    /// Starts listening (port 0 picks one; pass the old port to restart in place).
    @discardableResult
    public func start(port: Int = 0) async throws -> Int {
        let bound = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test-relay")
        logger.logLevel = .critical
        let router = Router(context: BasicWebSocketRequestContext.self)
        let application = Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: 16 << 20))) { _, _, _ in
                .upgrade([:]) { inbound, outbound, _ in await self.serve(inbound, outbound) }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "test-relay"),
            onServerRunning: { channel in bound.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let task = Task { try await group.run() }
        var iterator = bound.stream.makeAsyncIterator()
        guard let chosen = await iterator.next() else { throw CancellationError() }
        running.withLock { $0 = (group, task) }
        boundPort.withLock { $0 = chosen }
        return chosen
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        guard let (group, task) = running.withLock({ running in defer { running = nil }; return running }) else { return }
        dropConnections()
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Closes every open connection at once (a relay restart, a network blip).
    public func dropConnections() {
        let closers = state.withLock { state in
            defer {
                state.connections.removeAll()
                state.live.removeAll()
            }
            return Array(state.connections.values)
        }
        for close in closers { close() }
    }

    // MARK: Events

    /// Stores an event and sends it to the live subscriptions it matches.
    public func publish(_ event: Event) {
        let stored = Stored(event: event, json: event.json)
        let deliveries: [(Int, String)] = state.withLock { state in
            let index = state.events.firstIndex { Self.newestFirst(stored, $0) } ?? state.events.count
            state.events.insert(stored, at: index)
            guard state.behavior == .normal else { return [] }
            return state.live.flatMap { connection, subscriptions in
                subscriptions.filter { $0.value.contains { $0.matches(event) } }.map { (connection, $0.key) }
            }
        }
        for (connection, subscription) in deliveries {
            send(RelayMessage.event(subscription, json: stored.json), to: connection)
        }
    }

    // MARK: Connections

    private func send(_ frame: [UInt8], to connection: Int) {
        _ = outboxes.withLock { $0[connection] }?.yield(frame)
    }

    private func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async {
        let (frames, outbox) = AsyncStream<[UInt8]>.makeStream()
        let closed = AsyncStream<Void>.makeStream()
        let id: Int = state.withLock { state in
            state.nextConnection += 1
            state.connections[state.nextConnection] = { closed.continuation.finish() }
            return state.nextConnection
        }
        outboxes.withLock { $0[id] = outbox }
        defer {
            outboxes.withLock { _ = $0.removeValue(forKey: id) }
            state.withLock { state in
                state.connections.removeValue(forKey: id)
                state.live.removeValue(forKey: id)
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames {
                    do {
                        if frame.first == 0xFF {
                            try await outbound.write(.binary(ByteBuffer(bytes: frame.dropFirst())))
                        } else {
                            try await outbound.write(.custom(.init(fin: true, opcode: .text, data: ByteBuffer(bytes: frame))))
                        }
                    } catch { break }
                }
            }
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else { continue }
                        self.handle(text, connection: id)
                    }
                } catch {}
                outbox.finish()
            }
            group.addTask {
                for await _ in closed.stream {}
                outbox.finish()
            }
            await group.next()
            group.cancelAll()
            outbox.finish()
            closed.continuation.finish()
        }
    }

    private func handle(_ text: String, connection: Int) {
        let bytes = Array(text.utf8)
        let message = bytes.withUnsafeBytes { try? ClientMessage($0) }
        switch message {
        case .req(let subscription, let json)?:
            let filters = json.compactMap { try? Filter(json: $0) }
            let (behavior, matching): (Behavior, [Stored]) = state.withLock { state in
                state.requests += filters
                if state.behavior == .normal { state.live[connection, default: [:]][subscription] = filters }
                var seen = Set<EventID>()
                var found: [Stored] = []
                for filter in filters {
                    let limit = min(filter.limit ?? cap, cap)
                    var taken = 0
                    // Newest first: start at `until` (binary search), stop at `since`.
                    var i = filter.until.map { until in Self.firstIndex(in: state.events) { $0.event.createdAt <= until } } ?? 0
                    while i < state.events.count, taken < limit {
                        let stored = state.events[i]
                        i += 1
                        if let since = filter.since, stored.event.createdAt < since { break }
                        guard filter.matches(stored.event), seen.insert(stored.event.id).inserted else { continue }
                        found.append(stored)
                        taken += 1
                    }
                }
                return (state.behavior, found.sorted(by: Self.newestFirst))
            }
            answer(subscription, matching, behavior, connection)
        case .close(let subscription)?:
            state.withLock { _ = $0.live[connection]?.removeValue(forKey: subscription) }
        default:
            break
        }
    }

    private func answer(_ subscription: String, _ events: [Stored], _ behavior: Behavior, _ connection: Int) {
        switch behavior {
        case .stall:
            return
        case .garbage:
            for frame in ["not json at all", "{\"an\":\"object\"}", "[\"EVENT\"]", "[\"EVENT\",\"\(subscription)\",{\"id\":42}]",
                          "[\"EVENT\",\"\(subscription)\",\"string\"]", "[1,2,3]"] {
                send(Array(frame.utf8), to: connection)
            }
            send([0xFF, 0x00, 0x01, 0x02], to: connection)
        case .forge:
            for stored in events {
                var badSignature = stored.event
                badSignature.sig = Signature(r: stored.event.sig.s, s: stored.event.sig.r)
                send(RelayMessage.event(subscription, json: badSignature.json), to: connection)
                var tampered = stored.event
                tampered.content += " (tampered)"
                send(RelayMessage.event(subscription, json: tampered.json), to: connection)
                send(RelayMessage.event(subscription, json: stored.json), to: connection)
            }
        case .flood(let copies):
            for stored in events {
                let frame = RelayMessage.event(subscription, json: stored.json)
                for _ in 0..<max(1, copies) { send(frame, to: connection) }
            }
        case .normal:
            for stored in events { send(RelayMessage.event(subscription, json: stored.json), to: connection) }
        }
        send(RelayMessage.eose(subscription), to: connection)
    }

    /// A corpus split over `relays` relays, about a third of the events on two of them
    /// (as with overlapping public relays).
    public static func overlapping(_ events: [Event], relays count: Int) -> [[Event]] {
        var relays = [[Event]](repeating: [], count: count)
        for (i, event) in events.enumerated() {
            relays[i % count].append(event)
            if count > 1, i % 3 == 0 { relays[(i % count + 1 + (i / 3) % (count - 1)) % count].append(event) }
        }
        return relays
    }
}
