/// A NIP-01 subscription filter (with NIP-50 `search`).
///
/// Every condition that is present must hold; within a list any value may match. A present
/// but empty list matches nothing. `since` and `until` are inclusive.
public struct Filter: Hashable, Sendable {
    public var ids: Set<EventID>?
    public var authors: Set<PublicKey>?
    public var kinds: Set<Int>?
    /// Tag conditions keyed by the single-letter tag name (`"e"` for `#e`); values compare
    /// by their bytes.
    public var tags: [String: Set<TagValue>]
    public var since: Int64?
    public var until: Int64?
    public var limit: Int?
    public var search: String?

    public init(
        ids: Set<EventID>? = nil, authors: Set<PublicKey>? = nil, kinds: Set<Int>? = nil,
        tags: [String: [String]] = [:], since: Int64? = nil, until: Int64? = nil,
        limit: Int? = nil, search: String? = nil
    ) {
        self.ids = ids
        self.authors = authors
        self.kinds = kinds
        self.tags = tags.mapValues { Set($0.map { TagValue($0) }) }
        self.since = since
        self.until = until
        self.limit = limit
        self.search = search
    }

    /// True when some list is present and empty, or the time window is empty: the filter
    /// can match nothing, and a store need not look.
    public var isEmptyByConstruction: Bool {
        if ids?.isEmpty == true || authors?.isEmpty == true || kinds?.isEmpty == true { return true }
        if tags.values.contains(where: \.isEmpty) { return true }
        if let since, let until, since > until { return true }
        return false
    }

    /// Does `event` satisfy every condition except `search` (which only a full-text index
    /// answers) and `limit` (which applies to a result set, not to one event)?
    public func matches(_ event: Event) -> Bool {
        if let ids, !ids.contains(event.id) { return false }
        if let authors, !authors.contains(event.pubkey) { return false }
        if let kinds, !kinds.contains(event.kind) { return false }
        if let since, event.createdAt < since { return false }
        if let until, event.createdAt > until { return false }
        for (name, values) in tags {
            let found = event.tags.contains { tag in
                tag.count >= 2 && tag[0] == name && values.contains(TagValue(tag[1]))
            }
            if !found { return false }
        }
        return true
    }
}

extension Filter {
    /// Parses a filter object. Unknown keys and wrong types are errors with a sentence that
    /// names the key, so a client learns what it sent wrong instead of getting everything.
    public init(json: JSONValue) throws {
        guard case .object(let members) = json else { throw JSONError("a filter must be a JSON object") }
        self.init()
        for (key, value) in members {
            switch key {
            case "ids": ids = try Set(Filter.hex32List(value, key: key))
            case "authors": authors = try Set(Filter.hex32List(value, key: key))
            case "kinds":
                guard let items = value.arrayValue else { throw JSONError("kinds must be an array of integers") }
                kinds = try Set(items.map { item in
                    guard let kind = item.intValue, (0...Int64(Event.maxKind)).contains(kind) else {
                        throw JSONError("kinds must be integers from 0 to \(Event.maxKind)")
                    }
                    return Int(kind)
                })
            case "since": since = try Filter.timestamp(value, key: key)
            case "until": until = try Filter.timestamp(value, key: key)
            case "limit":
                guard let n = value.intValue, n >= 0 else { throw JSONError("limit must be a non-negative integer") }
                limit = Int(min(n, Int64(Int32.max)))
            case "search":
                guard let text = value.stringValue else { throw JSONError("search must be a string") }
                search = text
            default:
                guard key.hasPrefix("#") else { throw JSONError("unknown filter key: \(key)") }
                let name = String(key.dropFirst())
                guard name.count == 1, name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic && $0.isASCII })
                else { throw JSONError("tag filters must name a single letter a-z or A-Z: \(key)") }
                guard let items = value.arrayValue else { throw JSONError("\(key) must be an array of strings") }
                tags[name] = try Set(items.map { item in
                    guard let text = item.stringValue else { throw JSONError("\(key) must be an array of strings") }
                    return TagValue(text)
                })
            }
        }
    }

    public init(jsonText: String) throws {
        try self.init(json: JSONValue.parse(jsonText))
    }

    private static func hex32List(_ value: JSONValue, key: String) throws -> [Bytes32] {
        guard let items = value.arrayValue else {
            throw JSONError("\(key) must be an array of 64-character lowercase hex strings")
        }
        return try items.map { item in
            guard let text = item.stringValue, let value = Bytes32(hex: text) else {
                throw JSONError("\(key) must be an array of 64-character lowercase hex strings")
            }
            return value
        }
    }

    private static func timestamp(_ value: JSONValue, key: String) throws -> Int64 {
        guard let t = value.intValue, t >= 0 else { throw JSONError("\(key) must be a non-negative integer timestamp") }
        return t
    }

    /// The filter as a JSON object (sorted lists, so equal filters serialize equally).
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [:]
        if let ids { members["ids"] = .array(ids.sorted().map { .string($0.hex) }) }
        if let authors { members["authors"] = .array(authors.sorted().map { .string($0.hex) }) }
        if let kinds { members["kinds"] = .array(kinds.sorted().map { .int(Int64($0)) }) }
        for (name, values) in tags { members["#" + name] = .array(values.sorted().map { .string($0.text) }) }
        if let since { members["since"] = .int(since) }
        if let until { members["until"] = .int(until) }
        if let limit { members["limit"] = .int(Int64(limit)) }
        if let search { members["search"] = .string(search) }
        return .object(members)
    }
}
