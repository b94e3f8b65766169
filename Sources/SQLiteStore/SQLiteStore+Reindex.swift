import Foundation
import Nostr
import Store
import Workers

/// What `reindex` did.
public struct ReindexReport: Sendable {
    public let events: Int
    public let seconds: Double
    /// Rows per derived table afterwards.
    public let rows: [(table: String, count: Int)]
}

extension SQLiteStore {
    /// Every table `DerivedData` maintains. (`follows` is not one: `EventApplier` keeps it as
    /// the index of contact lists' `p` tags, with derived data on or off.)
    static let derivedTables = ["profiles", "user_stats", "event_stats", "actions", "score_window", "zaps", "thread",
                                "hashtags", "media_notes", "notifications", "dm_counts", "counters", "posts"]

    /// Drops every derived table's rows and rebuilds them from `events` in one pass, in one
    /// transaction on the writer thread (writes wait meanwhile). `progress` gets (done, total).
    /// Follow and unfollow notifications are kept: they record changes between contact-list
    /// versions that are no longer stored, so no rebuild could make them again.
    public func reindex(progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> ReindexReport {
        guard let writer else { throw StoreError.readOnly }
        guard configuration.derivedData else { throw StoreError.invalidRequest("derived data is turned off for this store") }
        let now = configuration.now()
        return try await writer.perform { db in
            let started = monotonicNow()
            for table in Self.derivedTables where table != "notifications" { try db.execute("DELETE FROM \(table)") }
            try db.execute("DELETE FROM notifications WHERE type NOT IN (1, 2)")
            // Backfill keeps its asking state; what stored events name is counted again.
            try db.execute("UPDATE backfill SET stored = 0 WHERE type = 0; DELETE FROM backfill WHERE type IN (1, 2) AND wanted_by < 2")
            try DerivedData.setScoreCutoff(db, now - 86_400)
            let derived = DerivedData(db: db, scoreCutoff: now - 86_400)
            let total = Int(try db.scalar("SELECT count(*) FROM events") ?? 0)
            var done = 0
            var last: Int64 = 0
            while true {
                var batch: [StoredEvent] = []
                try db.run("""
                    SELECT e.rowid, e.id, e.pubkey, e.created_at, e.kind, e.json, e.sig FROM events AS e
                    WHERE e.rowid > ? ORDER BY e.rowid LIMIT 2000
                    """, [.int(last)]) { row in
                    last = row.int64(0)
                    batch.append(Self.storedEvent(row))
                }
                if batch.isEmpty { break }
                for stored in batch { try derived.didInsert(try stored.parsed(), replacing: nil) }
                if derived.pendingCount > 50_000 { try derived.flush() }
                done += batch.count
                progress?(done, total)
            }
            try derived.flush()
            var rows: [(String, Int)] = []
            for table in Self.derivedTables {
                rows.append((table, Int(try db.scalar(built: "SELECT count(*) FROM \(table)") ?? 0)))
            }
            return ReindexReport(events: done, seconds: monotonicNow() - started, rows: rows)
        }
    }

    /// Moves the score24h window to `now` (the writer also does this every sweep interval).
    public func advanceScoreWindow() async throws {
        guard let writer else { return }
        let now = configuration.now()
        _ = try await writer.perform { db in try DerivedData.advanceScoreCutoff(db, to: now - 86_400) }
    }
}

extension SQLiteStore {
    /// Every derived table's rows as text, sorted, to compare two stores or a store with
    /// its own rebuild (tests). Notifications are listed without
    /// their insertion number and without follow notifications, which depend on history.
    func derivedRows() async throws -> [String: [String]] {
        try await readers.read { db in
            var result: [String: [String]] = [:]
            for table in SQLiteStore.derivedTables + ["follows"] {
                let sql = table == "notifications"
                    ? "SELECT recipient, created_at, type, cause, actor, target, amount, content FROM notifications WHERE type NOT IN (1, 2)"
                    : "SELECT * FROM \(table)"
                let statement = try db.prepare(built: sql)
                defer { statement.reset() }
                var rows: [String] = []
                while try statement.step() {
                    let columns = (0..<statement.columnCount).map { i -> String in
                        if statement.isNull(i) { return "null" }
                        if statement.isBlob(i) { return Hex.encode(statement.bytes(i)) }
                        return statement.text(i) ?? ""
                    }
                    rows.append(columns.joined(separator: "|"))
                }
                result[table] = rows.sorted()
            }
            return result
        }
    }
}
