import Corpus
import Foundation
import Nostr
import SQLiteStore
import Store
import Testing
@testable import Ingest

@Suite struct IngestPipelineTests {
    struct Fixture {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-ingest-\(UUID().uuidString)")
        func open() throws -> SQLiteStore {
            var configuration = SQLiteStore.Configuration(path: folder.appendingPathComponent("h.db").path)
            configuration.readers = 2
            return try SQLiteStore(configuration)
        }
        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    /// An import of valid events mixed with garbage, forged signatures, wrong ids and
    /// duplicates gives exact counts, and the valid events are all stored.
    @Test func mixedImportGivesExactCounts() async throws {
        let events = CorpusGenerator(options: CorpusOptions(users: 40, notes: 200, seed: 21)).events()
        let regular = events.filter { $0.kindClass == .regular && $0.kind != 5 }
        var lines: [[UInt8]] = regular.map(\.json)
        let garbage: [String] = ["", "not json", "{", "[1,2,3]", "{\"id\":1}", "null", String(repeating: "[", count: 10_000),
                                 "{\"id\":\"zz\",\"pubkey\":1}"]
        lines += garbage.map { Array($0.utf8) }
        // New ids (a repeat of a stored id is dropped as a duplicate before any check).
        let keys = KeyPair.random()
        var forged = Event.signed(by: keys, createdAt: 1, kind: 1, content: "forged")
        forged.sig = regular[1].sig
        var wrongID = Event.signed(by: keys, createdAt: 1, kind: 1, content: "altered")
        wrongID.content += "!"
        lines.append(forged.json)
        lines.append(wrongID.json)
        lines += regular.prefix(25).map(\.json)  // duplicates of earlier lines

        let fixture = Fixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let pipeline = IngestPipeline(store: store, verifierThreads: 2)
        var summary = ImportSummary()
        for start in stride(from: 0, to: lines.count, by: 97) {
            summary.add(await pipeline.submit(json: Array(lines[start..<min(start + 97, lines.count)]), from: .importFile))
        }
        #expect(summary.lines == lines.count)
        #expect(summary.count("stored") == regular.count)
        #expect(summary.count("invalid") == garbage.count + 2)
        #expect(summary.count("duplicate") == 25)
        #expect(summary.invalidReasons[ValidationError.badSignature.description] == 1)
        #expect(summary.invalidReasons[ValidationError.idMismatch.description] == 1)
        #expect(try await store.count([Filter()]) == regular.count)
        pipeline.shutdown()
        await store.close()
    }

    /// A repeat is dropped before verification: the second pass verifies nothing.
    @Test func duplicatesSkipVerification() async throws {
        let events = CorpusGenerator(options: CorpusOptions(users: 20, notes: 50, seed: 3)).events()
        let fixture = Fixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let pipeline = IngestPipeline(store: store, verifierThreads: 1)
        let first = await pipeline.submit(json: events.map(\.json), from: .relay("wss://a"))
        #expect(first.allSatisfy { if case .written = $0 { return true } else { return false } })
        // A fresh pipeline (empty memory) still finds them through the store's id index.
        let fresh = IngestPipeline(store: store, verifierThreads: 1)
        let second = await fresh.submit(json: events.map(\.json), from: .relay("wss://b"))
        let stored = try await store.storedIDs(events.map(\.id))
        for (event, after) in zip(events, second) where stored.contains(event.id) {
            #expect(after == .seen)
        }
        #expect(second.filter { $0 == .seen }.count > events.count * 9 / 10)
        // Forged copies of stored ids are dropped too: they cost nothing and change nothing.
        var forged = events[0]
        forged.content = "forged"
        #expect(await fresh.submit(json: [forged.json], from: .client) == [.seen])
        pipeline.shutdown()
        fresh.shutdown()
        await store.close()
    }

