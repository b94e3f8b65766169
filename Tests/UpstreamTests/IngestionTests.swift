import Corpus
import Foundation
import Ingest
import Nostr
import Store
import Synchronization
import TestRelay
import Testing
@testable import SQLiteStore

/// Ingestion from real relays on loopback: overlap, forgeries, garbage, stalls, restarts
/// and back-pressure.
@Suite(.serialized) struct IngestionTests {
    static let corpus = CorpusGenerator(options: CorpusOptions(users: 40, notes: 500, seed: 12, days: 3)).events()

    /// What Hearth subscribes to by default (no direct messages).
    static func subscribed(_ events: [Event]) -> [Event] { events.filter { UpstreamConfiguration.defaultKinds.contains($0.kind) } }

    @Test func overlappingRelaysStoreEveryEventOnce() async throws {
        let parts = TestRelay.overlapping(Self.corpus, relays: 3)
        #expect(parts.contains { $0.count > 500 }, "a relay must hold more than one page")
        let relays = parts.map { TestRelay(events: $0) }
        for relay in relays { try await relay.start() }
        let upstream = try Upstream.start(relays.map(\.url))
        let expected = try await directlyStored(Self.subscribed(Self.corpus))
        let done = try await eventually {
            try await upstream.storedCount() == expected.count
                && relays.allSatisfy { upstream.pool.client(for: $0.url)?.snapshot.status == "live" }
        }
        #expect(done)
        let stored = try await upstream.storedEvents()
        #expect(Set(stored.map(\.id)) == expected)
        #expect(stored.count == Set(stored.map(\.id)).count)
        // Each copy beyond the first was dropped as a duplicate, not stored twice.
        let states = relays.compactMap { upstream.pool.client(for: $0.url)?.snapshot }
        #expect(states.map(\.eventsReceived).reduce(0, +) >= Int64(parts.map { Self.subscribed($0).count }.reduce(0, +)))
        #expect(states.map(\.eventsNew).reduce(0, +) <= Int64(Self.corpus.count))
        #expect(states.allSatisfy { $0.invalid == 0 })
        // Catch-up paged: more than one REQ per relay holding more than a page.
        for (relay, part) in zip(relays, parts) where part.count > 500 {
            #expect(relay.requests.filter { $0.until != nil }.count >= 2)
        }
        // Derived tables equal a rebuild from the stored events.
        // (The 24-hour score window's cutoff is the clock at the time of writing: left out.)
        let withoutClock = { (rows: [String]) in rows.filter { !$0.hasPrefix("score24h_cutoff|") } }
        let incremental = try await upstream.store.derivedRows()
        _ = try await upstream.store.reindex()
        let rebuilt = try await upstream.store.derivedRows()
        for (table, rows) in incremental { #expect(withoutClock(rows) == withoutClock(rebuilt[table] ?? []), "\(table) differs from a reindex") }
        await upstream.stop()
        for relay in relays { await relay.stop() }
    }

    @Test func catchUpPagesOnPastCopiesToOlderEventsOnlyOneRelayHas() async throws {
        // The newer relay's events came in already; the second relay holds them too, plus
        // older ones: its first pages are all copies, and the catch-up must page on past them.
        let events = Self.subscribed(Self.corpus).sorted { $0.createdAt > $1.createdAt }
        let newer = Array(events.prefix(300))
        let newerRelay = TestRelay(events: newer, cap: 100)
        let fullRelay = TestRelay(events: Array(events.prefix(400)), cap: 100)
        for relay in [newerRelay, fullRelay] { try await relay.start() }
        let upstream = try Upstream.start([newerRelay.url])
        let expectedNewer = try await directlyStored(newer)
        #expect(try await eventually { try await upstream.storedCount() == expectedNewer.count })
        await upstream.pool.apply([newerRelay.url, fullRelay.url])
        let expected = try await directlyStored(Array(events.prefix(400)))
        #expect(await eventually { upstream.pool.client(for: fullRelay.url)?.snapshot.status == "live" })
        #expect(try await upstream.storedCount() == expected.count)
        #expect(fullRelay.requests.filter { $0.until != nil }.count >= 4)
        await upstream.stop()
        for relay in [newerRelay, fullRelay] { await relay.stop() }
    }

    @Test func forgedAndGarbageRelaysStoreNothingInvalid() async throws {
        // The forger also holds events nobody else has, so its forgeries of them arrive
        // before any real copy and must be verified (forgeries of ids already stored are
        // dropped unverified).
        let events = Array(Self.corpus.prefix(450))
        let forger = TestRelay(events: events, behavior: .forge)
        let garbage = TestRelay(events: Array(events.prefix(400)), behavior: .garbage)
        let honest = TestRelay(events: Array(events.prefix(400)))
        for relay in [forger, garbage, honest] { try await relay.start() }
        let upstream = try Upstream.start([forger.url, garbage.url, honest.url])
        let expected = try await directlyStored(Self.subscribed(events))
        #expect(try await eventually { try await upstream.storedCount() == expected.count })
        // Let the forger's copies arrive too, then check nothing forged got in.
        #expect(await eventually { upstream.pool.client(for: forger.url)?.snapshot.status == "live" })
        let stored = try await upstream.storedEvents()
        #expect(Set(stored.map(\.id)) == expected)
        let originals = Dictionary(uniqueKeysWithValues: events.map { ($0.id, $0) })
        for event in stored {
            #expect(event.validate() == nil)
            #expect(event == originals[event.id])
        }
        let forged = try #require(upstream.pool.client(for: forger.url)?.snapshot)
        #expect(forged.invalid > 0)
        let junk = try #require(upstream.pool.client(for: garbage.url)?.snapshot)
        #expect(junk.invalid > 0 && junk.eventsNew == 0)
        await upstream.stop()
        for relay in [forger, garbage, honest] { await relay.stop() }
    }

    @Test func stalledRelayDoesNotHoldUpTheOthers() async throws {
        let events = Array(Self.corpus.prefix(600))
        let stalled = TestRelay(events: events, behavior: .stall)
        let healthy = TestRelay(events: events)
        for relay in [stalled, healthy] { try await relay.start() }
        var patient = Upstream.configuration()
        patient.requestTimeout = 60
        let upstream = try Upstream.start([stalled.url, healthy.url], configuration: patient)
        let expected = try await directlyStored(Self.subscribed(events))
        #expect(try await eventually { try await upstream.storedCount() == expected.count })
        // Everything arrived through the healthy relay while the stalled one still had
        // its first request unanswered.
        let waiting = try #require(upstream.pool.client(for: stalled.url)?.snapshot)
        #expect(waiting.status == "catching up" && waiting.eventsReceived == 0 && waiting.lastError == nil)
        await upstream.stop()

        // With a short timeout the stalled relay is dropped and retried, with the reason.
        let impatient = try Upstream.start([stalled.url])
        #expect(await eventually { impatient.pool.client(for: stalled.url)?.snapshot.lastError?.contains("no answer") == true })
        #expect(await eventually { (impatient.pool.client(for: stalled.url)?.snapshot.reconnects ?? 0) >= 1 })
        await impatient.stop()
        for relay in [stalled, healthy] { await relay.stop() }
    }

    @Test func reconnectsAndCatchesUpFromTheSavedCursor() async throws {
        let author = KeyPair(secretKey: SHA256Digest32.hash(Array("upstream-restart".utf8)))!
        func note(_ text: String) -> Event {
            Event.signed(by: author, createdAt: Int64(Date().timeIntervalSince1970) - 2, kind: 1, tags: [], content: text)
        }
        let relay = TestRelay(events: Array(Self.corpus.prefix(300)))
        let port = try await relay.start()
        let expectedFirst = try await directlyStored(Self.subscribed(Array(Self.corpus.prefix(300))))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-upstream-\(UUID().uuidString)")
        var upstream = try Upstream.start([relay.url], folder: folder)
        #expect(try await eventually { try await upstream.storedCount() == expectedFirst.count })
        #expect(await eventually { upstream.pool.client(for: relay.url)?.snapshot.status == "live" })

        // The relay goes away; what it gets meanwhile is caught up after it comes back.
        await relay.stop()
        let missed = (0..<5).map { note("while the relay was down \($0)") }
        for event in missed { relay.publish(event) }
        #expect(await eventually { upstream.pool.client(for: relay.url)?.snapshot.status == "waiting" })
        try await relay.start(port: port)
        #expect(try await eventually { try await upstream.storedCount() == expectedFirst.count + 5 })
        let reconnects = upstream.pool.client(for: relay.url)?.snapshot.reconnects ?? 0
        #expect(reconnects >= 1)
        // A live event arrives without a reconnect.
        #expect(await eventually { upstream.pool.client(for: relay.url)?.snapshot.status == "live" })
        relay.publish(note("live"))
        #expect(try await eventually { try await upstream.storedCount() == expectedFirst.count + 6 })

        // Hearth restarts: the cursor comes from the database, not from the horizon.
        await upstream.stop(removeFiles: false)
        let saved = try #require(try await {
            let store = try SQLiteStore(SQLiteStore.Configuration(path: folder.appendingPathComponent("hearth.db").path))
            defer { Task { await store.close() } }
            return try await store.relayStates().first { $0.url == relay.url }
        }())
        let cursor = try #require(saved.caughtUpTo)
        #expect(saved.eventsNew == Int64(expectedFirst.count + 6))
        let later = note("while Hearth was down")
        relay.publish(later)
        let requestsBefore = relay.requests.count
        upstream = try Upstream.start([relay.url], folder: folder)
        #expect(try await eventually { try await upstream.storedCount() == expectedFirst.count + 7 })
        let catchUp = try #require(relay.requests.dropFirst(requestsBefore).first { $0.until != nil })
        #expect(catchUp.since == cursor - Upstream.configuration().overlap)
        await upstream.stop()
        await relay.stop()
    }

    @Test func aSlowWriterPausesReadingAndLosesNothing() async throws {
        let events = Array(Self.corpus.prefix(1_200))
        let flood = TestRelay(events: events, cap: 5_000, behavior: .flood(copies: 3))
        try await flood.start()
        var configuration = Upstream.configuration()
        configuration.bufferedEvents = 100
        configuration.pageLimit = 5_000
        let upstream = try Upstream.start([flood.url], configuration: configuration) { SlowStore(base: $0, delay: 0.02) }
        let expected = try await directlyStored(Self.subscribed(events))
        #expect(try await eventually(timeout: 60) { try await upstream.storedCount() == expected.count })
        let client = try #require(upstream.pool.client(for: flood.url))
        // The buffer filled up (the relay was faster than the writer) and never went past
        // its bound: the socket was not read meanwhile.
        #expect(client.bufferHighWater == configuration.bufferedEvents)
        #expect(client.snapshot.duplicates >= Int64(events.count))
        await upstream.stop()
        await flood.stop()
    }

    @Test func relaysTogetherStayWithinTheEventBudget() async throws {
        let events = Self.subscribed(Array(Self.corpus.prefix(1_200)))
        let halves = [Array(events.prefix(events.count / 2)), Array(events.dropFirst(events.count / 2))]
        let relays = halves.map { TestRelay(events: $0, cap: 5_000) }
        for relay in relays { try await relay.start() }
        var configuration = Upstream.configuration()
        configuration.bufferedEvents = 50  // batches of at most two buffers: 100 events
        configuration.batchSize = 10
        configuration.eventsInFlight = 100
        configuration.pageLimit = 5_000
        var slow: SlowStore?
        let upstream = try Upstream.start(relays.map(\.url), configuration: configuration) { base in
            slow = SlowStore(base: base, delay: 0.02)
            return slow!
        }
        let expected = try await directlyStored(events)
        #expect(try await eventually(timeout: 60) { try await upstream.storedCount() == expected.count })
        // Without the budget, each relay had up to four batches of up to 100 events waiting
        // for the writer at once (measured: about 400).
        let peak = try #require(slow).writing.withLock { $0.peak }
        #expect(peak > 0 && peak <= configuration.eventsInFlight)
        await upstream.stop()
        for relay in relays { await relay.stop() }
    }

    @Test func editingTheListConnectsAndDisconnectsOnlyWhatChanged() async throws {
        let a = TestRelay(events: Array(Self.corpus.prefix(50))), b = TestRelay(events: Array(Self.corpus.prefix(50)))
        let c = TestRelay(events: Array(Self.corpus.prefix(50)))
        for relay in [a, b, c] { try await relay.start() }
        let upstream = try Upstream.start([a.url, b.url])
        // Wait until b has caught up (its catch-up pages are sent after the live subscription).
        #expect(await eventually { a.connectionCount == 1 && upstream.pool.client(for: b.url)?.snapshot.status == "live" })
        let bRequests = b.requests.count
        await upstream.pool.apply([b.url, c.url])
        #expect(await eventually { a.connectionCount == 0 && c.connectionCount == 1 })
        #expect(b.connectionCount == 1 && b.requests.count == bRequests, "an unchanged relay keeps its connection")
        #expect(upstream.pool.client(for: a.url) == nil)
        #expect(await eventually { (try? await upstream.store.relayStates())?.first { $0.url == a.url }?.status == "removed" })
        await upstream.stop()
        for relay in [a, b, c] { await relay.stop() }
    }
}

