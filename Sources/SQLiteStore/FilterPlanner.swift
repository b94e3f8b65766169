import Nostr

/// Turns one NIP-01 filter into one SQL statement that reads through exactly one index:
/// ids, else a tag, else author (+kind), else kind, else time. Every value is bound, never
/// spliced into the SQL text; the text varies only with the shape of the filter, so the
/// connection's statement cache serves repeated shapes.
struct FilterPlanner {
    /// How the rows are reached.
    enum Access: Equatable {
        case ids
        case tag(String)
        case authors
        case kinds
        case time
    }

    struct Plan {
        let sql: String
        let values: [SQLiteValue]
    }

    /// The columns every event query returns, in `StoredEvent` order.
    static let columns = "e.rowid, e.id, e.pubkey, e.created_at, e.kind, e.json, e.sig"

    let filter: Filter
    let now: Int64

    var access: Access {
        if filter.ids != nil { return .ids }
        if let tag = filter.tags.min(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) }) { return .tag(tag.key) }
        if filter.authors != nil { return .authors }
        if filter.kinds != nil { return .kinds }
        return .time
    }

    /// Rows of the filter, newest first (ties: lowest id), at most `limit`.
    func select(limit: Int) -> Plan {
        var values: [SQLiteValue] = []
        let (from, conditions, orderTime) = body(&values)
        values.append(.int(Int64(limit)))
        // DISTINCT orders by a result column; otherwise by the index's own time column.
        let distinct = needsDistinct ? "DISTINCT " : ""
        let order = needsDistinct ? "e.created_at" : orderTime
        return Plan(sql: """
            SELECT \(distinct)\(FilterPlanner.columns) FROM \(from)
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(order) DESC, e.id LIMIT ?
            """, values: values)
    }

    /// The `created_at` of the `limit`-th newest index entry, using only the conditions the
    /// access index holds (no table lookups). The filter's own result can only have fewer
    /// entries at or above it, so `select(limit:since:)` with this bound contains the answer
    /// whenever it returns `limit` events.
    func boundary(limit: Int) -> Plan? {
        var values: [SQLiteValue] = []
        var conditions: [String] = []
        let from: String, time: String
        switch access {
        case .ids, .time:
            return nil
        case .tag(let name):
            let tagValues = filter.tags[name]!.sorted()
            conditions.append("t.name = ?")
            values.append(.text(name))
            conditions.append("t.value IN (\(placeholders(tagValues.count)))")
            values += tagValues.map(TagIndex.value)
            if let kinds = filter.kinds {
                conditions.append("t.kind IN (\(placeholders(kinds.count)))")
                values += kinds.sorted().map { .int(Int64($0)) }
            }
            (from, time) = ("tags AS t", "t.created_at")
        case .authors:
            let authors = filter.authors!.sorted()
            conditions.append("e.pubkey IN (\(placeholders(authors.count)))")
            values += authors.map(SQLiteValue.id)
            if let kinds = filter.kinds {
                conditions.append("e.kind IN (\(placeholders(kinds.count)))")
                values += kinds.sorted().map { .int(Int64($0)) }
            }
            (from, time) = ("events AS e INDEXED BY events_author", "e.created_at")
        case .kinds:
            let kinds = filter.kinds!.sorted()
            conditions.append("e.kind IN (\(placeholders(kinds.count)))")
            values += kinds.map { .int(Int64($0)) }
            (from, time) = ("events AS e INDEXED BY events_kind", "e.created_at")
        }
        if let since = filter.since { conditions.append("\(time) >= ?"); values.append(.int(since)) }
        if let until = filter.until { conditions.append("\(time) <= ?"); values.append(.int(until)) }
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
        eventConditions(&values, skipKinds: false, skipAuthors: false, skipTime: false) + otherTags(except: nil, &values)
    }

    /// True when the chosen index cannot deliver rows newest-first by itself (several
    /// authors, kinds or tag values): SQLite would read every match and sort it, with the
    /// table row of each. `boundary` then finds the cut-off time from the index alone.
    var needsBoundary: Bool {
        switch access {
        case .ids, .time: return false
        case .tag(let name): return (filter.tags[name]?.count ?? 0) > 1
        case .authors: return (filter.authors?.count ?? 0) * (filter.kinds?.count ?? 1) > 1 || filter.kinds == nil
        case .kinds: return (filter.kinds?.count ?? 0) > 1
        }
    }

    /// A tag filter with several values can reach the same event through several rows.
    private var needsDistinct: Bool {
        if case .tag(let name) = access { return (filter.tags[name]?.count ?? 0) > 1 }
        return false
    }

    /// FROM clause, WHERE conditions and the time column to order by, for `access`.
    private func body(_ values: inout [SQLiteValue]) -> (String, [String], String) {
        var conditions: [String] = []
        switch access {
        case .ids:
            let ids = filter.ids!.sorted()
            conditions.append("e.id IN (\(placeholders(ids.count)))")
            values += ids.map(SQLiteValue.id)
            conditions += eventConditions(&values, skipKinds: false, skipAuthors: false, skipTime: false)
            conditions += otherTags(except: nil, &values)
            return ("events AS e INDEXED BY events_id", conditions, "e.created_at")
        case .tag(let name):
            let tagValues = filter.tags[name]!.sorted()
            conditions.append("t.name = ?")
            values.append(.text(name))
            conditions.append("t.value IN (\(placeholders(tagValues.count)))")
            values += tagValues.map(TagIndex.value)
            if let since = filter.since { conditions.append("t.created_at >= ?"); values.append(.int(since)) }
            if let until = filter.until { conditions.append("t.created_at <= ?"); values.append(.int(until)) }
            if let kinds = filter.kinds {
                conditions.append("t.kind IN (\(placeholders(kinds.count)))")
                values += kinds.sorted().map { .int(Int64($0)) }
            }
            conditions += eventConditions(&values, skipKinds: true, skipAuthors: false, skipTime: true)
            conditions += otherTags(except: name, &values)
            return ("tags AS t CROSS JOIN events AS e ON e.rowid = t.event", conditions, "t.created_at")
        case .authors:
            conditions += eventConditions(&values, skipKinds: false, skipAuthors: false, skipTime: false)
            return ("events AS e INDEXED BY events_author", conditions, "e.created_at")
        case .kinds:
            conditions += eventConditions(&values, skipKinds: false, skipAuthors: false, skipTime: false)
            return ("events AS e INDEXED BY events_kind", conditions, "e.created_at")
        case .time:
            conditions += eventConditions(&values, skipKinds: false, skipAuthors: false, skipTime: false)
            return ("events AS e INDEXED BY events_time", conditions, "e.created_at")
        }
    }

    /// Conditions on the events row: authors, kinds, time window, not expired.
    private func eventConditions(_ values: inout [SQLiteValue], skipKinds: Bool, skipAuthors: Bool, skipTime: Bool) -> [String] {
        var conditions: [String] = []
        if !skipAuthors, let authors = filter.authors {
            conditions.append("e.pubkey IN (\(placeholders(authors.count)))")
            values += authors.sorted().map(SQLiteValue.id)
        }
        if !skipKinds, let kinds = filter.kinds {
            conditions.append("e.kind IN (\(placeholders(kinds.count)))")
            values += kinds.sorted().map { .int(Int64($0)) }
        }
        if !skipTime {
            if let since = filter.since { conditions.append("e.created_at >= ?"); values.append(.int(since)) }
            if let until = filter.until { conditions.append("e.created_at <= ?"); values.append(.int(until)) }
        }
        conditions.append("(e.expiration IS NULL OR e.expiration > ?)")
        values.append(.int(now))
        return conditions
    }

    /// EXISTS checks for tag conditions other than the one used for access. Each is a
    /// primary-key lookup: (name, value, created_at, event) are all known.
    private func otherTags(except accessTag: String?, _ values: inout [SQLiteValue]) -> [String] {
        filter.tags.sorted(by: { $0.key < $1.key }).compactMap { name, tagValues in
            name == accessTag ? nil : tagExists(name, tagValues, &values)
        }
    }

    private func tagExists(_ name: String, _ tagValues: Set<String>, _ values: inout [SQLiteValue]) -> String {
        values.append(.text(name))
        values += tagValues.sorted().map(TagIndex.value)
        return """
            EXISTS (SELECT 1 FROM tags AS o WHERE o.name = ? AND o.value IN (\(placeholders(tagValues.count))) \
            AND o.created_at = e.created_at AND o.event = e.rowid)
            """
    }

    private func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
