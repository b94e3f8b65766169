/// Thirty-two bytes held inline: an event id, a public key, a secret key or a SHA-256 digest.
///
/// Stored as four big-endian words so that hashing is cheap and `<` is byte order, which is
/// the order NIP-01 uses to break ties ("lowest id first").
public struct Bytes32: Hashable, Comparable, Sendable {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public static let zero = Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// Reads 32 bytes; returns nil when `bytes` is not exactly 32 long.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32 else { return nil }
        func word(_ at: Int) -> UInt64 {
            UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        }
        self.init(w0: word(0), w1: word(8), w2: word(16), w3: word(24))
    }

    public init?<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        guard let value = array.withUnsafeBytes({ Bytes32(bytes: $0) }) else { return nil }
        self = value
    }

    /// Parses exactly 64 lowercase hex digits.
    public init?(hex: String) {
        var hex = hex
        guard let value = hex.withUTF8({ Bytes32(hexUTF8: UnsafeRawBufferPointer($0)) }) else {
            return nil
        }
        self = value
    }

    /// Parses exactly 64 lowercase hex digits from UTF-8 bytes.
    public init?(hexUTF8 utf8: UnsafeRawBufferPointer) {
        guard utf8.count == 64 else { return nil }
        let table = Hex.strictValues
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var bad: UInt8 = 0
        for w in 0..<4 {
            var value: UInt64 = 0
            for i in 0..<16 {
                let digit = table[Int(utf8[w * 16 + i])]
                bad |= digit
                value = value << 4 | UInt64(digit & 0x0F)
            }
            switch w {
            case 0: words.0 = value
            case 1: words.1 = value
            case 2: words.2 = value
            default: words.3 = value
            }
        }
        // A valid digit is < 16; 0xFF marks an invalid one, and OR-ing keeps its high bits.
        guard bad & 0xF0 == 0 else { return nil }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// Calls `body` with the 32 bytes in order.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return try Swift.withUnsafeBytes(of: &words) { try body($0) }
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lowercase hex, 64 characters.
    public var hex: String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        appendHex(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func appendHex(to out: inout [UInt8]) {
        withUnsafeBytes { Hex.append($0, to: &out) }
    }

    public static func < (a: Bytes32, b: Bytes32) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}

extension Bytes32: CustomStringConvertible {
    public var description: String { hex }
}

/// The SHA-256 of an event's canonical serialization.
public typealias EventID = Bytes32
/// A BIP-340 x-only public key.
public typealias PublicKey = Bytes32