    /// Forged copies that claim a real event's id (another signature, or tampered content
    /// under the real signature) arriving first, in the same batch or concurrently, never
    /// shadow the real event.
    @Test func forgedCopiesNeverShadowTheRealEvent() async throws {
        let events = CorpusGenerator(options: CorpusOptions(users: 10, notes: 40, seed: 5)).events()
            .filter { $0.kindClass == .regular && $0.kind != 5 }
        func forgeries(of event: Event) -> [[UInt8]] {
            var badSignature = event
            badSignature.sig = Signature(r: event.sig.s, s: event.sig.r)
            var tampered = event
            tampered.content += " (tampered)"
            return [badSignature.json, tampered.json]
        }
        let fixture = Fixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let pipeline = IngestPipeline(store: store, verifierThreads: 2)
        let half = events.count / 2
        // Same batch: forgeries first, then the real event.
        let batch = events[..<half].flatMap { forgeries(of: $0) + [$0.json] }
        let outcomes = await pipeline.submit(json: batch, from: .relay("wss://forger"))
        #expect(outcomes.filter { $0 == .written(.stored) }.count == half)
        // Concurrently: one caller sends only forgeries, another the real events.
        async let forged = pipeline.submit(json: events[half...].flatMap { forgeries(of: $0) }, from: .relay("wss://forger"))
        async let real = pipeline.submit(json: events[half...].map(\.json), from: .relay("wss://honest"))
        let (forgedOutcomes, realOutcomes) = await (forged, real)
        #expect(forgedOutcomes.allSatisfy { if case .invalid = $0 { return true } else { return $0 == .seen } })
        #expect(realOutcomes.allSatisfy { $0 == .written(.stored) })
        let stored = try await store.query([Filter()])
        #expect(Set(stored.map(\.id)) == Set(events.map(\.id)))
        #expect(try stored.allSatisfy { try EventParser.parse($0.json).validate() == nil })
        pipeline.shutdown()
        await store.close()
    }

    @Test func policyRefusesBeforeVerifying() async throws {
        let keys = KeyPair.random()
        let blocked = KeyPair.random()
        var policy = IngestPolicy()
        policy.allowedKinds = [1]
        policy.blockedPubkeys = [blocked.publicKey]
        policy.blockedWords = ["spam"]
        policy.maxEventBytes = 2_000
        let now = Int64(Date().timeIntervalSince1970)
        let fixture = Fixture()
        defer { fixture.remove() }
        let store = try fixture.open()
        let pipeline = IngestPipeline(store: store, policy: policy, verifierThreads: 1)
        let events = [
            Event.signed(by: keys, createdAt: now, kind: 1, content: "fine"),
            Event.signed(by: keys, createdAt: now, kind: 7, content: "+"),
            Event.signed(by: blocked, createdAt: now, kind: 1, content: "hello"),
            Event.signed(by: keys, createdAt: now, kind: 1, content: "Buy SPAM now"),
            Event.signed(by: keys, createdAt: now, kind: 1, content: String(repeating: "x", count: 3_000)),
            Event.signed(by: keys, createdAt: now + 3_600, kind: 1, content: "from the future"),
        ]
        let outcomes = await pipeline.submit(json: events.map(\.json), from: .client)
        #expect(outcomes[0] == .written(.stored))
        #expect(outcomes[1] == .blocked("kind 7 is not accepted here"))
        #expect(outcomes[2] == .blocked("pubkey is blocked"))
        #expect(outcomes[3] == .blocked("content is blocked"))
        #expect(outcomes[4] == .blocked("event is larger than 2000 bytes"))
        #expect(outcomes[5] == .blocked("created_at is more than 15 minutes in the future"))
        pipeline.shutdown()
        await store.close()
    }

    @Test func seenIDsStayBounded() {
        let seen = SeenIDs(capacity: 100)
        let ids = (0..<1_000).map { SHA256Digest32.hash(Array("id\($0)".utf8)) }
        seen.insert(ids)
        #expect(seen.contains(ids.last!))
        #expect(!seen.contains(ids.first!))
        #expect(ids.filter(seen.contains).count <= 100)
    }
}
