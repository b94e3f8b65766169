import Corpus
import Nostr
import Store
import StoreConformance
import Testing
@testable import SQLiteStore

/// Random events and random filters: the store's answer must equal `Filter.matches` over
/// the same events, limited and ordered the NIP-01 way.
@Suite struct DifferentialTests {
    /// With derived data on and off: contact lists' `p` tags are indexed by `follows` either way.
    @Test(arguments: [true, false]) func storeAgreesWithBruteForce(derivedData: Bool) async throws {
        var rng = SplitMix64(seed: 2024)
        let keys = (0..<6).map { KeyPair(secretKey: SHA256Digest32.hash(Array("diff-\($0)".utf8)))! }
        let eventIDs = (0..<40).map { SHA256Digest32.hash(Array("target-\($0)".utf8)).hex }
        let words = ["alpha", "beta", "gamma", "delta"]
        let kinds = [1, 4, 7, 1111, 9735, 42]
        // `p` values that are not lowercase hex pubkeys stay in `tags`, also on contact lists.
        let oddValues = ["not-a-key", keys[0].publicKey.hex.uppercased()]
        var events: [Event] = []
        for _ in 0..<3_000 {
            var tags: [[String]] = []
            for _ in 0..<rng.below(4) {
                switch rng.below(5) {
                case 0: tags.append(["e", rng.pick(eventIDs)])
                case 1: tags.append(["p", rng.pick(keys).publicKey.hex])
                case 2: tags.append(["t", rng.pick(words)])
                case 3: tags.append(["E", rng.pick(eventIDs), "wss://x"])
                default: tags.append(["client", "x"])
                }
            }
            events.append(Event.signed(by: rng.pick(keys), createdAt: 1_700_000_000 + Int64(rng.below(400)),
                                       kind: rng.pick(kinds), tags: tags, content: rng.pick(words)))
        }
        // Contact lists, several versions per author: only the newest stays stored.
        var contactLists: [Event] = []
        for key in keys {
            for _ in 0..<(1 + rng.below(4)) {
                var tags = (0..<rng.below(6)).map { _ in ["p", rng.pick(keys).publicKey.hex] }
                if rng.chance(0.3) { tags.append(["p", rng.pick(oddValues)]) }
                if rng.chance(0.3) { tags.append(["t", rng.pick(words)]) }
                contactLists.append(Event.signed(by: key, createdAt: 1_700_000_000 + Int64(rng.below(400)), kind: 3,
                                                 tags: tags.shuffled(using: &rng), content: ""))
            }
        }
        let database = TemporaryDatabase()
        defer { database.remove() }
        var configuration = database.configuration()
        configuration.derivedData = derivedData
        let store = try SQLiteStore(configuration)
        for start in stride(from: 0, to: events.count, by: 700) {
            _ = try await store.write(events[start..<min(start + 700, events.count)].map { ValidatedEvent(event: $0) })
        }
        // Oldest first, so that each version replaces the one before and keeps some follows.
        for list in contactLists.sorted(by: { $0.createdAt < $1.createdAt }) {
            _ = try await store.write([ValidatedEvent(event: list)])
        }
        let newestLists = Dictionary(grouping: contactLists, by: \.pubkey).values.map { versions in
            versions.min { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id < $1.id }!
        }
        events += newestLists
        // The random events repeat now and then (same author, time, kind, tags and content
        // sign to the same id); the store keeps one copy, so does the brute force.
        var unique = Set<EventID>()
        events = events.filter { unique.insert($0.id).inserted }
        func randomFilter() -> Filter {
            var filter = Filter()
            if rng.chance(0.1) { filter.ids = Set((0..<rng.below(4)).map { _ in rng.pick(events).id }) }
            if rng.chance(0.4) { filter.authors = Set((0..<(1 + rng.below(3))).map { _ in rng.pick(keys).publicKey }) }
            if rng.chance(0.4) { filter.kinds = Set((0..<(1 + rng.below(3))).map { _ in rng.pick(kinds + [3, 3]) }) }
            if rng.chance(0.3) { filter.tags["e"] = Set((0..<(1 + rng.below(3))).map { _ in TagValue(rng.pick(eventIDs)) }) }
            if rng.chance(0.3) {
                filter.tags["p"] = Set((0..<(1 + rng.below(2))).map { _ in TagValue(rng.chance(0.1) ? rng.pick(oddValues) : rng.pick(keys).publicKey.hex) })
            }
            if rng.chance(0.2) { filter.tags["t"] = Set((0..<(1 + rng.below(2))).map { _ in TagValue(rng.pick(words)) }) }
            if rng.chance(0.05) { filter.tags["E"] = [TagValue(rng.pick(eventIDs))] }
            if rng.chance(0.3) { filter.since = 1_700_000_000 + Int64(rng.below(400)) }
            if rng.chance(0.3) { filter.until = 1_700_000_000 + Int64(rng.below(400)) }
            if rng.chance(0.7) { filter.limit = rng.below(60) }
            return filter
        }
        var nonEmpty = 0
        for round in 0..<600 {
            let filters = (0..<(1 + (rng.chance(0.2) ? rng.below(3) : 0))).map { _ in randomFilter() }
            let got = try await store.query(filters).map(\.id)
            let want = BruteForce.expected(filters, over: events)
            #expect(got == want, "round \(round): \(filters.map(\.jsonValue.jsonText))")
            if !want.isEmpty { nonEmpty += 1 }
            if filters.count == 1 {
                var unlimited = filters[0]
                unlimited.limit = nil
                #expect(try await store.count(filters) == BruteForce.expected([unlimited], over: events).count, "count, round \(round)")
            }
        }
        #expect(nonEmpty > 300, "most random filters must match something")
        await store.close()
    }

    /// Hostile strings, other spellings, extreme times (see `HostileStringFuzz`); `make fuzz`
    /// runs it longer with a random seed.
    @Test func hostileStringsAgreeWithBruteForce() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        try await HostileStringFuzz.run(seed: FuzzSettings.seed, scale: FuzzSettings.scale) { clock in
            try database.open(clock: clock)
        }
    }
}
