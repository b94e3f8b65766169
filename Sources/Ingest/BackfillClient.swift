import HummingbirdWSClient
import Logging
import NIOCore
import Nostr
import Store
import Synchronization
import Workers

/// One relay's backfill: a connection of its own, opened while there is work and closed
/// when idle, with at most `requestsInFlight` REQs open and `requestsPerSecond` sent.
///
/// A batch is up to 500 pubkeys (`{"kinds":[0,3,10002],"authors":[…]}`, paged back with
/// `until` while the relay answers full pages) or up to 500 event ids and a few addresses.
/// Each page's events go through the pipeline before the next page is asked for (so memory
/// holds a page per open REQ at most); when a REQ ends (EOSE, CLOSED, or no answer in time)
/// and its events are committed, the batch is recorded as asked at this relay.
final class BackfillClient: Sendable {
    let url: String
    let backfill: Backfill
    let relay: RelayClient
    let configuration: UpstreamConfiguration
    let logger: Logger

    init(relay: RelayClient, backfill: Backfill) {
        url = relay.url
        self.backfill = backfill
        self.relay = relay
        configuration = relay.configuration
        var logger = backfill.logger
        logger[metadataKey: "relay"] = .string(relay.url)
        self.logger = logger
    }

    var settings: BackfillSettings { backfill.settings }

    /// What the reader hands to the worker that talks to the pipeline.
    enum Step: Sendable {
        /// A page ended: its events, and the next page's REQ if the relay answered a full one.
        case page(subscription: String, events: [(Event, [UInt8])], next: String?)
        /// A request ended without its EOSE: `asked` when the relay had its chance (CLOSED,
        /// no answer in time, connection lost), not when Hearth is stopping.
        case ended(BackfillBatch, asked: Bool)
    }

    /// Runs until cancelled.
    func run() async {
        guard let slot = await slot() else { return }
        var backoff = Backoff(initial: configuration.initialBackoff, maximum: configuration.maxBackoff)
        var preferEvents = true
        while !Task.isCancelled {
            // Connect only when there is something to ask.
            guard let first = await nextBatch(slot: slot, preferEvents: &preferEvents, wait: true) else { return }
            let started = monotonicNow()
            do {
                try await session(slot: slot, first: first, preferEvents: preferEvents)
                backoff.reset()
                continue
            } catch is CancellationError {
                return
            } catch {
                logger.info("backfill connection ended: \(error)")
            }
            if monotonicNow() - started >= configuration.healthyAfter { backoff.reset() }
            do { try await Task.sleep(for: .seconds(backoff.next())) } catch { return }
        }
    }

    private func slot() async -> Int? {
        while !Task.isCancelled {
            if let slot = try? await backfill.store.backfillSlot(for: url) { return slot }
            try? await Task.sleep(for: .seconds(1))
        }
        return nil
    }

    /// The next batch, alternating between events and pubkeys; with `wait`, looks again
    /// every 2 s (the writer queues targets as it stores events), or at once when a client
    /// asks for something, until there is one. Nil when cancelled, or nothing waits.
    private func nextBatch(slot: Int, preferEvents: inout Bool, wait: Bool) async -> BackfillBatch? {
        while !Task.isCancelled {
            let generation = backfill.currentGeneration
            for events in [preferEvents, !preferEvents] {
                guard let targets = try? await backfill.take(slot: slot, events: events) else { continue }
                preferEvents = !events
                let batch = BackfillBatch(targets, pageLimit: configuration.pageLimit)
                if !batch.unused.isEmpty { backfill.release(batch.unused) }
                return batch
            }
            guard wait else { return nil }
            let deadline = monotonicNow() + 2
            while monotonicNow() < deadline, backfill.currentGeneration == generation {
                do { try await Task.sleep(for: .milliseconds(50)) } catch { return nil }
            }
        }
        return nil
    }

    // MARK: One connection

