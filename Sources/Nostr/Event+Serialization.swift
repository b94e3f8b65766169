import Crypto

extension Event {
    /// The NIP-01 serialization whose SHA-256 is the id: `[0,pubkey,created_at,kind,tags,content]`.
    public static func canonicalSerialization(
        pubkey: PublicKey, createdAt: Int64, kind: Int, tags: [[String]], content: String
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 160 + content.utf8.count + tags.count * 80)
        writer.raw("[0,".utf8)
        writer.hex(pubkey)
        writer.byte(0x2C)
        writer.int(createdAt)
        writer.byte(0x2C)
        writer.int(kind)
        writer.byte(0x2C)
        writer.writeTags(tags)
        writer.byte(0x2C)
        writer.string(content)
        writer.byte(0x5D)
        return writer.bytes
    }

    public var canonicalSerialization: [UInt8] {
        Event.canonicalSerialization(pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)
    }

    /// The id these fields hash to.
    public static func computeID(
        pubkey: PublicKey, createdAt: Int64, kind: Int, tags: [[String]], content: String
    ) -> EventID {
        let canonical = canonicalSerialization(
            pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        return SHA256Digest32.hash(canonical)
    }

    /// The id this event's fields hash to (which a valid event carries as `id`).
    public func computeID() -> EventID {
        SHA256Digest32.hash(canonicalSerialization)
    }

    /// The event as a JSON object, keys in NIP-01 order.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 400 + content.utf8.count + tags.count * 80)
        writeJSON(to: &writer)
        return writer.bytes
    }

    /// Appends the event's JSON to `bytes`.
    public func appendJSON(to bytes: inout [UInt8]) {
        var writer = JSONWriter(bytes: bytes)
        bytes = []
        writeJSON(to: &writer)
        bytes = writer.bytes
    }

    public var jsonString: String { String(decoding: json, as: UTF8.self) }

    public func writeJSON(to writer: inout JSONWriter) {
        writer.raw("{\"id\":".utf8)
        writer.hex(id)
        writer.raw(",\"pubkey\":".utf8)
        writer.hex(pubkey)
        writer.raw(",\"created_at\":".utf8)
        writer.int(createdAt)
        writer.raw(",\"kind\":".utf8)
        writer.int(kind)
        writer.raw(",\"tags\":".utf8)
        writer.writeTags(tags)
        writer.raw(",\"content\":".utf8)
        writer.string(content)
        writer.raw(",\"sig\":\"".utf8)
        sig.r.appendHex(to: &writer.bytes)
        sig.s.appendHex(to: &writer.bytes)
        writer.raw("\"}".utf8)
    }
}

extension JSONWriter {
    mutating func writeTags(_ tags: [[String]]) {
        byte(0x5B)
        for (i, tag) in tags.enumerated() {
            if i > 0 { byte(0x2C) }
            byte(0x5B)
            for (j, item) in tag.enumerated() {
                if j > 0 { byte(0x2C) }
                string(item)
            }
            byte(0x5D)
        }
        byte(0x5D)
    }
}

/// SHA-256 returning `Bytes32`, through swift-crypto.
public enum SHA256Digest32 {
    public static func hash(_ bytes: [UInt8]) -> Bytes32 {
        bytes.withUnsafeBytes { hash($0) }
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Bytes32 {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return hasher.finalize().withUnsafeBytes { Bytes32(bytes: $0)! }
    }
}
