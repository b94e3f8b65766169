import Nostr

/// The stored form of an event's JSON: the bytes as received with the hex of `id`, `pubkey`
/// and `sig` cut out (those live in binary columns), plus where to put them back.
///
/// The hex is a quarter to a third of a typical event; storing it twice as text would cost
/// more disk than every index together. Reassembly is exact, byte for byte, because the
/// parser only accepts these three values as plain lowercase hex (no escapes).
///
/// Layout: one version byte (1), then three (field, offset) pairs in order of appearance,
/// each a field byte (0 id, 1 pubkey, 2 sig) and a little-endian UInt32 offset into the
/// remaining bytes, which are the JSON without the three hex runs.
enum CompactEventJSON {
    static let headerSize = 16
    /// Bytes of hex removed: 64 + 64 + 128.
    static let removedBytes = 256

    enum Field: UInt8 {
        case id = 0, pubkey = 1, sig = 2
        var hexLength: Int { self == .sig ? 128 : 64 }
    }

    /// Cuts the three hex values out of `json`; nil when they cannot be found as plain hex
    /// values of top-level keys (the caller then stores the JSON as it is).
    static func encode(_ json: [UInt8], event: Event) -> [UInt8]? {
        guard let positions = canonicalPositions(json, event) ?? hexPositions(json), positions.count == 3 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(json.count - removedBytes + headerSize)
        out.append(1)
        var removed = 0
        for (field, start) in positions {
            out.append(field.rawValue)
            withUnsafeBytes(of: UInt32(start - removed).littleEndian) { out.append(contentsOf: $0) }
            removed += field.hexLength
        }
        var cursor = 0
        for (field, start) in positions {
            out.append(contentsOf: json[cursor..<start])
            cursor = start + field.hexLength
        }
        out.append(contentsOf: json[cursor...])
        return out
    }

    /// Puts the hex back. `stored` is what `encode` made, or plain JSON (which starts with
    /// `{` and is returned as it is).
    static func decode(_ stored: [UInt8], id: Bytes32, pubkey: Bytes32, sig: Signature) -> [UInt8] {
        guard stored.first == 1, stored.count >= headerSize else { return stored }
        var out = [UInt8]()
        out.reserveCapacity(stored.count - headerSize + removedBytes)
        var cursor = headerSize
        for i in 0..<3 {
            let base = 1 + i * 5
            let field = Field(rawValue: stored[base]) ?? .id
            let offset = Int(UInt32(stored[base + 1]) | UInt32(stored[base + 2]) << 8 | UInt32(stored[base + 3]) << 16 | UInt32(stored[base + 4]) << 24)
            let end = headerSize + offset
            out.append(contentsOf: stored[cursor..<end])
            cursor = end
            switch field {
            case .id: id.appendHex(to: &out)
            case .pubkey: pubkey.appendHex(to: &out)
            case .sig:
                sig.r.appendHex(to: &out)
                sig.s.appendHex(to: &out)
            }
        }
        out.append(contentsOf: stored[cursor...])
        return out
    }

    /// The NIP-01 key order most relays and clients write (`{"id":"…","pubkey":"…",…,"sig":"…"}`),
    /// recognized without parsing: the hex at those places must be this event's own values.
    private static func canonicalPositions(_ json: [UInt8], _ event: Event) -> [(Field, Int)]? {
        let head = Array(#"{"id":""#.utf8), middle = Array(#"","pubkey":""#.utf8), tail = Array(#","sig":""#.utf8)
        let sigStart = json.count - 130
        guard json.count > 300, json.starts(with: head), json[71..<83].elementsEqual(middle),
              json[(sigStart - tail.count)..<sigStart].elementsEqual(tail), json[(json.count - 2)...].elementsEqual([0x22, 0x7D])
        else { return nil }
        var expected: [UInt8] = []
        expected.reserveCapacity(256)
        event.id.appendHex(to: &expected)
        event.pubkey.appendHex(to: &expected)
        event.sig.r.appendHex(to: &expected)
        event.sig.s.appendHex(to: &expected)
        guard json[7..<71].elementsEqual(expected[0..<64]), json[83..<147].elementsEqual(expected[64..<128]),
              json[sigStart..<(sigStart + 128)].elementsEqual(expected[128..<256])
        else { return nil }
        return [(.id, 7), (.pubkey, 83), (.sig, sigStart)]
    }

    /// The start of each hex value of a top-level `id`, `pubkey` and `sig` key, in order.
    private static func hexPositions(_ json: [UInt8]) -> [(Field, Int)]? {
        json.withUnsafeBytes { bytes -> [(Field, Int)]? in
            var reader = JSONReader(bytes)
            guard (try? reader.expect(0x7B, "an object")) != nil else { return nil }
            var found: [(Field, Int)] = []
            var first = true
            while (try? reader.nextElement(closing: 0x7D, first: &first)) == true {
                guard let key = try? reader.readString(), (try? reader.expect(0x3A, "':'")) != nil else { return nil }
                let field: Field? = key == "id" ? .id : key == "pubkey" ? .pubkey : key == "sig" ? .sig : nil
                if let field, let range = reader.readPlainString(count: field.hexLength) {
                    found.append((field, range.lowerBound))
                } else if (try? reader.skipValue()) == nil {
                    return nil
                }
            }
            return found
        }
    }
}
