/// The byte-level parser for NIP-01 event objects.
///
/// Accepts exactly the event object: seven known keys, each once, with the right type and
/// form (lowercase hex of the right length, integer `created_at` ≥ 0, `kind` 0–65535, `tags`
/// an array of arrays of strings). Unknown keys are skipped; a repeated key is refused.
public enum EventParser {
    /// Parses a whole buffer that holds one event object.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> Event {
        var reader = JSONReader(bytes)
        let event = try parse(&reader)
        try reader.expectEnd()
        return event
    }

    public static func parse(_ bytes: [UInt8]) throws -> Event {
        try bytes.withUnsafeBytes { try parse($0) }
    }

    public static func parse(_ json: String) throws -> Event {
        var json = json
        return try json.withUTF8 { try parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses the event object at the reader's position and leaves the reader after it.
    public static func parse(_ reader: inout JSONReader) throws -> Event {
        try reader.expect(0x7B, "an event object")
        var fields = Fields()
        var first = true
        while try reader.nextElement(closing: 0x7D, first: &first) {
            let key = try reader.readString()
            try reader.expect(0x3A, "':' after a key")
            try fields.read(key: key, from: &reader)
        }
        return try fields.event()
    }

    private struct Fields {
        var id: EventID?
        var pubkey: PublicKey?
        var createdAt: Int64?
        var kind: Int?
        var tags: [[String]]?
        var content: String?
        var sig: Signature?
        var unknownKeys: [String] = []

        mutating func read(key: String, from reader: inout JSONReader) throws {
            switch key {
            case "id":
                try once(id == nil, key)
                id = try readHex32(&reader, field: "id")
            case "pubkey":
                try once(pubkey == nil, key)
                pubkey = try readHex32(&reader, field: "pubkey")
            case "sig":
                try once(sig == nil, key)
                guard let range = reader.readPlainString(count: 128),
                      let value = Signature(hexUTF8: UnsafeRawBufferPointer(rebasing: reader.bytes[range]))
                else { throw JSONError("sig must be 128 lowercase hex characters") }
                sig = value
            case "created_at":
                try once(createdAt == nil, key)
                guard let value = try? reader.readInt64(), value >= 0 else {
                    throw JSONError("created_at must be a non-negative integer")
                }
                createdAt = value
            case "kind":
                try once(kind == nil, key)
                guard let value = try? reader.readInt64(), (0...Int64(Event.maxKind)).contains(value) else {
                    throw JSONError("kind must be an integer from 0 to \(Event.maxKind)")
                }
                kind = Int(value)
            case "tags":
                try once(tags == nil, key)
                tags = try readTags(&reader)
            case "content":
                try once(content == nil, key)
                guard reader.peek() == 0x22 else { throw JSONError("content must be a string") }
                content = try reader.readString()
            default:
                try once(!unknownKeys.contains(key), key)
                unknownKeys.append(key)
                try reader.skipValue()
            }
        }

        func once(_ isFirst: Bool, _ key: String) throws {
            guard isFirst else { throw JSONError("duplicate key: \(key)") }
        }

        func readHex32(_ reader: inout JSONReader, field: String) throws -> Bytes32 {
            guard let range = reader.readPlainString(count: 64),
                  let value = Bytes32(hexUTF8: UnsafeRawBufferPointer(rebasing: reader.bytes[range]))
            else { throw JSONError("\(field) must be 64 lowercase hex characters") }
            return value
        }

        func readTags(_ reader: inout JSONReader) throws -> [[String]] {
            guard reader.consume(0x5B) else { throw JSONError("tags must be an array of arrays of strings") }
            var tags: [[String]] = []
            var first = true
            while try reader.nextElement(closing: 0x5D, first: &first) {
                guard reader.consume(0x5B) else { throw JSONError("tags must be an array of arrays of strings") }
                var tag: [String] = []
                var firstItem = true
                while try reader.nextElement(closing: 0x5D, first: &firstItem) {
                    guard reader.peek() == 0x22 else { throw JSONError("tags must be an array of arrays of strings") }
                    tag.append(try reader.readString())
                }
                tags.append(tag)
            }
            return tags
        }

        func event() throws -> Event {
            guard let id else { throw JSONError("missing field: id") }
            guard let pubkey else { throw JSONError("missing field: pubkey") }
            guard let createdAt else { throw JSONError("missing field: created_at") }
            guard let kind else { throw JSONError("missing field: kind") }
            guard let tags else { throw JSONError("missing field: tags") }
            guard let content else { throw JSONError("missing field: content") }
            guard let sig else { throw JSONError("missing field: sig") }
            return Event(id: id, pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content, sig: sig)
        }
    }
}