    private func session(slot: Int, first: BackfillBatch, preferEvents: Bool) async throws {
        let open = OpenRequests()
        let (steps, worker) = AsyncStream<Step>.makeStream()
        let settings = WebSocketClientConfiguration(maxFrameSize: configuration.maxFrameBytes,
                                                    autoPing: .enabled(timePeriod: .seconds(configuration.pingInterval)))
        let work = Task { for await step in steps { await self.handle(step, open, slot: slot) } }
        open.add(first)
        var failure: (any Error)?
        let connected = Atomic<Bool>(false)
        do {
            try await WebSocketClient.connect(url: url, configuration: settings, logger: logger) { inbound, outbound, _ in
                connected.store(true, ordering: .relaxed)
                self.backfill.relay(self.url, working: true)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.send(open, outbound, slot: slot, preferEvents: preferEvents) }
                    group.addTask { try await self.read(inbound, open, worker) }
                    group.addTask { try await self.watch(open, worker) }
                    // The sender ends the session when idle; anything else ending ends it too.
                    defer { group.cancelAll() }
                    _ = try await group.next()
                }
            }
        } catch {
            failure = error
            if !connected.load(ordering: .relaxed) && !Task.isCancelled { backfill.relay(url, working: false) }
        }
        // Whatever was asked and not answered counts as asked here, so that other relays take
        // it; what was never sent, or is cut short by a shutdown, goes back to the queue.
        let stopping = Task.isCancelled
        for (batch, sent) in open.removeAll() { worker.yield(.ended(batch, asked: sent && !stopping)) }
        worker.finish()
        await work.value
        if let failure { throw failure }
    }

    /// Sends REQs: page continuations first, then new batches while fewer than
    /// `requestsInFlight` are open; one every 1/`requestsPerSecond` seconds at most. Returns
    /// once idle for `idleClose` seconds.
    private func send(_ open: OpenRequests, _ outbound: WebSocketOutboundWriter, slot: Int, preferEvents: Bool) async throws {
        var preferEvents = preferEvents
        var idleSince = monotonicNow()
        var nextSend = 0.0
        while true {
            try Task.checkCancellation()
            guard let (subscription, text) = open.takePage() ?? open.takeUnsent() else {
                if open.count < settings.requestsInFlight, let batch = await nextBatch(slot: slot, preferEvents: &preferEvents, wait: false) {
                    open.add(batch)
                    continue
                }
                if open.count == 0, monotonicNow() - idleSince > settings.idleClose { return }
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            let wait = nextSend - monotonicNow()
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            nextSend = max(nextSend, monotonicNow()) + 1 / settings.requestsPerSecond
            open.sent(subscription, deadline: monotonicNow() + configuration.requestTimeout)
            try await outbound.write(.text(text))
            relay.recordBackfill(requests: 1)
            idleSince = monotonicNow()
        }
    }

    /// Reads the relay's answers into the open requests.
    private func read(_ inbound: WebSocketInboundStream, _ open: OpenRequests, _ worker: AsyncStream<Step>.Continuation) async throws {
        for try await message in inbound.messages(maxSize: configuration.maxFrameBytes) {
            guard case .text(var text) = message else { continue }
            let parsed = text.withUTF8 { bytes in
                Result { try UpstreamFrame.parse(UnsafeRawBufferPointer(bytes), isKnown: backfill.pipeline.recentlySeen) }
            }
            switch parsed {
            case .success(.event(let subscription, let event, let json)):
                relay.recordBackfill(events: 1)
                open.received(subscription, event: (event, json))
            case .success(.copy(let subscription, let createdAt)):
                relay.recordBackfill(events: 1)
                open.received(subscription, copyAt: createdAt)
            case .success(.eose(let subscription)):
                if let step = open.pageEnded(subscription, maxPages: settings.maxPages) { worker.yield(step) }
            case .success(.closed(let subscription, _)):
                if let batch = open.remove(subscription) { worker.yield(.ended(batch, asked: true)) }
            case .success(.invalidEvent), .success(.notice), .success(.other), .failure:
                continue
            }
        }
        throw RelayError.closed
    }

    /// Ends requests the relay does not answer in time, and with them the connection: a
    /// stalled relay holds nothing back.
    private func watch(_ open: OpenRequests, _ worker: AsyncStream<Step>.Continuation) async throws {
        while true {
            try await Task.sleep(for: .milliseconds(250))
            let expired = open.removeExpired(now: monotonicNow())
            for batch in expired { worker.yield(.ended(batch, asked: true)) }
            if !expired.isEmpty { throw RelayError.timedOut("no answer to a backfill request within \(Int(configuration.requestTimeout)) s") }
        }
    }

    /// Hands a page's events to the pipeline and waits for the commit; then asks for the
    /// next page, or records the batch as asked here.
    private func handle(_ step: Step, _ open: OpenRequests, slot: Int) async {
        switch step {
        case .page(let subscription, let events, let next):
            await submit(events)
            if let next {
                open.queuePage(subscription, next)
            } else if let batch = open.remove(subscription) {
                await backfill.finish(batch.targets, slot: slot)
            }
        case .ended(let batch, let asked):
            await submit(batch.events)
            if asked { await backfill.finish(batch.targets, slot: slot) } else { backfill.release(batch.targets) }
        }
    }

    /// In chunks, one at a time: the writer commits in arrival order, so a live event waits
    /// behind one chunk per relay at most, not behind a whole page of contact lists.
    private func submit(_ events: [(Event, [UInt8])]) async {
        for start in stride(from: 0, to: events.count, by: settings.submitChunk) {
            let chunk = Array(events[start..<min(start + settings.submitChunk, events.count)])
            let admitted = await backfill.budget.acquire(chunk.count)
            _ = await backfill.pipeline.submit(events: chunk, from: .relay(url))
            backfill.budget.release(admitted)
        }
    }
}

