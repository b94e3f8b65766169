import Nostr

/// Turns one NIP-01 filter into one SQL statement that reads through exactly one index:
/// ids, else a tag, else author (+kind), else kind, else time. Every value is bound, never
/// spliced into the SQL text; the text varies only with the shape of the filter, so the
/// connection's statement cache serves repeated shapes.
///
/// Contact lists' pubkey `p` tags are in `follows`, not `tags` (see `TagIndex`). A `#p`
/// condition checked on a row looks in both. A filter read through the `p` rows of `tags`
/// cannot reach those lists: when it may match kind 3, `followsPart` plans the kind 3 share
/// separately and the caller merges the two answers.
struct FilterPlanner {
    /// How the rows are reached.
    enum Access: Equatable {
        case ids
        case tag(String)
        case authors
        case kinds
        case time
        /// Contact lists of the followers of the `#p` pubkeys (`followsPart` only).
        case followers
    }

    struct Plan {
        let sql: String
        let values: [SQLiteValue]
    }

    /// The columns every event query returns, in `SQLiteStore.storedEvent` order.
    static let columns = "e.rowid, e.id, e.pubkey, e.created_at, e.kind, e.json, e.sig"

    private(set) var filter: Filter
    let now: Int64
    /// Planning the kind 3 share of a `#p` filter: never read the `p` rows of `tags`.
    private var forContactLists = false

    init(filter: Filter, now: Int64) {
        self.filter = filter
        self.now = now
    }

