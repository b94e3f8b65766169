import Foundation
import Testing
@testable import Nostr
import Corpus

/// Sign → serialize → parse → verify over random content drawn from all of Unicode.
@Suite struct RoundTripPropertyTests {
    static func randomScalar(_ rng: inout SplitMix64) -> Unicode.Scalar {
        switch rng.below(10) {
        case 0: return Unicode.Scalar(UInt8(rng.below(0x20)))  // C0 controls
        case 1: return ["\"", "\\", "/", "\u{7F}", "\u{2028}", "\u{2029}", "\u{FEFF}"].randomElement(using: &rng)!
        case 2...5: return Unicode.Scalar(UInt8(0x20 + rng.below(0x5F)))  // printable ASCII
        default:
            while true {
                let value = UInt32(rng.below(0x110000))
                if let scalar = Unicode.Scalar(value) { return scalar }  // skips surrogates
            }
        }
    }

    static func randomString(_ rng: inout SplitMix64, maxLength: Int, withBOM: Bool = true) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<rng.below(maxLength + 1) {
            let scalar = randomScalar(&rng)
            if withBOM || scalar != "\u{FEFF}" { text.append(scalar) }
        }
        return String(text)
    }

    /// Foundation's JSONSerialization on Linux drops U+FEFF inside strings, so comparisons
    /// with it leave that character out (one more reason events never go through Foundation).
    static func withoutBOM(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { $0 != "\u{FEFF}" }
    }

    /// Walks the escapes of serialized JSON and checks JSON.stringify's rules: `/` never
    /// escaped, `\u` only for other C0 controls and in lowercase hex, no raw controls.
    static func followsStringifyEscaping(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c < 0x20 { return false }
            if c == 0x5C {
                let next = bytes[i + 1]
                switch next {
                case UInt8(ascii: "u"):
                    let hex = String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self)
                    guard hex == hex.lowercased(), let value = UInt8(hex, radix: 16), hex.hasPrefix("00"), value < 0x20,
                          ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value) else { return false }
                    i += 6
                    continue
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                    continue
                default: return false
                }
            }
            i += 1
        }
        return true
    }

    @Test func signSerializeParseVerify() throws {
        var rng = SplitMix64(seed: 42)
        let keys = KeyPair(secretKey: SHA256Digest32.hash(Array("round-trip".utf8)))!
        for _ in 0..<400 {
            let tags = (0..<rng.below(4)).map { _ in (0..<(1 + rng.below(3))).map { _ in Self.randomString(&rng, maxLength: 12) } }
            let content = Self.randomString(&rng, maxLength: 80)
            let event = Event.signed(by: keys, createdAt: Int64(rng.below(2_000_000_000)), kind: rng.below(65536),
                                     tags: tags, content: content)
            let json = event.json
            let parsed = try EventParser.parse(json)
            #expect(parsed == event)
            #expect(parsed.validate() == nil)
            #expect(parsed.content.unicodeScalars.elementsEqual(content.unicodeScalars))

            // The canonical form is JSON that an independent parser reads back to the same
            // values, with JSON.stringify's escaping: no "\/", controls escaped lowercase.
            let canonical = event.canonicalSerialization
            let array = try JSONSerialization.jsonObject(with: Data(canonical)) as! [Any]
            #expect(Self.withoutBOM(array[5] as! String) == Self.withoutBOM(content))
            #expect(Self.followsStringifyEscaping(canonical))
        }
    }

    @Test func foundationReencodingStillValidates() throws {
        // A relay that re-encodes with escaped slashes and \u escapes sends the same event.
        var rng = SplitMix64(seed: 9)
        let keys = KeyPair(secretKey: SHA256Digest32.hash(Array("reencode".utf8)))!
        for _ in 0..<100 {
            let event = Event.signed(by: keys, createdAt: 1, kind: 1, tags: [["r", "https://a/b"]],
                                     content: Self.randomString(&rng, maxLength: 40, withBOM: false) + " https://x/y")
            let object = try JSONSerialization.jsonObject(with: Data(event.json))
            let reencoded = try JSONSerialization.data(withJSONObject: object)
            let parsed = try EventParser.parse(Array(reencoded))
            #expect(parsed == event)
            #expect(parsed.validate() == nil)
        }
    }
}
