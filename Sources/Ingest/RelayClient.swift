import HummingbirdWSClient
import Logging
import NIOCore
import Nostr
import Store
import Synchronization
import Workers

/// One upstream relay: connect, catch up on what was missed, follow live, feed the
/// pipeline; on any failure wait (exponential backoff with jitter) and start over.
///
/// Each relay runs in its own task with its own bounded buffer, so a stalled, slow or
/// garbage-sending relay costs the others nothing. Events go to the pipeline in batches
/// from a second task; when the buffer is full the socket is not read (back-pressure).
public final class RelayClient: Sendable {
    public let url: String
    let configuration: UpstreamConfiguration
    let pipeline: IngestPipeline
    let budget: EventBudget
    let logger: Logger
    private let state: Mutex<RelayState>
    private let peakBuffered = Atomic<Int>(0)

    static let liveSubscription = "hearth-live"
    static let catchUpSubscription = "hearth-catchup"

    /// `initial` is the state persisted by an earlier run (its cursor and counters); `budget`
    /// is shared with the other relays of the pool.
    init(url: String, configuration: UpstreamConfiguration, pipeline: IngestPipeline, budget: EventBudget,
         initial: RelayState? = nil, logger: Logger = Logger(label: "hearth.upstream")) {
        self.url = url
        self.configuration = configuration
        self.pipeline = pipeline
        self.budget = budget
        var logger = logger
        logger[metadataKey: "relay"] = .string(url)
        self.logger = logger
        var start = initial ?? RelayState(url: url)
        start.status = "starting"
        state = Mutex(start)
    }

    /// A copy of the current state (for /metrics, the status page and persistence).
    public var snapshot: RelayState { state.withLock { $0 } }

    /// The most events ever waiting between this relay's socket and the pipeline: bounded
    /// by `bufferedEvents`, however fast the relay sends.
    public var bufferHighWater: Int { peakBuffered.load(ordering: .relaxed) }

    private func update(_ body: (inout RelayState) -> Void) { state.withLock { body(&$0) } }

    /// Counts what this relay's backfill connection asked and got.
    func recordBackfill(requests: Int64 = 0, events: Int64 = 0) {
        update {
            $0.backfillRequests += requests
            $0.backfillEvents += events
        }
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var backoff = Backoff(initial: configuration.initialBackoff, maximum: configuration.maxBackoff)
        while !Task.isCancelled {
            let started = monotonicNow()
            update { $0.status = "connecting" }
            do {
                try await session()
                update { $0.lastError = "closed by the relay" }
            } catch is CancellationError {
                break
            } catch {
                update { $0.lastError = "\(error)" }
                logger.info("relay connection ended: \(error)")
            }
            if Task.isCancelled { break }
            if monotonicNow() - started >= configuration.healthyAfter { backoff.reset() }
            let delay = backoff.next()
            update {
                $0.status = "waiting"
                $0.reconnects += 1
            }
            do { try await Task.sleep(for: .seconds(delay)) } catch { break }
        }
        update { $0.status = "stopped" }
    }

