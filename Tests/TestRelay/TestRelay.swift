import NIOCore
import Nostr
import RelayAPI
import Synchronization

/// A NIP-01 relay for tests and benchmarks, on a real loopback socket.
///
/// It answers a REQ with one flush for the whole page (as production relays do), so a
/// benchmark measures the reading side, not a relay writing one frame per system call.
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
        var log: [Request] = []
        var connections: [Int: RelayConnection] = [:]
        var live: [Int: [String: [Filter]]] = [:]
        var nextConnection = 0
    }

    private let state: Mutex<State>
    public let cap: Int
    let listener = Mutex<Channel?>(nil)
    let boundPort = Mutex(0)

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

    /// Filters of every REQ received, in order.
    public var requests: [Filter] { state.withLock { $0.requests } }

    /// One REQ as received: when (monotonic seconds), on which connection, its filters.
    public struct Request: Sendable {
        public let time: Double
        public let connection: Int
        public let subscription: String
        public let filters: [Filter]
    }

    /// Every REQ received, in order.
    public var requestLog: [Request] { state.withLock { $0.log } }

    public var connectionCount: Int { state.withLock { $0.connections.count } }

    public func setBehavior(_ behavior: Behavior) { state.withLock { $0.behavior = behavior } }

    /// Closes every open connection at once (a relay restart, a network blip).
    public func dropConnections() {
        let open = state.withLock { state in
            defer {
                state.connections.removeAll()
                state.live.removeAll()
            }
            return Array(state.connections.values)
        }
        for connection in open { connection.close() }
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

    /// A new WebSocket connection; returns its number.
    func opened(_ connection: RelayConnection) -> Int {
        state.withLock { state in
            state.nextConnection += 1
            state.connections[state.nextConnection] = connection
            return state.nextConnection
        }
    }

    func closed(_ id: Int) {
        state.withLock { state in
            state.connections.removeValue(forKey: id)
            state.live.removeValue(forKey: id)
        }
    }

    private func send(_ frame: [UInt8], to connection: Int) { send([.text(frame)], to: connection) }

    /// Sends frames in order, flushed once.
    private func send(_ frames: [OutgoingFrame], to connection: Int) {
        state.withLock { $0.connections[connection] }?.send(frames)
    }

    func handle(_ bytes: [UInt8], connection: Int) {
        let message = bytes.withUnsafeBytes { try? ClientMessage($0) }
        switch message {
        case .req(let subscription, let json)?:
            let filters = json.compactMap { try? Filter(json: $0) }
            // Indexes into the newest-first list, which is also the order to answer in.
            let (behavior, events, matching): (Behavior, [Stored], [Int]) = state.withLock { state in
                state.requests += filters
                state.log.append(Request(time: Double(NIODeadline.now().uptimeNanoseconds) / 1e9, connection: connection, subscription: subscription, filters: filters))
                if state.behavior == .normal { state.live[connection, default: [:]][subscription] = filters }
                var seen = Set<EventID>()
                var found: [Int] = []
                for filter in filters {
                    let limit = min(filter.limit ?? cap, cap)
                    var taken = 0
                    // Newest first: start at `until` (binary search), stop at `since`.
                    var i = filter.until.map { until in Self.firstIndex(in: state.events) { $0.event.createdAt <= until } } ?? 0
                    while i < state.events.count, taken < limit {
                        defer { i += 1 }
                        if let since = filter.since, state.events[i].event.createdAt < since { break }
                        guard filter.matches(state.events[i].event), seen.insert(state.events[i].event.id).inserted else { continue }
                        found.append(i)
                        taken += 1
                    }
                }
                return (state.behavior, state.events, filters.count > 1 ? found.sorted() : found)
            }
            answer(subscription, matching.lazy.map { events[$0] }, behavior, connection)
        case .close(let subscription)?:
            state.withLock { _ = $0.live[connection]?.removeValue(forKey: subscription) }
        default:
            break
        }
    }

    private func answer(_ subscription: String, _ events: some Collection<Stored>, _ behavior: Behavior, _ connection: Int) {
        var frames: [OutgoingFrame] = []
        frames.reserveCapacity(events.count + 1)
        switch behavior {
        case .stall:
            return
        case .garbage:
            for frame in ["not json at all", "{\"an\":\"object\"}", "[\"EVENT\"]", "[\"EVENT\",\"\(subscription)\",{\"id\":42}]",
                          "[\"EVENT\",\"\(subscription)\",\"string\"]", "[1,2,3]"] {
                frames.append(.text(Array(frame.utf8)))
            }
            frames.append(.binary([0x00, 0x01, 0x02]))
        case .forge:
            for stored in events {
                var badSignature = stored.event
                badSignature.sig = Signature(r: stored.event.sig.s, s: stored.event.sig.r)
                frames.append(.text(RelayMessage.event(subscription, json: badSignature.json)))
                var tampered = stored.event
                tampered.content += " (tampered)"
                frames.append(.text(RelayMessage.event(subscription, json: tampered.json)))
                frames.append(.text(RelayMessage.event(subscription, json: stored.json)))
            }
        case .flood(let copies):
            for stored in events {
                let frame = RelayMessage.event(subscription, json: stored.json)
                for _ in 0..<max(1, copies) { frames.append(.text(frame)) }
            }
        case .normal:
            for stored in events { frames.append(.text(RelayMessage.event(subscription, json: stored.json))) }
        }
        frames.append(.text(RelayMessage.eose(subscription)))
        send(frames, to: connection)
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
