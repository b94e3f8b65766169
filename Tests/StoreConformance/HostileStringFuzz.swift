import Corpus
import Nostr
import Store

/// A differential fuzz of a store against `BruteForce`, with strings drawn from hostile
/// alphabets: NUL and other controls, U+2028/2029, combining marks, precomposed and
/// decomposed forms, quotes and backslashes, digits that look like numbers, very long
/// values; addresses that differ only after a NUL or only in normalisation; times at the
/// extremes. Each event arrives spelled another way (escapes, key order, whitespace) and
/// must come back byte for byte as it arrived; every filter must match exactly what the
/// brute force says; every address stays distinct.
public enum HostileStringFuzz {
    /// Strings are made of these pieces.
    static let atoms = [
        "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{301}", "é", "e\u{301}",
        "\"", "\\", "/", ":", " ", "\n", "\t", "0", "1e3", "-0", "007", "0x1F", "a", "b", "post", "😀", "𝔘", "ﷺ",
    ]

    static func hostileString(_ rng: inout SplitMix64) -> String {
        if rng.chance(0.03) { return String(repeating: rng.pick(atoms), count: 200 + rng.below(600)) }
        return (0..<rng.below(6)).map { _ in rng.pick(atoms) }.joined()
    }

    /// Runs `rounds` random filters over `events` random events on a fresh store; throws a
    /// `ConformanceFailure` naming the seed on the first disagreement.
    public static func run(seed: UInt64, scale: Int, make: StoreConformance.MakeStore) async throws {
        var rng = SplitMix64(seed: seed)
        let clock = TestClock()
        let store = try await make(clock)
        do {
            try await exercise(&rng, seed: seed, scale: scale, store: store, now: clock.now)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    private static func exercise(_ rng: inout SplitMix64, seed: UInt64, scale: Int, store: any EventStore, now: Int64) async throws {
        let authors = (0..<3).map { Author("hostile-\($0)") }
        // A pool of values, reused so that filters find them; pairs that differ only after a
        // NUL or only in normalisation are always in it.
        var values = ["post", "post\u{0}one", "post\u{0}two", "é", "e\u{301}", "", "\u{0}"]
        values += (0..<40).map { _ in hostileString(&rng) }
        let times: [Int64] = [0, 1, 2, now - 1, now, now + 900, now + 901, Int64(Int32.max) * 4]
        func time() -> Int64 { rng.chance(0.3) ? rng.pick(times) : now - 1_000 + Int64(rng.below(1_000)) }

        var accepted: [Event] = []
        var spelled: [EventID: [UInt8]] = [:]
        var pending: [ValidatedEvent] = []
        for _ in 0..<(300 * scale) {
            let kind = rng.pick([1, 1, 7, 30023, 30023, 30000, 10002])
            var tags: [[String]] = []
            if kind >= 30000 { tags.append(["d", rng.pick(values)]) }
            for _ in 0..<rng.below(4) { tags.append([rng.pick(["t", "x", "T", "e", "d"]), rng.pick(values)] + (rng.chance(0.2) ? [hostileString(&rng)] : [])) }
            let event = rng.pick(authors).event(kind, at: time(), tags: tags, hostileString(&rng))
            let json = respell(event, &rng)
            let parsed: Event
            do { parsed = try EventParser.parse(json) } catch {
                throw ConformanceFailure("seed \(seed): a respelled event does not parse (\(error)): \(String(decoding: json, as: UTF8.self).debugDescription)")
            }
            try check(parsed.validate() == nil && parsed.id == event.id, "seed \(seed): respelled event changed: \(String(decoding: json, as: UTF8.self).debugDescription)")
            // Lone surrogates cannot be a string's content: such JSON must be refused.
            if rng.chance(0.05) {
                let broken = Array(String(decoding: json, as: UTF8.self).replacingOccurrences(of: "\"content\"", with: "\"x\":\"\\ud800\",\"content\"").utf8)
                if broken != json, (try? EventParser.parse(broken)) != nil {
                    throw ConformanceFailure("seed \(seed): a lone surrogate escape parsed")
                }
            }
            pending.append(ValidatedEvent(event: parsed, json: json))
            // The same event may come up twice (same author, time and text): the first
            // spelling is the one stored.
            if spelled[event.id] == nil { spelled[event.id] = json }
            if event.createdAt <= now + 900 { accepted.append(event) }
            if pending.count >= 1 + rng.below(60) {
                let outcomes = try await store.write(pending)
                for (item, outcome) in zip(pending, outcomes) where item.event.createdAt > now + 900 {
                    guard case .rejected = outcome else { throw ConformanceFailure("seed \(seed): a far-future event was \(outcome)") }
                }
                pending.removeAll()
            }
        }
        if !pending.isEmpty { _ = try await store.write(pending) }

        let kept = BruteForce.kept(accepted)
        let stored = try await store.query([Filter(ids: Set(kept.map(\.id)))])
        try checkEqual(Set(stored.map(\.id)), Set(kept.map(\.id)), "seed \(seed): the events kept")
        for event in stored where event.json != spelled[event.id] {
            throw ConformanceFailure("seed \(seed): \(event.id.hex) not served byte for byte: \(String(decoding: event.json, as: UTF8.self).debugDescription)")
        }
        let addresses = Set(kept.compactMap(\.address))
        try checkEqual(try await store.count([Filter(kinds: [30000, 30023, 10002])]), addresses.count, "seed \(seed): one event per address")

        for round in 0..<(300 * scale) {
            var filter = Filter()
            if rng.chance(0.3) { filter.authors = [rng.pick(authors).pubkey] }
            if rng.chance(0.4) { filter.kinds = Set((0..<(1 + rng.below(2))).map { _ in rng.pick([1, 7, 30023, 30000, 10002]) }) }
            for _ in 0..<(1 + rng.below(2)) {
                let name = rng.pick(["t", "x", "T", "e", "d"])
                filter.tags[name] = Set((0..<(1 + rng.below(3))).map { _ in TagValue(rng.chance(0.9) ? rng.pick(values) : hostileString(&rng)) })
            }
            if rng.chance(0.3) { filter.since = rng.pick(times + [Int64.max]) }
            if rng.chance(0.3) { filter.until = rng.pick(times + [Int64.max]) }
            if rng.chance(0.5) { filter.limit = rng.below(20) }
            let got = try await store.query([filter]).map(\.id)
            let want = BruteForce.expected([filter], over: kept)
            try checkEqual(got, want, "seed \(seed), round \(round): \(String(filter.jsonValue.jsonText.debugDescription.prefix(600)))")
        }
    }

    /// The event's JSON as another client might write it: keys in another order, spaces,
    /// `\/`, `\uXXXX` escapes (upper or lower case, surrogate pairs) for whatever may be
    /// escaped. The hex of id, pubkey and sig stays plain, as NIP-01 requires.
    static func respell(_ event: Event, _ rng: inout SplitMix64) -> [UInt8] {
        func string(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "/" where rng.chance(0.5): out += "\\/"
                case "\n" where rng.chance(0.5): out += "\\n"
                default:
                    if scalar.value < 0x20 || (scalar.value > 0x7E && rng.chance(0.5)) {
                        out += escape(scalar, upper: rng.chance(0.5))
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
        let space = { (rng: inout SplitMix64) in rng.chance(0.3) ? " " : "" }
        var members = [
            "\"id\":\(space(&rng))\"\(event.id.hex)\"",
            "\"pubkey\":\"\(event.pubkey.hex)\"",
            "\"created_at\":\(event.createdAt)",
            "\"kind\":\(space(&rng))\(event.kind)",
            "\"tags\":[" + event.tags.map { "[" + $0.map(string).joined(separator: ",") + "]" }.joined(separator: ",\(space(&rng))") + "]",
            "\"content\":\(string(event.content))",
            "\"sig\":\"\(event.sig.hex)\"",
        ]
        members.shuffle(using: &rng)
        return Array(("{" + space(&rng) + members.joined(separator: "," + space(&rng)) + space(&rng) + "}").utf8)
    }

    static func escape(_ scalar: Unicode.Scalar, upper: Bool) -> String {
        func unit(_ value: UInt32) -> String {
            let hex = String(value, radix: 16, uppercase: upper)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        guard scalar.value > 0xFFFF else { return unit(scalar.value) }
        let value = scalar.value - 0x10000
        return unit(0xD800 + (value >> 10)) + unit(0xDC00 + (value & 0x3FF))
    }
}
