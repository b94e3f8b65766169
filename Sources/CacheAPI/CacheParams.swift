import Nostr
import Store

/// An op's parameters, read with Primal's defaults. A key of the wrong type is an error;
/// a key no op reads is ignored, as primal-server ignores it (clients send extra keys, such
/// as `subid`), and `finish()` names those keys so the service can count them.
struct CacheParams {
    private let values: [String: JSONValue]
    private var read = Set<String>()

    init(_ json: JSONValue?) throws {
        switch json {
        case nil, .null?: values = [:]
        case .object(let members)?: values = members
        default: throw CacheError("params must be a JSON object")
        }
    }

    init(values: [String: JSONValue]) { self.values = values }

    /// Marks a key as known and returns its value (nil when absent or null).
    mutating func raw(_ key: String) -> JSONValue? {
        read.insert(key)
        guard let value = values[key], value != .null else { return nil }
        return value
    }

    /// The keys the op did not read (ignored).
    @discardableResult
    func finish() -> [String] {
        values.keys.filter { !read.contains($0) }.sorted()
    }

    /// Accepts keys the op passes on elsewhere (mega_feed_directive).
    mutating func accept(_ keys: [String]) { read.formUnion(keys) }

    var keys: [String] { values.keys.sorted() }

    // MARK: Typed access

    mutating func int(_ key: String, default value: Int64) throws -> Int64 { try int(key) ?? value }

    mutating func int(_ key: String) throws -> Int64? {
        guard let raw = raw(key) else { return nil }
        guard let value = raw.intValue else { throw CacheError("\(key) must be an integer") }
        return value
    }

    mutating func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let raw = raw(key) else { return value }
        switch raw {
        case .bool(let b): return b
        case .int(let i): return i != 0
        default: throw CacheError("\(key) must be true or false")
        }
    }

    mutating func string(_ key: String) throws -> String? {
        guard let raw = raw(key) else { return nil }
        guard let value = raw.stringValue else { throw CacheError("\(key) must be a string") }
        return value
    }

    mutating func string(_ key: String, default value: String) throws -> String { try string(key) ?? value }

    mutating func requiredString(_ key: String) throws -> String {
        guard let value = try string(key) else { throw CacheError("missing parameter: \(key)") }
        return value
    }

    /// A pubkey as 64 hex characters, or an npub/nprofile.
    mutating func pubkey(_ key: String) throws -> PublicKey? {
        guard let text = try string(key) else { return nil }
        guard let key = CacheParams.pubkey(text) else { throw CacheError.invalidPubkey }
        return key
    }

    mutating func requiredPubkey(_ key: String) throws -> PublicKey {
        guard let value = try pubkey(key) else { throw CacheError("missing parameter: \(key)") }
        return value
    }

    static func pubkey(_ text: String) -> PublicKey? {
        PublicKey(hex: text.lowercased()) ?? (try? NIP19(text))?.pubkey
    }

    static func eventID(_ text: String) -> EventID? {
        EventID(hex: text.lowercased()) ?? (try? NIP19(text))?.eventID
    }

    mutating func eventID(_ key: String) throws -> EventID? {
        guard let text = try string(key) else { return nil }
        guard let id = CacheParams.eventID(text) else { throw CacheError.invalidEventID }
        return id
    }

    mutating func requiredEventID(_ key: String) throws -> EventID {
        guard let value = try eventID(key) else { throw CacheError("missing parameter: \(key)") }
        return value
    }

    mutating func pubkeys(_ key: String) throws -> [PublicKey]? {
        guard let raw = raw(key) else { return nil }
        guard let items = raw.arrayValue else { throw CacheError("\(key) must be an array of pubkeys") }
        return try items.map { item in
            guard let text = item.stringValue, let key = CacheParams.pubkey(text) else { throw CacheError.invalidPubkey }
            return key
        }
    }

    mutating func eventIDs(_ key: String) throws -> [EventID]? {
        guard let raw = raw(key) else { return nil }
        guard let items = raw.arrayValue else { throw CacheError("\(key) must be an array of event ids") }
        return try items.map { item in
            guard let text = item.stringValue, let id = CacheParams.eventID(text) else { throw CacheError.invalidEventID }
            return id
        }
    }

    mutating func kinds(_ key: String, default value: Set<Int>) throws -> Set<Int> {
        guard let raw = raw(key) else { return value }
        guard let items = raw.arrayValue else { throw CacheError("\(key) must be an array of kinds") }
        let kinds = try items.map { item -> Int in
            guard let kind = item.intValue, (0...Int64(Event.maxKind)).contains(kind) else { throw CacheError("\(key) must be an array of kinds") }
            return Int(kind)
        }
        return kinds.isEmpty ? value : Set(kinds)
    }

    mutating func requiredKind(_ key: String) throws -> Int {
        guard let kind = try int(key) else { throw CacheError("missing parameter: \(key)") }
        guard (0...Int64(Event.maxKind)).contains(kind) else { throw CacheError("\(key) must be a kind (0–\(Event.maxKind))") }
        return Int(kind)
    }

    /// Primal's paging parameters: limit (default `defaultLimit`, over `maxLimit` is an error
    /// unless `clampTo` is given), since (0), until (now), offset (0).
    mutating func page(defaultLimit: Int64 = 20, maxLimit: Int64 = 1_000, clampTo: Int64? = nil, now: Int64) throws -> Page {
        var limit = try int("limit", default: defaultLimit)
        if let clampTo { limit = min(limit, clampTo) } else if limit > maxLimit { throw CacheError.limitTooBig }
        guard limit >= 0 else { throw CacheError("limit must not be negative") }
        let since = try int("since", default: 0)
        let until = try int("until", default: now)
        let offset = try int("offset", default: 0)
        guard offset >= 0 else { throw CacheError("offset must not be negative") }
        return Page(since: since, until: until, limit: Int(limit), offset: Int(min(offset, 100_000)))
    }
}