    var access: Access {
        if filter.ids != nil { return .ids }
        let tags = forContactLists ? filter.tags.filter { $0.key != "p" } : filter.tags
        if let tag = tags.min(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) }) { return .tag(tag.key) }
        if filter.authors != nil { return .authors }
        if forContactLists { return .followers }
        if filter.kinds != nil { return .kinds }
        return .time
    }

    /// The plan for the contact lists this filter matches through `follows`, when reading
    /// `tags` by `p` misses them; nil when this plan alone answers the filter.
    var followsPart: FilterPlanner? {
        guard !forContactLists, access == .tag("p"), filter.kinds?.contains(3) ?? true,
              !Self.followedKeys(filter).isEmpty else { return nil }
        var contactLists = filter
        contactLists.kinds = [3]
        var planner = FilterPlanner(filter: contactLists, now: now)
        planner.forContactLists = true
        return planner
    }

    /// The same plan for events at or after `time` only.
    func since(_ time: Int64) -> FilterPlanner {
        var bounded = self
        bounded.filter.since = max(filter.since ?? 0, time)
        return bounded
    }

    /// The `#p` values that can be in `follows`: those stored as 32-byte pubkeys.
    static func followedKeys(_ filter: Filter) -> [SQLiteValue] {
        (filter.tags["p"] ?? []).sorted().map(TagIndex.value).filter { if case .blob(let key) = $0 { key.count == 32 } else { false } }
    }

    /// Rows of the filter, newest first (ties: lowest id), at most `limit`.
    func select(limit: Int) -> Plan { newest(FilterPlanner.columns, limit: limit) }

    /// Like `select`, but only each row's place: rowid, created_at and id.
    func ranking(limit: Int) -> Plan { newest("e.rowid, e.created_at, e.id", limit: limit) }

    private func newest(_ columns: String, limit: Int) -> Plan {
        var values: [SQLiteValue] = []
        let (from, conditions, time) = body(&values)
        values.append(.int(Int64(limit)))
        // DISTINCT orders by a result column; otherwise by the index's own time column.
        let distinct = needsDistinct ? "DISTINCT " : ""
        let order = needsDistinct ? "e.created_at" : time
        return Plan(sql: """
            SELECT \(distinct)\(columns) FROM \(from)
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(order) DESC, e.id LIMIT ?
            """, values: values)
    }

    /// True when the chosen index cannot deliver rows newest-first by itself (several
    /// authors, kinds or tag values): SQLite would read every match and sort it, with the
    /// table row of each. `boundary` then finds the cut-off time from the index alone.
    var needsBoundary: Bool {
        switch access {
        case .ids, .time: return false
        case .followers: return true  // `follows` is keyed by follower, not time
        case .tag(let name): return (filter.tags[name]?.count ?? 0) > 1
        case .authors: return (filter.authors?.count ?? 0) * (filter.kinds?.count ?? 1) > 1 || filter.kinds == nil
        case .kinds: return (filter.kinds?.count ?? 0) > 1
        }
    }

    /// The `created_at` of the `limit`-th newest index entry, using only the conditions the
    /// access index holds (no table lookups). The filter's own result can only have fewer
    /// entries at or above it, so a select bounded by it contains the answer whenever it
    /// returns `limit` events.
    func boundary(limit: Int) -> Plan? {
        guard access != .ids, access != .time else { return nil }
        var values: [SQLiteValue] = []
        var (from, conditions, time) = indexConditions(&values)
        conditions += timeWindow(time, &values)
        values.append(.int(Int64(limit - 1)))
        return Plan(sql: """
            SELECT \(time) FROM \(from) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(time) DESC LIMIT 1 OFFSET ?
            """, values: values)
    }

    /// The number of distinct events the filter matches.
    func count() -> Plan {
        var values: [SQLiteValue] = []
        let (from, conditions, _) = body(&values)
        let counted = needsDistinct ? "count(DISTINCT e.rowid)" : "count(*)"
        return Plan(sql: "SELECT \(counted) FROM \(from) WHERE \(conditions.joined(separator: " AND "))", values: values)
    }

    /// Row ids of matching events (for counting a union of filters).
    func rowIDs() -> Plan {
        var values: [SQLiteValue] = []
        let (from, conditions, _) = body(&values)
        return Plan(sql: "SELECT e.rowid FROM \(from) WHERE \(conditions.joined(separator: " AND "))", values: values)
    }

    /// Matching events with rowid > `after`, in rowid order (export).
    func scan(after: Int64, limit: Int) -> Plan {
        var values: [SQLiteValue] = [.int(after)]
        let conditions = ["e.rowid > ?"] + allConditions(&values)
        values.append(.int(Int64(limit)))
        return Plan(sql: """
            SELECT \(FilterPlanner.columns) FROM events AS e
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY e.rowid LIMIT ?
            """, values: values)
    }

    /// Every condition of the filter checked on an events row `e` (none used for access):
    /// for scans and for full-text candidates.
    func allConditions(_ values: inout [SQLiteValue]) -> [String] {
        var conditions: [String] = []
        if let authors = filter.authors { conditions.append(Self.inList("e.pubkey", authors.sorted().map(SQLiteValue.id), &values)) }
        if let kinds = filter.kinds { conditions.append(Self.inList("e.kind", Self.kindValues(kinds), &values)) }
        conditions += timeWindow("e.created_at", &values) + [notExpired(&values)]
        return conditions + otherTags(except: nil, &values)
    }

    /// A tag filter with several values can reach the same event through several rows.
    private var needsDistinct: Bool {
        switch access {
        case .tag(let name): return (filter.tags[name]?.count ?? 0) > 1
        case .followers: return Self.followedKeys(filter).count > 1
        default: return false
        }
    }

    /// The table or index read, the conditions it answers without a table lookup, and its
    /// time column.
    private func indexConditions(_ values: inout [SQLiteValue]) -> (from: String, conditions: [String], time: String) {
        switch access {
        case .ids:
            let ids = filter.ids!.sorted().map(SQLiteValue.id)
            return ("events AS e INDEXED BY events_id", [Self.inList("e.id", ids, &values)], "e.created_at")
        case .tag(let name):
            values.append(.text(name))
            var conditions = ["t.name = ?", Self.inList("t.value", filter.tags[name]!.sorted().map(TagIndex.value), &values)]
            if let kinds = filter.kinds { conditions.append(Self.inList("t.kind", Self.kindValues(kinds), &values)) }
            return ("tags AS t", conditions, "t.created_at")
        case .authors:
            var conditions = [Self.inList("e.pubkey", filter.authors!.sorted().map(SQLiteValue.id), &values)]
            if let kinds = filter.kinds { conditions.append(Self.inList("e.kind", Self.kindValues(kinds), &values)) }
            return ("events AS e INDEXED BY events_author", conditions, "e.created_at")
        case .kinds:
            return ("events AS e INDEXED BY events_kind", [Self.inList("e.kind", Self.kindValues(filter.kinds!), &values)], "e.created_at")
        case .time:
            return ("events AS e INDEXED BY events_time", [], "e.created_at")
        case .followers:
            return ("follows AS f", [Self.inList("f.followed", Self.followedKeys(filter), &values)], "f.created_at")
        }
    }

    /// FROM clause, WHERE conditions and the time column to order by.
    private func body(_ values: inout [SQLiteValue]) -> (String, [String], String) {
        var (from, conditions, time) = indexConditions(&values)
        conditions += timeWindow(time, &values)
        if access == .followers {
            from = "follows AS f CROSS JOIN events AS e INDEXED BY events_author ON e.pubkey = f.follower AND e.kind = 3"
        }
        if case .tag(let name) = access {
            from = "tags AS t CROSS JOIN events AS e ON e.rowid = t.event"
            if let authors = filter.authors { conditions.append(Self.inList("e.pubkey", authors.sorted().map(SQLiteValue.id), &values)) }
            conditions.append(notExpired(&values))
            return (from, conditions + otherTags(except: name, &values), time)
        }
        if access == .ids || access == .time || access == .followers {
            if let authors = filter.authors { conditions.append(Self.inList("e.pubkey", authors.sorted().map(SQLiteValue.id), &values)) }
        }
        if access != .authors && access != .kinds, let kinds = filter.kinds {
            conditions.append(Self.inList("e.kind", Self.kindValues(kinds), &values))
        }
        conditions.append(notExpired(&values))
        return (from, conditions + otherTags(except: nil, &values), time)
    }

    private func timeWindow(_ column: String, _ values: inout [SQLiteValue]) -> [String] {
        var conditions: [String] = []
        if let since = filter.since { conditions.append("\(column) >= ?"); values.append(.int(since)) }
        if let until = filter.until { conditions.append("\(column) <= ?"); values.append(.int(until)) }
        return conditions
    }

    /// NIP-40: an expired event is never returned, even before the sweep removes it.
    private func notExpired(_ values: inout [SQLiteValue]) -> String {
        values.append(.int(now))
        return "(e.expiration IS NULL OR e.expiration > ?)"
    }

    /// EXISTS checks for tag conditions other than the one used for access. Each is a
    /// primary-key lookup: (name, value, created_at, event) are all known; a contact list's
    /// pubkeys are looked up in `follows` by (followed, follower).
    private func otherTags(except accessTag: String?, _ values: inout [SQLiteValue]) -> [String] {
        filter.tags.sorted(by: { $0.key < $1.key }).compactMap { name, tagValues in
            guard name != accessTag, !(name == "p" && access == .followers) else { return nil }
            values.append(.text(name))
            let valueList = Self.inList("o.value", tagValues.sorted().map(TagIndex.value), &values)
            let inTags = "EXISTS (SELECT 1 FROM tags AS o WHERE o.name = ? AND \(valueList) AND o.created_at = e.created_at AND o.event = e.rowid)"
            let keys = name == "p" ? Self.followedKeys(filter) : []
            guard !keys.isEmpty else { return inTags }
            let keyList = Self.inList("g.followed", keys, &values)
            return "(\(inTags) OR (e.kind = 3 AND EXISTS (SELECT 1 FROM follows AS g WHERE \(keyList) AND g.follower = e.pubkey)))"
        }
    }

    /// `column IN (?, ?, …)`, appending the values.
    static func inList(_ column: String, _ items: [SQLiteValue], _ values: inout [SQLiteValue]) -> String {
        values += items
        return "\(column) IN (\(placeholders(items.count)))"
    }

    static func kindValues(_ kinds: Set<Int>) -> [SQLiteValue] { kinds.sorted().map { .int(Int64($0)) } }
}
