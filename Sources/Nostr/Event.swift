/// A 64-byte BIP-340 Schnorr signature.
public struct Signature: Hashable, Sendable {
    public var r: Bytes32
    public var s: Bytes32

    public init(r: Bytes32, s: Bytes32) {
        self.r = r
        self.s = s
    }

    /// Reads exactly 64 bytes.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 64,
              let r = Bytes32(bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<32])),
              let s = Bytes32(bytes: UnsafeRawBufferPointer(rebasing: bytes[32..<64]))
        else { return nil }
        self.init(r: r, s: s)
    }

    /// Parses exactly 128 lowercase hex digits from UTF-8 bytes.
    public init?(hexUTF8 utf8: UnsafeRawBufferPointer) {
        guard utf8.count == 128,
              let r = Bytes32(hexUTF8: UnsafeRawBufferPointer(rebasing: utf8[0..<64])),
              let s = Bytes32(hexUTF8: UnsafeRawBufferPointer(rebasing: utf8[64..<128]))
        else { return nil }
        self.init(r: r, s: s)
    }

    public init?(hex: String) {
        var hex = hex
        guard let value = hex.withUTF8({ Signature(hexUTF8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = value
    }

    /// Calls `body` with the 64 bytes in order.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var words = (r.w0.bigEndian, r.w1.bigEndian, r.w2.bigEndian, r.w3.bigEndian,
                     s.w0.bigEndian, s.w1.bigEndian, s.w2.bigEndian, s.w3.bigEndian)
        return try Swift.withUnsafeBytes(of: &words) { try body($0) }
    }

    public var bytes: [UInt8] { r.bytes + s.bytes }
    public var hex: String { r.hex + s.hex }
}

/// A Nostr event as NIP-01 defines it.
///
/// The parsed form; the JSON it arrived in is kept separately (see `EventParser`) because a
/// cache serves events back byte for byte.
public struct Event: Hashable, Sendable {
    public var id: EventID
    public var pubkey: PublicKey
    public var createdAt: Int64
    public var kind: Int
    public var tags: [[String]]
    public var content: String
    public var sig: Signature

    public init(
        id: EventID, pubkey: PublicKey, createdAt: Int64, kind: Int,
        tags: [[String]], content: String, sig: Signature
    ) {
        self.id = id
        self.pubkey = pubkey
        self.createdAt = createdAt
        self.kind = kind
        self.tags = tags
        self.content = content
        self.sig = sig
    }

    /// The largest kind NIP-01 allows.
    public static let maxKind = 65535

    /// The value (second element) of the first tag named `name`.
    public func firstTagValue(_ name: String) -> String? {
        for tag in tags where tag.count >= 2 && tag[0] == name { return tag[1] }
        return nil
    }

    /// The values (second elements) of every tag named `name`, in order.
    public func tagValues(_ name: String) -> [String] {
        tags.compactMap { $0.count >= 2 && $0[0] == name ? $0[1] : nil }
    }

    public var kindClass: KindClass { KindClass(kind: kind) }

    /// The `d` tag's value, "" when there is none (NIP-01: addressable events without a
    /// `d` tag are addressed by the empty string).
    public var identifier: String { firstTagValue("d") ?? "" }

    /// NIP-40 expiration timestamp, when the event carries a well-formed one.
    public var expiration: Int64? {
        firstTagValue("expiration").flatMap { Int64($0) }
    }
}
