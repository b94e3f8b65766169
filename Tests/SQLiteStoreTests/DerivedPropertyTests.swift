import Corpus
import Foundation
import Nostr
import Store
import StoreConformance
import Testing
@testable import SQLiteStore

/// The core property of derived data: whatever the arrival order and batching, the derived
/// tables equal a rebuild from the stored events, and equal counts computed here from the
/// raw events by a reference written from the rules, not from the implementation. A bulk
/// load (`hearth import`: many batches per commit) ends in the same tables.
@Suite struct DerivedPropertyTests {
    static let seeds: [UInt64] = [1, 2, 3, 5, 8]

    @Test(arguments: seeds)
    func orderDoesNotMatter(seed: UInt64) async throws {
        let options = CorpusOptions(users: 40, notes: 260, seed: seed, endTime: 1_767_225_600, days: 3)
        let events = CorpusGenerator(options: options).events()
        let clock = TestClock(options.endTime + 3_600)
        var rng = SplitMix64(seed: seed &* 7919)

        var dumps: [[String: [String]]] = []
        var reference: Reference?
        for round in 0..<4 {
            var order = events
            if round == 1 || round == 2 { order.shuffle(using: &rng) }
            let database = TemporaryDatabase()
            defer { database.remove() }
            var configuration = database.configuration(clock: clock)
            if round == 3 { configuration.bulkCommitEvents = 250 }
            var store = try SQLiteStore(configuration)
            var start = 0
            while start < order.count {
                let size = 1 + rng.below(round == 0 ? 400 : 90)
                _ = try await store.write(order[start..<min(start + size, order.count)].map { ValidatedEvent(event: $0) })
                start += size
            }
            if round == 3 {
                // Committed by `finishBulkLoad`, and still there when the file is opened again.
                try await store.finishBulkLoad()
                await store.close()
                store = try database.open(clock: clock)
            }
            try await store.advanceScoreWindow()
            let incremental = try await dump(store)
            dumps.append(incremental)
            if round == 0 {
                _ = try await store.reindex()
                let rebuilt = try await dump(store)
                for (table, rows) in incremental {
                    let difference = Self.difference(rows, rebuilt[table] ?? [])
                    #expect(difference == nil, "seed \(seed): \(table) after reindex: \(difference ?? "")")
                }
                let stored = try await allEvents(store)
                reference = Reference(stored, now: clock.now)
                try await compare(store, with: reference!, seed: seed)
            }
            await store.close()
        }
        for (round, dump) in dumps.enumerated().dropFirst() {
            for (table, rows) in dumps[0] {
                let difference = Self.difference(rows, dump[table] ?? [])
                #expect(difference == nil, "seed \(seed): \(table) in arrival order \(round): \(difference ?? "")")
            }
        }
    }

    /// Nil when equal, else the sizes and the first rows that differ.
    static func difference(_ a: [String], _ b: [String]) -> String? {
        guard a != b else { return nil }
        let onlyA = Set(a).subtracting(b), onlyB = Set(b).subtracting(a)
        return "\(a.count) vs \(b.count) rows; only first: \(onlyA.sorted().prefix(2)); only second: \(onlyB.sorted().prefix(2))"
    }

    func allEvents(_ store: SQLiteStore) async throws -> [Event] {
        try await store.scanAll(Filter()).map { try $0.parsed() }
    }

    func dump(_ store: SQLiteStore) async throws -> [String: [String]] { try await store.derivedRows() }

    func compare(_ store: SQLiteStore, with reference: Reference, seed: UInt64) async throws {
        let pubkeys = Array(Set(reference.users.keys))
        let users = try await store.userStats(pubkeys)
        for (key, expected) in reference.users {
            let got = users[key] ?? UserStats(pubkey: key)
            #expect(got == expected, "seed \(seed): user \(key.hex.prefix(8))")
        }
        #expect(Set(users.keys).isSubset(of: Set(reference.users.keys)), "seed \(seed): no extra user rows")
        let targets = Array(reference.events.keys)
        let stats = try await store.eventStats(targets)
        for (target, expected) in reference.events {
            #expect(stats[target] ?? EventStats() == expected, "seed \(seed): stats of \(target)")
        }
        #expect(try await store.networkStats() == reference.network, "seed \(seed): network")
        #expect(reference.events.values.contains { $0.likes > 0 } && reference.events.values.contains { $0.zaps > 0 })
        #expect(reference.events.values.contains { $0.score24h > 0 }, "the corpus must exercise score24h")
    }
}