/// A store whose writes take `delay` seconds longer: a writer that cannot keep up.
final class SlowStore: EventStore {
    let base: SQLiteStore
    let delay: Double
    /// Events inside `write` at once: now, and the most ever.
    let writing = Mutex<(now: Int, peak: Int)>((0, 0))

    init(base: SQLiteStore, delay: Double) {
        self.base = base
        self.delay = delay
    }

    func write(_ events: [ValidatedEvent]) async throws -> [WriteOutcome] {
        writing.withLock { $0 = ($0.now + events.count, max($0.peak, $0.now + events.count)) }
        defer { writing.withLock { $0.now -= events.count } }
        try await Task.sleep(for: .seconds(delay))
        return try await base.write(events)
    }

    func query(_ filters: [Filter]) async throws -> [StoredEvent] { try await base.query(filters) }
    func count(_ filters: [Filter]) async throws -> Int { try await base.count(filters) }
    func events(ids: [EventID]) async throws -> [StoredEvent] { try await base.events(ids: ids) }
    func storedIDs(_ ids: [EventID]) async throws -> Set<EventID> { try await base.storedIDs(ids) }
    func scan(_ filter: Filter, after cursor: ScanCursor, limit: Int) async throws -> ([StoredEvent], ScanCursor) {
        try await base.scan(filter, after: cursor, limit: limit)
    }
    func committedEvents() -> AsyncStream<[CommittedEvent]> { base.committedEvents() }
    func observeCommits(_ observer: @escaping @Sendable ([CommittedEvent]) -> Void) { base.observeCommits(observer) }
    func statistics() async throws -> StoreStatistics { try await base.statistics() }
    func status() async throws -> StoreStatus { try await base.status() }
    func close() async { await base.close() }
}
