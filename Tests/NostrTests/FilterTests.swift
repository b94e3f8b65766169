import Foundation
import Testing
@testable import Nostr
import Corpus

@Suite struct FilterTests {
    @Test func parsesEveryField() throws {
        let id = String(repeating: "a", count: 64), pk = String(repeating: "b", count: 64)
        let filter = try Filter(jsonText: """
            {"ids":["\(id)"],"authors":["\(pk)"],"kinds":[1,7],"#e":["x","y"],"#P":["z"],
             "since":10,"until":20,"limit":5,"search":"coffee"}
            """)
        #expect(filter.ids == [Bytes32(hex: id)!])
        #expect(filter.authors == [Bytes32(hex: pk)!])
        #expect(filter.kinds == [1, 7])
        #expect(filter.tags == ["e": ["x", "y"], "P": ["z"]])
        #expect(filter.since == 10 && filter.until == 20 && filter.limit == 5 && filter.search == "coffee")
        #expect(try Filter(json: filter.jsonValue) == filter)
    }

    @Test(arguments: [
        (#"[]"#, "a filter must be a JSON object"),
        (#"{"ids":"x"}"#, "ids must be an array of 64-character lowercase hex strings"),
        (#"{"ids":["ABC"]}"#, "ids must be an array of 64-character lowercase hex strings"),
        (#"{"authors":[1]}"#, "authors must be an array of 64-character lowercase hex strings"),
        (#"{"kinds":[1.5]}"#, "kinds must be integers from 0 to 65535"),
        (#"{"kinds":[-1]}"#, "kinds must be integers from 0 to 65535"),
        (#"{"kinds":1}"#, "kinds must be an array of integers"),
        (#"{"since":"1"}"#, "since must be a non-negative integer timestamp"),
        (#"{"until":-1}"#, "until must be a non-negative integer timestamp"),
        (#"{"limit":-1}"#, "limit must be a non-negative integer"),
        (#"{"search":1}"#, "search must be a string"),
        (##"{"#ee":["x"]}"##, "tag filters must name a single letter a-z or A-Z: #ee"),
        (##"{"#e":[1]}"##, "#e must be an array of strings"),
        (#"{"author":[]}"#, "unknown filter key: author"),
    ])
    func refusesWithAClearReason(json: String, reason: String) {
        #expect(throws: JSONError(reason)) { try Filter(jsonText: json) }
    }

    /// Swift's String equality is canonical equivalence; NIP-01 compares bytes.
    @Test func tagValuesAndAddressesCompareByBytes() throws {
        let keys = KeyPair(secretKey: SHA256Digest32.hash(Array("bytes".utf8)))!
        let precomposed = Event.signed(by: keys, createdAt: 1, kind: 30023, tags: [["d", "caf\u{E9}"]], content: "")
        let decomposed = Event.signed(by: keys, createdAt: 1, kind: 30023, tags: [["d", "cafe\u{301}"]], content: "")
        #expect(try Filter(jsonText: ##"{"#d":["caf\u00e9"]}"##).matches(precomposed))
        #expect(try !Filter(jsonText: ##"{"#d":["caf\u00e9"]}"##).matches(decomposed))
        #expect(try Filter(jsonText: ##"{"#d":["caf\u00e9","cafe\u0301"]}"##).tags["d"]?.count == 2, "both values kept")
        #expect(precomposed.address != decomposed.address, "two addresses")
        #expect(Set([precomposed.address, decomposed.address]).count == 2)
        // A colon followed by a combining mark still separates the parts of an address.
        let address = EventAddress("30023:\(keys.publicKey.hex):\u{301}x")
        #expect(address?.identifier == "\u{301}x" && address?.pubkey == keys.publicKey)
    }

    @Test func emptyListsMatchNothing() throws {
        let event = Event.signed(by: KeyPair.random(), createdAt: 5, kind: 1, content: "x")
        for json in [#"{"ids":[]}"#, #"{"authors":[]}"#, #"{"kinds":[]}"#, ##"{"#e":[]}"##] {
            let filter = try Filter(jsonText: json)
            #expect(!filter.matches(event))
            #expect(filter.isEmptyByConstruction)
        }
        #expect(try Filter(jsonText: "{}").matches(event))
    }

    @Test func sinceAndUntilAreInclusive() throws {
        let event = Event.signed(by: KeyPair.random(), createdAt: 100, kind: 1, content: "x")
        #expect(try Filter(jsonText: #"{"since":100,"until":100}"#).matches(event))
        #expect(!(try Filter(jsonText: #"{"since":101}"#).matches(event)))
        #expect(!(try Filter(jsonText: #"{"until":99}"#).matches(event)))
    }

    /// `matches` against a reading of NIP-01 written from the text, over raw JSON.
    @Test func matchesAgreeWithBruteForceReading() throws {
        var rng = SplitMix64(seed: 3)
        let keys = (0..<3).map { KeyPair(secretKey: SHA256Digest32.hash(Array("filter-\($0)".utf8)))! }
        let values = ["v1", "v2", "v3", String(repeating: "c", count: 64)]
        let names = ["e", "p", "t", "d", "E"]
        let events: [Event] = (0..<200).map { _ in
            let tags = (0..<rng.below(4)).map { _ in [rng.pick(names), rng.pick(values)] + (rng.chance(0.3) ? ["extra"] : []) }
                + (rng.chance(0.1) ? [["e"]] : [])
            return Event.signed(by: rng.pick(keys), createdAt: Int64(rng.below(10)), kind: rng.pick([0, 1, 3, 7, 30023]),
                                tags: tags, content: "c")
        }
        var compared = 0, matched = 0
        for _ in 0..<300 {
            var object: [String: Any] = [:]
            if rng.chance(0.2) { object["ids"] = (0..<rng.below(3)).map { _ in rng.pick(events).id.hex } }
            if rng.chance(0.4) { object["authors"] = (0..<rng.below(3)).map { _ in rng.pick(keys).publicKey.hex } }
            if rng.chance(0.5) { object["kinds"] = (0..<rng.below(3)).map { _ in rng.pick([0, 1, 3, 7, 30023]) } }
            for name in names where rng.chance(0.25) { object["#" + name] = (0..<rng.below(3)).map { _ in rng.pick(values) } }
            if rng.chance(0.4) { object["since"] = rng.below(10) }
            if rng.chance(0.4) { object["until"] = rng.below(10) }
            let filter = try Filter(json: JSONValue.parse(Array(JSONSerialization.data(withJSONObject: object))))
            for event in events {
                let raw = try JSONSerialization.jsonObject(with: Data(event.json)) as! [String: Any]
                let expected = Self.nip01Matches(filter: object, event: raw)
                #expect(filter.matches(event) == expected, "\(object) vs \(event.jsonString)")
                compared += 1
                if expected { matched += 1 }
            }
        }
        #expect(compared == 60_000)
        #expect(matched > 1_000, "the random filters must match a fair share of events")
    }

    /// NIP-01: every present attribute must match; lists match when any element matches;
    /// `#x` matches when the event has an `x` tag whose first value is in the list;
    /// since ≤ created_at ≤ until.
    static func nip01Matches(filter: [String: Any], event: [String: Any]) -> Bool {
        for (key, condition) in filter {
            switch key {
            case "ids": if !(condition as! [String]).contains(event["id"] as! String) { return false }
            case "authors": if !(condition as! [String]).contains(event["pubkey"] as! String) { return false }
            case "kinds": if !(condition as! [Int]).contains(event["kind"] as! Int) { return false }
            case "since": if (event["created_at"] as! Int) < (condition as! Int) { return false }
            case "until": if (event["created_at"] as! Int) > (condition as! Int) { return false }
            default:
                let name = String(key.dropFirst())
                let wanted = condition as! [String]
                let tags = event["tags"] as! [[String]]
                if !tags.contains(where: { $0.count > 1 && $0[0] == name && wanted.contains($0[1]) }) { return false }
            }
        }
        return true
    }
}
