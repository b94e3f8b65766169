import Nostr

/// NIP-50 search through the full-text indexes. The other conditions of the filter apply
/// as usual; the match itself is bounded: the index is read newest-stored first and at most
/// `candidates` matches are ranked (bm25 blended with recency), so a common word never
/// makes a query sort every hit.
struct SearchPlanner {
    let filter: Filter
    let now: Int64

    /// How many of the newest matches are ranked.
    static let candidates = 300

    /// Which indexes a search filter reads: notes unless the kinds exclude them, profiles
    /// when the kinds include 0 or are not given.
    var searchesNotes: Bool { filter.kinds.map { !$0.isDisjoint(with: FullText.noteKinds) } ?? true }
    var searchesProfiles: Bool { filter.kinds.map { $0.contains(0) } ?? true }

    /// Candidates from one index: rowid, created_at and bm25 (the JSON is read only for
    /// the winners).
    func plan(index: String, match: String) -> FilterPlanner.Plan {
        var values: [SQLiteValue] = [.text(match)]
        var conditions = ["\(index) MATCH ?"]
        var rest = filter
        rest.search = nil
        rest.kinds = index == "notes_fts" ? (filter.kinds ?? FullText.noteKinds).intersection(FullText.noteKinds) : [0]
        conditions += FilterPlanner(filter: rest, now: now).allConditions(&values)
        values.append(.int(Int64(SearchPlanner.candidates)))
        return FilterPlanner.Plan(sql: """
            SELECT e.rowid, e.created_at, bm25(\(index)) FROM \(index)
            CROSS JOIN events AS e ON e.rowid = \(index).rowid
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(index).rowid DESC LIMIT ?
            """, values: values)
    }

    /// Relevance blended with recency: bm25 (smaller is better, so negated) divided by one
    /// plus the age in days.
    static func score(bm25: Double, createdAt: Int64, now: Int64) -> Double {
        let ageDays = max(0, Double(now - createdAt)) / 86_400
        return -bm25 / (1 + ageDays)
    }
}
