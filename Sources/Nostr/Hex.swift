/// Lowercase hexadecimal encoding and decoding.
///
/// Nostr writes ids, pubkeys and signatures as lowercase hex, and an id is the hash of a
/// serialization that contains them, so decoding is strict by default: an uppercase digit
/// is an error, not a variant spelling.
public enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Value of each byte as a lowercase hex digit, 0xFF when it is not one.
    static let strictValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in digits.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Value of each byte as a hex digit of either case, 0xFF when it is not one.
    static let lenientValues: [UInt8] = {
        var table = strictValues
        for (i, c) in "ABCDEF".utf8.enumerated() { table[Int(c)] = UInt8(10 + i) }
        return table
    }()

    /// Encodes bytes as lowercase hex.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the lowercase hex of `bytes` to `out`.
    public static func append(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
    }

    /// Decodes hex text. `strict` accepts only lowercase digits. Returns nil for an odd length
    /// or a character that is not a digit.
    public static func decode(_ text: String, strict: Bool = true) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0), strict: strict) }
    }

    /// Decodes hex bytes; see `decode(_:strict:)`.
    public static func decode(_ utf8: UnsafeRawBufferPointer, strict: Bool = true) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        let table = strict ? strictValues : lenientValues
        var out = [UInt8](repeating: 0, count: utf8.count / 2)
        var i = 0
        while i < out.count {
            let hi = table[Int(utf8[2 * i])]
            let lo = table[Int(utf8[2 * i + 1])]
            guard hi < 16, lo < 16 else { return nil }
            out[i] = hi << 4 | lo
            i += 1
        }
        return out
    }

    /// True when `text` is exactly 64 lowercase hex digits (an id or a pubkey).
    public static func isHex64(_ text: String) -> Bool {
        guard text.utf8.count == 64 else { return false }
        return text.utf8.allSatisfy { strictValues[Int($0)] != 0xFF }
    }
}
