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
    /// Every table `DerivedData` maintains.
    static let derivedTables = ["profiles", "follows", "user_stats", "event_stats", "actions", "score_window", "zaps", "thread",
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
