import Nostr
import Testing
@testable import RelayAPI

@Suite struct LiveSubscriptionsTests {
    final class Subscriber: Sendable {
        let name: Int
        init(_ name: Int) { self.name = name }
    }

    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 10_000) / 10_000 < p }
    }

    /// The index finds exactly the subscriptions a brute-force pass over all of them finds.
    @Test func indexAgreesWithBruteForce() {
        var rng = Rng(state: 77)
        let keys = (0..<8).map { KeyPair(secretKey: SHA256Digest32.hash(Array("live-\($0)".utf8)))! }
        // Values that Swift's String calls equal but NIP-01 does not: canonical equivalents.
        let values = ["a", "b", "c", String(repeating: "d", count: 64), "é", "e\u{301}", "a\u{0}b"]
        let live = LiveSubscriptions<Subscriber>()
        var all: [(Subscriber, String, [Filter])] = []
        for i in 0..<600 {
            let subscriber = Subscriber(i / 3)
            let filters = (0..<(1 + rng.below(2))).map { _ -> Filter in
                var f = Filter()
                if rng.chance(0.3) { f.authors = [keys[rng.below(keys.count)].publicKey] }
                if rng.chance(0.5) { f.kinds = [[1, 7, 6][rng.below(3)]] }
                if rng.chance(0.4) { f.tags[["e", "p", "t"][rng.below(3)]] = [TagValue(values[rng.below(values.count)])] }
                if rng.chance(0.1) { f.since = Int64(rng.below(100)) }
                return f
            }
            live.add(subscriber, subscription: "s\(i)", filters: filters)
            all.append((subscriber, "s\(i)", filters))
        }
        // Remove a third, and replace some.
        for i in stride(from: 0, to: 600, by: 3) { live.remove(all[i].0, subscription: all[i].1) }
        all = all.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)
        var matched = 0
        for n in 0..<400 {
            let tags = (0..<rng.below(3)).map { _ in [["e", "p", "t"][rng.below(3)], values[rng.below(values.count)]] }
            let event = Event.signed(by: keys[rng.below(keys.count)], createdAt: Int64(rng.below(100)), kind: [1, 7, 6][rng.below(3)],
                                     tags: tags, content: "\(n)")
            let found = Set(live.matches(event).map { "\($0.subscriber.name)/\($0.subscription)" })
            let expected = Set(all.filter { $0.2.contains { $0.matches(event) } }.map { "\($0.0.name)/\($0.1)" })
            #expect(found == expected)
            matched += expected.count
        }
        #expect(matched > 1_000)
        #expect(live.count == 400)
        live.removeAll(of: all[0].0)
        #expect(live.count < 400)
    }
}
