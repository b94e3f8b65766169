/// How a relay keeps events of a kind (NIP-01).
public enum KindClass: Sendable, Equatable {
    /// Stored; every event is kept.
    case regular
    /// 0, 3 and 10000–19999: only the newest event per (pubkey, kind) is kept.
    case replaceable
    /// 20000–29999: delivered to live subscribers, never stored.
    case ephemeral
    /// 30000–39999: only the newest event per (pubkey, kind, `d` tag) is kept.
    case addressable

    public init(kind: Int) {
        switch kind {
        case 0, 3, 10000..<20000: self = .replaceable
        case 20000..<30000: self = .ephemeral
        case 30000..<40000: self = .addressable
        default: self = .regular
        }
    }
}

/// The address of a replaceable or addressable event: `kind:pubkey:identifier`, the value
/// of an `a` tag.
public struct EventAddress: Hashable, Sendable, CustomStringConvertible {
    // Identifiers compare by their bytes (see `TagValue`): `d` tags that differ only in
    // normalisation are different addresses.
    public var kind: Int
    public var pubkey: PublicKey
    public var identifier: String

    public init(kind: Int, pubkey: PublicKey, identifier: String) {
        self.kind = kind
        self.pubkey = pubkey
        self.identifier = identifier
    }

    public static func == (a: EventAddress, b: EventAddress) -> Bool {
        a.kind == b.kind && a.pubkey == b.pubkey && TagValue(a.identifier) == TagValue(b.identifier)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(pubkey)
        hasher.combine(TagValue(identifier))
    }

    /// Parses `kind:pubkey:identifier`; the identifier may itself contain colons. Split on
    /// bytes, not characters: a colon followed by a combining mark is still a colon.
    public init?(_ text: String) {
        let parts = text.utf8.split(separator: UInt8(ascii: ":"), maxSplits: 2, omittingEmptySubsequences: false)
            .map { String(Substring($0)) }
        guard parts.count >= 2, let kind = Int(parts[0]), (0...Event.maxKind).contains(kind),
              let pubkey = PublicKey(hex: parts[1])
        else { return nil }
        self.init(kind: kind, pubkey: pubkey, identifier: parts.count == 3 ? parts[2] : "")
    }

    public var description: String { "\(kind):\(pubkey.hex):\(identifier)" }
}

extension Event {
    /// The address of a replaceable or addressable event; nil for other kinds.
    public var address: EventAddress? {
        switch kindClass {
        case .replaceable: return EventAddress(kind: kind, pubkey: pubkey, identifier: "")
        case .addressable: return EventAddress(kind: kind, pubkey: pubkey, identifier: identifier)
        default: return nil
        }
    }
}