    /// One connection, from connect to close.
    private func session() async throws {
        let queue = BatchQueue<Inbound>(capacity: configuration.bufferedEvents)
        let watchdog = Watchdog(configuration.connectTimeout, "connecting took longer than \(Int(configuration.connectTimeout)) s")
        // Not a child task: cancelling the session (shutdown, a stalled relay) must not cancel
        // the hand-over of events already read; it drains the buffer, then ends.
        let submitter = Task { await self.submit(from: queue) }
        defer { queue.finish() }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await watchdog.run() }
                group.addTask {
                    try await self.connect(queue, watchdog)
                    throw RelayError.closed
                }
                // Both children only end by throwing; the first one ends the session.
                defer { group.cancelAll() }
                _ = try await group.next()
            }
        } catch {
            queue.finish()
            await submitter.value
            throw error
        }
    }

    private func connect(_ queue: BatchQueue<Inbound>, _ watchdog: Watchdog) async throws {
        let settings = WebSocketClientConfiguration(maxFrameSize: configuration.maxFrameBytes,
                                                    autoPing: .enabled(timePeriod: .seconds(configuration.pingInterval)))
        try await WebSocketClient.connect(url: url, configuration: settings, logger: logger) { inbound, outbound, _ in
            let connectedAt = self.configuration.now()
            let since = self.state.withLock { state in
                state.status = "catching up"
                state.lastConnected = connectedAt
                return state.caughtUpTo.map { $0 - self.configuration.overlap } ?? connectedAt - self.configuration.horizon
            }
            var catchUp = CatchUp(since: since, until: connectedAt, maxPages: self.configuration.maxPages)
            var requestStarted = monotonicNow()
            func request(_ subscription: String, since: Int64, until: Int64?, limit: Int?) async throws {
                try await outbound.write(.text(self.requestText(subscription, since: since, until: until, limit: limit)))
            }
            // Live first, so nothing published during the catch-up falls between the two.
            try await request(Self.liveSubscription, since: connectedAt - 60, until: nil, limit: nil)
            try await request(Self.catchUpSubscription, since: since, until: connectedAt, limit: self.configuration.pageLimit)
            watchdog.arm(self.configuration.requestTimeout, "no answer to a catch-up request within \(Int(self.configuration.requestTimeout)) s")
            var catchingUp = true
            var lastMark = monotonicNow()
            var message = ByteBuffer()
            var frames = inbound.makeAsyncIterator()
            while let frame = try await frames.next() {
                if frame.opcode != .continuation { message.clear() }
                var data = frame.data
                message.writeBuffer(&data)
                guard frame.fin else {
                    guard message.readableBytes <= self.configuration.maxFrameBytes else { throw RelayError.garbage("message too large") }
                    continue
                }
                guard frame.opcode == .text || frame.opcode == .continuation else {
                    self.update { $0.invalid += 1 }
                    continue
                }
                let parsed = message.withUnsafeReadableBytes { bytes in
                    Result { try UpstreamFrame.parse(bytes, isKnown: self.pipeline.recentlySeen) }
                }
                switch parsed {
                case .failure(let error):
                    self.update { $0.invalid += 1 }
                    self.logger.debug("unreadable message from relay: \(error)")
                case .success(.event(let subscription, let event, let json)):
                    if catchingUp, subscription == Self.catchUpSubscription { catchUp.saw(createdAt: event.createdAt) }
                    self.update {
                        $0.eventsReceived += 1
                        $0.lastEventAt = max($0.lastEventAt ?? event.createdAt, event.createdAt)
                    }
                    let depth = await queue.append(.event(event, json))
                    self.peakBuffered.max(depth, ordering: .relaxed)
                case .success(.copy(let subscription, let createdAt)):
                    // A page of nothing but copies still moves the catch-up on: events other
                    // relays already brought may hide older ones only this relay has.
                    if catchingUp, subscription == Self.catchUpSubscription, let createdAt { catchUp.saw(createdAt: createdAt) }
                    self.update {
                        $0.eventsReceived += 1
                        $0.duplicates += 1
                    }
                case .success(.invalidEvent(_, let reason)):
                    self.update {
                        $0.eventsReceived += 1
                        $0.invalid += 1
                    }
                    self.logger.debug("invalid event from relay: \(reason)")
                case .success(.eose(let subscription)) where catchingUp && subscription == Self.catchUpSubscription:
                    let latency = Int64((monotonicNow() - requestStarted) * 1000)
                    self.update { $0.latencyMilliseconds = latency }
                    if let until = catchUp.nextPage() {
                        requestStarted = monotonicNow()
                        try await request(Self.catchUpSubscription, since: catchUp.since, until: until, limit: self.configuration.pageLimit)
                        watchdog.arm(self.configuration.requestTimeout, "no answer to a catch-up request within \(Int(self.configuration.requestTimeout)) s")
                    } else {
                        // Everything before the live subscription began is in; the cursor moves
                        // once the submitter has handed the events before this point over.
                        catchingUp = false
                        watchdog.disarm()
                        try await outbound.write(.text("[\"CLOSE\",\"\(Self.catchUpSubscription)\"]"))
                        await queue.append(.caughtUp(to: connectedAt))
                        self.logger.info("caught up: \(catchUp.pages) page\(catchUp.pages == 1 ? "" : "s") since \(catchUp.since)")
                    }
                case .success(.eose):
                    break
                case .success(.closed(let subscription, let reason)):
                    self.update { $0.notices += 1 }
                    throw RelayError.subscriptionClosed(subscription, reason)
                case .success(.notice(let text)):
                    self.update { $0.notices += 1 }
                    self.logger.notice("NOTICE from relay: \(RelayError.quoted(text))")
                case .success(.other):
                    break
                }
                if !catchingUp, monotonicNow() - lastMark >= 5 {
                    // While live, the cursor follows the clock (less a minute for events still
                    // on their way); a restart resumes from it, less the overlap.
                    lastMark = monotonicNow()
                    await queue.append(.caughtUp(to: self.configuration.now() - 60))
                }
            }
        }
    }

    /// `["REQ", sub, {kinds, since, until?, limit?}]`
    func requestText(_ subscription: String, since: Int64, until: Int64?, limit: Int?) -> String {
        var filter = Filter(kinds: configuration.kinds, since: since, until: until, limit: limit)
        filter.search = nil
        var writer = JSONWriter()
        writer.array { a in
            a.string("REQ")
            a.string(subscription)
            a.value(filter.jsonValue)
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Hands what the reader buffered to the pipeline. Up to `batchesInFlight` batches are
    /// in the pipeline at once, within the pool's budget of events (waiting for it leaves
    /// the buffer full, so the socket is not read); a cursor mark waits for every batch
    /// before it, so the cursor never passes an uncommitted event.
    private func submit(from queue: BatchQueue<Inbound>) async {
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            while let items = await queue.take(minimum: configuration.batchSize, window: configuration.batchWindow) {
                var events: [(Event, [UInt8])] = []
                var cursor: Int64?
                for item in items {
                    switch item {
                    case .event(let event, let json): events.append((event, json))
                    case .caughtUp(let time): cursor = max(cursor ?? time, time)
                    }
                }
                if !events.isEmpty {
                    if inFlight >= configuration.batchesInFlight {
                        await group.next()
                        inFlight -= 1
                    }
                    let admitted = await budget.acquire(events.count)
                    group.addTask {
                        self.record(await self.pipeline.submit(events: events, from: .relay(self.url)))
                        self.budget.release(admitted)
                    }
                    inFlight += 1
                }
                if let cursor {
                    while inFlight > 0 {
                        await group.next()
                        inFlight -= 1
                    }
                    update {
                        if $0.status == "catching up" { $0.status = "live" }
                        $0.caughtUpTo = max($0.caughtUpTo ?? cursor, cursor)
                    }
                }
            }
        }
    }

    private func record(_ outcomes: [IngestOutcome]) {
        var new: Int64 = 0, copies: Int64 = 0, refused: Int64 = 0
        for outcome in outcomes {
            switch outcome {
            case .written(let written) where written.isStored: new += 1
            case .written(.duplicate), .written(.olderThanStored), .written(.deleted), .written(.ephemeral), .seen: copies += 1
            case .written, .invalid, .blocked: refused += 1
            }
        }
        update {
            $0.eventsNew += new
            $0.duplicates += copies
            $0.invalid += refused
        }
    }

    /// What the reader passes to the submitter.
    enum Inbound: Sendable {
        case event(Event, [UInt8])
        /// Everything before this point was read; the cursor may move here once the events
        /// before it are committed.
        case caughtUp(to: Int64)
    }
}

