import Foundation
import Testing
@testable import Nostr
import Corpus

@Suite struct EventParserTests {
    static let keys = KeyPair(secretKey: SHA256Digest32.hash(Array("parser-tests".utf8)))!

    static func sample(content: String = "hi", tags: [[String]] = [["e", String(repeating: "a", count: 64)]]) -> Event {
        Event.signed(by: keys, createdAt: 1_700_000_000, kind: 1, tags: tags, content: content)
    }

    /// Replaces `"key":value` in a valid event's JSON.
    static func mutated(_ key: String, _ value: String) -> String {
        let json = sample().jsonString
        let start = json.range(of: "\"\(key)\":")!
        var end = start.upperBound
        var depth = 0
        var inString = false
        while end < json.endIndex {
            let c = json[end]
            if inString { if c == "\\" { end = json.index(after: end) } else if c == "\"" { inString = false } }
            else if c == "\"" { inString = true }
            else if c == "[" || c == "{" { depth += 1 }
            else if c == "]" || c == "}" { if depth == 0 { break }; depth -= 1 }
            else if c == "," && depth == 0 { break }
            end = json.index(after: end)
        }
        return json.replacingCharacters(in: start.upperBound..<end, with: value)
    }

    @Test func acceptsTheWritersOutputAndUnknownKeys() throws {
        let event = Self.sample()
        #expect(try EventParser.parse(event.json) == event)
        let extra = "{\"seen_on\":[\"wss://x\",{\"deep\":[1,2.5e3,null,true]}]," + event.jsonString.dropFirst()
        #expect(try EventParser.parse(extra) == event)
        let spaced = event.jsonString.replacingOccurrences(of: ",", with: " ,\n\t ")
        #expect(try EventParser.parse(spaced) == event)
    }

    @Test func acceptsEscapedSlashesAndUnicodeEscapes() throws {
        let event = Self.sample(content: "https://x.example/a é 😀")
        var json = event.jsonString.replacingOccurrences(of: "/", with: "\\/")
        json = json.replacingOccurrences(of: "é", with: "\\u00e9").replacingOccurrences(of: "😀", with: "\\ud83d\\ude00")
        let parsed = try EventParser.parse(json)
        #expect(parsed == event)
        #expect(parsed.validate() == nil)
    }

    @Test(arguments: [
        ("", "expected an event object"),
        ("[]", "expected an event object"),
        ("{", "expected a string"),
        ("{\"id\":", "id must be 64 lowercase hex characters"),
        ("null", "expected an event object"),
    ])
    func refusesTruncatedInput(input: String, reason: String) {
        #expect(throws: JSONError(reason)) { try EventParser.parse(input) }
    }

    @Test func refusesTruncationAtEveryPosition() {
        let json = Array(Self.sample(content: "truncate \"me\" \\ please").json)
        for end in 0..<json.count {
            #expect(throws: JSONError.self, "prefix of \(end) bytes") { try EventParser.parse(Array(json[0..<end])) }
        }
    }

    @Test(arguments: [
        ("created_at", "\"1700000000\"", "created_at must be a non-negative integer"),
        ("created_at", "1.7e9", "created_at must be a non-negative integer"),
        ("created_at", "-5", "created_at must be a non-negative integer"),
        ("created_at", "99999999999999999999999", "created_at must be a non-negative integer"),
        ("kind", "65536", "kind must be an integer from 0 to 65535"),
        ("kind", "1.0", "kind must be an integer from 0 to 65535"),
        ("kind", "null", "kind must be an integer from 0 to 65535"),
        ("tags", "{}", "tags must be an array of arrays of strings"),
        ("tags", "[[\"p\",1]]", "tags must be an array of arrays of strings"),
        ("tags", "[\"p\"]", "tags must be an array of arrays of strings"),
        ("tags", "[[[\"nested\"]]]", "tags must be an array of arrays of strings"),
        ("content", "42", "content must be a string"),
        ("pubkey", "\"ABC\"", "pubkey must be 64 lowercase hex characters"),
        ("id", "\"\(String(repeating: "g", count: 64))\"", "id must be 64 lowercase hex characters"),
        ("sig", "\"\(String(repeating: "A", count: 128))\"", "sig must be 128 lowercase hex characters"),
    ])
    func refusesWrongTypes(key: String, value: String, reason: String) {
        let json = Self.mutated(key, value)
        #expect(throws: JSONError(reason)) { try EventParser.parse(json) }
    }

    @Test func refusesDuplicateAndMissingKeys() {
        let json = Self.sample().jsonString
        #expect(throws: JSONError("duplicate key: kind")) { try EventParser.parse("{\"kind\":1," + json.dropFirst()) }
        #expect(throws: JSONError("duplicate key: x")) { try EventParser.parse("{\"x\":1,\"x\":2," + json.dropFirst()) }
        let withoutSig = json.replacingOccurrences(of: #","sig":"[0-9a-f]+""#, with: "", options: .regularExpression)
        #expect(throws: JSONError("missing field: sig")) { try EventParser.parse(withoutSig) }
    }

    @Test func refusesInvalidUTF8AndBadEscapes() {
        let json = Array(Self.sample(content: "XX").json)
        let at = json.firstIndex(of: UInt8(ascii: "X"))!
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            var broken = json
            broken.replaceSubrange(at..<(at + 2), with: bad)
            #expect(throws: JSONError("invalid UTF-8 in a string")) { try EventParser.parse(broken) }
        }
        for escape in ["\\x41", "\\ud800", "\\udc00x", "\\u12", "\u{01}"] {
            let text = Self.sample(content: "XX").jsonString.replacingOccurrences(of: "XX", with: escape)
            #expect(throws: JSONError.self, "\(escape)") { try EventParser.parse(text) }
        }
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let json = "{\"junk\":" + deep + "," + Self.sample().jsonString.dropFirst()
        #expect(throws: JSONError("JSON nested too deeply")) { try EventParser.parse(json) }
        #expect(throws: JSONError("JSON nested too deeply")) { try JSONValue.parse(deep) }
    }

    @Test func refusesTrailingData() {
        #expect(throws: JSONError("unexpected data after the JSON value")) {
            try EventParser.parse(Self.sample().jsonString + " {}")
        }
    }

    /// Random bytes never crash the parser; they fail or (vanishingly rarely) parse.
    @Test func survivesRandomMutations() {
        var rng = SplitMix64(seed: 7)
        let json = Array(Self.sample(content: "mutate me").json)
        for _ in 0..<20_000 {
            var bytes = json
            for _ in 0..<(1 + rng.below(4)) {
                bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
            }
            if let event = try? EventParser.parse(bytes) { _ = event.validate() }
        }
    }
}
