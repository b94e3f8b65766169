/// A NIP-19 entity: the bech32 forms (`npub…`, `note…`, `nevent…`, …) users copy around.
public enum NIP19: Hashable, Sendable {
    case npub(PublicKey)
    case nsec(Bytes32)
    case note(EventID)
    case nprofile(pubkey: PublicKey, relays: [String])
    case nevent(id: EventID, relays: [String], author: PublicKey?, kind: Int?)
    case naddr(identifier: String, pubkey: PublicKey, kind: Int, relays: [String])

    private enum TLV: UInt8 {
        case special = 0, relay = 1, author = 2, kind = 3
    }

    /// Decodes any of the six entity types. Unknown TLV records are skipped; input longer
    /// than 5,000 characters is refused.
    public init(_ text: String) throws {
        let (hrp, data) = try Bech32.decode(text)
        switch hrp {
        case "npub": self = .npub(try NIP19.bytes32(data, "npub"))
        case "nsec": self = .nsec(try NIP19.bytes32(data, "nsec"))
        case "note": self = .note(try NIP19.bytes32(data, "note"))
        case "nprofile", "nevent", "naddr":
            let records = try NIP19.records(data)
            var special: [UInt8]?
            var relays: [String] = []
            var author: PublicKey?
            var kind: Int?
            for (type, value) in records {
                switch TLV(rawValue: type) {
                case .special: if special == nil { special = value }
                case .relay: relays.append(String(decoding: value, as: UTF8.self))
                case .author:
                    guard author == nil else { continue }
                    author = try NIP19.bytes32(value, "\(hrp) author")
                case .kind:
                    guard kind == nil else { continue }
                    guard value.count == 4 else { throw JSONError("\(hrp) kind must be 4 bytes") }
                    kind = Int(value.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                case nil: continue
                }
            }
            guard let special else { throw JSONError("\(hrp) is missing its main record") }
            switch hrp {
            case "nprofile":
                self = .nprofile(pubkey: try NIP19.bytes32(special, "nprofile pubkey"), relays: relays)
            case "nevent":
                self = .nevent(id: try NIP19.bytes32(special, "nevent id"), relays: relays, author: author, kind: kind)
            default:
                guard let author, let kind else { throw JSONError("naddr needs an author and a kind") }
                self = .naddr(identifier: String(decoding: special, as: UTF8.self), pubkey: author, kind: kind, relays: relays)
            }
        default:
            throw JSONError("unknown NIP-19 prefix: \(hrp)")
        }
    }

    /// The bech32 text of this entity. TLV records go special, author, kind, relays: the
    /// order rust-nostr and most clients write.
    public var encoded: String {
        switch self {
        case .npub(let key): return Bech32.encode(hrp: "npub", data: key.bytes)
        case .nsec(let key): return Bech32.encode(hrp: "nsec", data: key.bytes)
        case .note(let id): return Bech32.encode(hrp: "note", data: id.bytes)
        case .nprofile(let pubkey, let relays):
            var data = NIP19.record(.special, pubkey.bytes)
            for relay in relays { data += NIP19.record(.relay, Array(relay.utf8)) }
            return Bech32.encode(hrp: "nprofile", data: data)
        case .nevent(let id, let relays, let author, let kind):
            var data = NIP19.record(.special, id.bytes)
            if let author { data += NIP19.record(.author, author.bytes) }
            if let kind { data += NIP19.record(.kind, NIP19.bigEndian32(kind)) }
            for relay in relays { data += NIP19.record(.relay, Array(relay.utf8)) }
            return Bech32.encode(hrp: "nevent", data: data)
        case .naddr(let identifier, let pubkey, let kind, let relays):
            var data = NIP19.record(.special, Array(identifier.utf8))
            data += NIP19.record(.author, pubkey.bytes)
            data += NIP19.record(.kind, NIP19.bigEndian32(kind))
            for relay in relays { data += NIP19.record(.relay, Array(relay.utf8)) }
            return Bech32.encode(hrp: "naddr", data: data)
        }
    }

    /// The public key an `npub` or `nprofile` names.
    public var pubkey: PublicKey? {
        switch self {
        case .npub(let key), .nprofile(let key, _): return key
        default: return nil
        }
    }

    /// The event id a `note` or `nevent` names.
    public var eventID: EventID? {
        switch self {
        case .note(let id), .nevent(let id, _, _, _): return id
        default: return nil
        }
    }

    private static func bytes32(_ data: [UInt8], _ what: String) throws -> Bytes32 {
        guard let value = Bytes32(data) else { throw JSONError("\(what) must be 32 bytes") }
        return value
    }

    private static func records(_ data: [UInt8]) throws -> [(UInt8, [UInt8])] {
        var out: [(UInt8, [UInt8])] = []
        var i = 0
        while i < data.count {
            guard i + 2 <= data.count else { throw JSONError("truncated TLV record") }
            let type = data[i], length = Int(data[i + 1])
            guard i + 2 + length <= data.count else { throw JSONError("truncated TLV record") }
            out.append((type, Array(data[(i + 2)..<(i + 2 + length)])))
            i += 2 + length
        }
        return out
    }

    private static func record(_ type: TLV, _ value: [UInt8]) -> [UInt8] {
        [type.rawValue, UInt8(min(value.count, 255))] + value.prefix(255)
    }

    private static func bigEndian32(_ value: Int) -> [UInt8] {
        let v = UInt32(truncatingIfNeeded: value)
        return [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
}