/// Why a relay connection ended.
enum RelayError: Error, CustomStringConvertible {
    case closed
    case timedOut(String)
    case subscriptionClosed(String, String)
    case garbage(String)

    var description: String {
        switch self {
        case .closed: return "connection closed"
        case .timedOut(let what): return what
        case .subscriptionClosed(let subscription, let reason): return "relay closed \(Self.quoted(subscription)): \(Self.quoted(reason))"
        case .garbage(let what): return "relay sent garbage: \(what)"
        }
    }

    /// A relay's own words, quoted with control characters escaped and cut to 300
    /// characters: they go to logs and the status page, where a NUL or an escape sequence
    /// must not pass as is.
    static func quoted(_ text: String) -> String { String(text.prefix(300)).debugDescription }
}

/// Ends a session whose relay did not answer in time.
final class Watchdog: Sendable {
    private struct State {
        var deadline: Double?
        var reason: String
    }

    private let state: Mutex<State>

    init(_ seconds: Double, _ reason: String) {
        state = Mutex(State(deadline: monotonicNow() + seconds, reason: reason))
    }

    func arm(_ seconds: Double, _ reason: String) {
        state.withLock { $0 = State(deadline: monotonicNow() + seconds, reason: reason) }
    }

    func disarm() { state.withLock { $0.deadline = nil } }

    /// Throws `RelayError.timedOut` once an armed deadline passes; ends when cancelled.
    func run() async throws {
        while true {
            try await Task.sleep(for: .milliseconds(250))
            let expired: String? = state.withLock { state in
                guard let deadline = state.deadline, monotonicNow() > deadline else { return nil }
                return state.reason
            }
            if let expired { throw RelayError.timedOut(expired) }
        }
    }
}