/// The REQs of one backfill connection, by subscription id: waiting to be sent, open, or
/// with a page being committed.
final class OpenRequests: Sendable {
    private struct Open {
        var batch: BackfillBatch
        var sent = false
        /// When the relay must have answered; infinite until sent and while a page is
        /// being committed.
        var deadline = Double.infinity
        /// The next page's REQ, once the last page is committed.
        var nextPage: String?
    }

    private struct State {
        var requests: [String: Open] = [:]
        var sequence = 0
    }

    private let state = Mutex(State())

    var count: Int { state.withLock { $0.requests.count } }

    /// A new batch, to be sent.
    func add(_ batch: BackfillBatch) {
        state.withLock { state in
            state.sequence += 1
            state.requests["hearth-backfill-\(state.sequence)"] = Open(batch: batch)
        }
    }

    /// A batch not sent yet, and its REQ.
    func takeUnsent() -> (String, String)? {
        state.withLock { state -> (String, String)? in
            guard let (subscription, open) = state.requests.first(where: { !$0.value.sent }) else { return nil }
            state.requests[subscription]?.sent = true
            return (subscription, open.batch.request(subscription))
        }
    }

    /// A queued next page, and its REQ.
    func takePage() -> (String, String)? {
        state.withLock { state -> (String, String)? in
            guard let (subscription, open) = state.requests.first(where: { $0.value.nextPage != nil }), let text = open.nextPage else { return nil }
            state.requests[subscription]?.nextPage = nil
            return (subscription, text)
        }
    }

    func sent(_ subscription: String, deadline: Double) { state.withLock { $0.requests[subscription]?.deadline = deadline } }

    func received(_ subscription: String, event: (Event, [UInt8])) {
        state.withLock { $0.requests[subscription]?.batch.received(event) }
    }

    func received(_ subscription: String, copyAt createdAt: Int64?) {
        state.withLock { $0.requests[subscription]?.batch.receivedCopy(createdAt) }
    }

    /// A page ended: its events leave the batch for the pipeline, with the next page's REQ
    /// when the relay answered a full one.
    func pageEnded(_ subscription: String, maxPages: Int) -> BackfillClient.Step? {
        state.withLock { state -> BackfillClient.Step? in
            guard var open = state.requests[subscription], open.sent else { return nil }
            let events = open.batch.takeEvents()
            let next = open.batch.nextPage(subscription, maxPages: maxPages)
            open.deadline = .infinity
            state.requests[subscription] = open
            return .page(subscription: subscription, events: events, next: next)
        }
    }

    func queuePage(_ subscription: String, _ text: String) { state.withLock { $0.requests[subscription]?.nextPage = text } }

    func remove(_ subscription: String) -> BackfillBatch? { state.withLock { $0.requests.removeValue(forKey: subscription)?.batch } }

    func removeExpired(now: Double) -> [BackfillBatch] {
        state.withLock { state in
            let expired = state.requests.filter { $0.value.deadline < now }
            for key in expired.keys { state.requests[key] = nil }
            return expired.values.map(\.batch)
        }
    }

    /// Every request left, and whether it was sent.
    func removeAll() -> [(BackfillBatch, Bool)] {
        state.withLock { state in
            defer { state.requests.removeAll() }
            return state.requests.values.map { ($0.batch, $0.sent) }
        }
    }
}
