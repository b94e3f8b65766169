import Nostr
import Store

/// Reading one filter's events: by index, or by full-text rank.
extension SQLiteStore {
    /// The newest `limit` events of one filter, with their row ids. Contact lists matched
    /// by `#p` through `follows` (`FilterPlanner.followsPart`) are ranked by time and id
    /// first and merged in; only those that make the answer are read whole, as a list's
    /// JSON runs to kilobytes.
    static func select(_ filter: Filter, limit: Int, now: Int64, _ db: SQLiteConnection) throws -> [(Int64, StoredEvent)] {
        let planner = FilterPlanner(filter: filter, now: now)
        let rows = try newest(planner, limit: limit, db, plan: { $0.select(limit: limit) }) { ($0.int64(0), storedEvent($0)) }
        guard var contactLists = planner.followsPart else { return rows }
        // Only lists at least as new as the last of `limit` rows can still make the answer.
        if rows.count >= limit, let last = rows.last { contactLists = contactLists.since(last.1.createdAt) }
        let listed = Set(rows.map(\.0))
        let lists = try newest(contactLists, limit: limit, db, plan: { $0.ranking(limit: limit) }) {
            Ranked(rowID: $0.int64(0), createdAt: $0.int64(1), id: $0.bytes32(2)!)
        }.filter { !listed.contains($0.rowID) }
        guard !lists.isEmpty else { return rows }
        let ranked = rows.map { Ranked(rowID: $0.0, createdAt: $0.1.createdAt, id: $0.1.id) } + lists
        let winners = ranked.sorted(by: Ranked.newestFirst).prefix(limit)
        var byRowID = Dictionary(rows, uniquingKeysWith: { first, _ in first })
        byRowID.merge(try events(rowIDs: winners.map(\.rowID).filter { !listed.contains($0) }, db)) { first, _ in first }
        return winners.compactMap { winner in byRowID[winner.rowID].map { (winner.rowID, $0) } }
    }

    /// An event's place in a newest-first answer, before it is read.
    private struct Ranked {
        let rowID: Int64
        let createdAt: Int64
        let id: EventID

        static func newestFirst(_ a: Ranked, _ b: Ranked) -> Bool {
            a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.id < b.id
        }
    }

    /// Runs a newest-first plan. When the index cannot return rows in time order (several
    /// authors, kinds or tag values), the cut-off time is found first from the index alone,
    /// and only events at or after it are read: a home feed of 150 authors reads about
    /// `limit` rows, not every post of every author.
    private static func newest<Row>(_ planner: FilterPlanner, limit: Int, _ db: SQLiteConnection,
                                    plan: (FilterPlanner) -> FilterPlanner.Plan,
                                    row: (SQLiteStatement) -> Row) throws -> [Row] {
        func run(_ planner: FilterPlanner) throws -> [Row] {
            var rows: [Row] = []
            let plan = plan(planner)
            try db.run(built: plan.sql, plan.values) { rows.append(row($0)) }
            return rows
        }
        guard planner.needsBoundary, let boundaryPlan = planner.boundary(limit: limit),
              let boundary = try db.scalar(built: boundaryPlan.sql, boundaryPlan.values)
        else { return try run(planner) }
        let rows = try run(planner.since(boundary))
        // Fewer than `limit` means conditions outside the index (expiration, other tags)
        // dropped some: the answer may reach further back, so ask without the bound.
        return rows.count >= limit ? rows : try run(planner)
    }

    /// Full-text matches for a filter, best first, with their row ids.
    static func search(_ filter: Filter, limit: Int, now: Int64, _ db: SQLiteConnection) throws -> [(Int64, StoredEvent)] {
        let planner = SearchPlanner(filter: filter, now: now)
        var scored: [(score: Double, createdAt: Int64, rowID: Int64)] = []
        let indexes = [(planner.searchesNotes, "notes_fts", false), (planner.searchesProfiles, "profiles_fts", true)]
        for (wanted, index, prefix) in indexes where wanted {
            guard let match = FullText.matchQuery(filter.search ?? "", prefixLast: prefix) else { continue }
            let plan = planner.plan(index: index, match: match)
            try db.run(built: plan.sql, plan.values) { row in
                let createdAt = row.int64(1)
                scored.append((SearchPlanner.score(bm25: row.double(2), createdAt: createdAt, now: now), createdAt, row.int64(0)))
            }
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : ($0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.rowID < $1.rowID) }
        let winners = scored.prefix(limit).map(\.rowID)
        let byRowID = try events(rowIDs: winners, db)
        return winners.compactMap { rowID in byRowID[rowID].map { (rowID, $0) } }
    }

    /// Events by row id.
    private static func events(rowIDs: [Int64], _ db: SQLiteConnection) throws -> [Int64: StoredEvent] {
        guard !rowIDs.isEmpty else { return [:] }
        var byRowID: [Int64: StoredEvent] = [:]
        let sql = "SELECT \(FilterPlanner.columns) FROM events AS e WHERE e.rowid IN (\(placeholders(rowIDs.count)))"
        try db.run(built: sql, rowIDs.map { .int($0) }) { byRowID[$0.int64(0)] = storedEvent($0) }
        return byRowID
    }
}
