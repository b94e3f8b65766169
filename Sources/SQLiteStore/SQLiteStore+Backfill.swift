import Nostr
import Store

/// The `backfill` table (schema 0008): the queue of what to ask the relays for, and what
/// each relay was asked. The writer fills it from stored events (`DerivedData+Backfill`).
extension SQLiteStore: BackfillStore {
    public func requestBackfill(_ targets: [BackfillTarget], now: Int64) async throws {
        guard let writer, !targets.isEmpty else { return }
        try await writer.perform { db in
            // A client's request jumps the queue, but does not cut short the wait of a
            // target no relay had.
            let statement = try db.prepare("""
                INSERT INTO backfill (type, target, wanted_by, queue) VALUES (?1, ?2, 2, 2 << 40)
                ON CONFLICT (type, target) DO UPDATE SET wanted_by = 2,
                    queue = CASE WHEN stored = 7 OR due_at > ?3 THEN queue ELSE 2 << 40 END
                """)
            for target in targets {
                defer { statement.reset() }
                try statement.bind(DerivedData.backfillKey(target) + [.int(now)])
                _ = try statement.step()
            }
        }
    }

    public func waitingBackfill(pubkeys: Bool, slot: Int, limit: Int, excluding: Set<BackfillTarget>) async throws -> [BackfillTarget] {
        try await readers.read { db in
            var found: [BackfillTarget] = []
            for type in pubkeys ? [0] : [1, 2] where found.count < limit {
                try db.run("""
                    SELECT target FROM backfill INDEXED BY backfill_queue
                    WHERE type = ? AND queue IS NOT NULL AND (tried >> ?) & 1 = 0
                    ORDER BY queue DESC LIMIT ?
                    """, [.int(Int64(type)), .int(Int64(slot)), .int(Int64(limit + excluding.count))]) { row in
                    guard found.count < limit, let target = Self.backfillTarget(type: type, row, 0), !excluding.contains(target) else { return }
                    found.append(target)
                }
            }
            return found
        }
    }

    public func recordBackfillAnswer(asked: [BackfillTarget], slot: Int, relaysPerRound: Int, retry: Int64, now: Int64) async throws {
        guard let writer, !asked.isEmpty else { return }
        try await writer.perform { db in
            // Asked here once more; a round ends with everything found or `relaysPerRound`
            // relays asked, and then waits `retry`, doubling each fruitless round. Two
            // statements, so that a target going on to the next relay leaves its queue entry
            // (an index) alone.
            let next = try db.prepare("""
                UPDATE backfill SET tried = tried | (1 << ?3), tries = tries + 1
                WHERE type = ?1 AND target = ?2 AND queue IS NOT NULL AND stored != 7 AND tries + 1 < ?4
                """)
            let done = try db.prepare("""
                UPDATE backfill SET tried = 0, tries = 0, queue = NULL,
                    rounds = CASE WHEN stored != 7 THEN rounds + 1 ELSE rounds END,
                    due_at = CASE WHEN stored != 7 THEN ?5 + min(?6 << min(rounds, 5), 2592000) ELSE due_at END
                WHERE type = ?1 AND target = ?2 AND queue IS NOT NULL AND (stored = 7 OR tries + 1 >= ?4)
                """)
            for target in asked {
                let values = DerivedData.backfillKey(target) + [.int(Int64(slot)), .int(Int64(relaysPerRound)), .int(now), .int(retry)]
                // `done` first: it reads the count of relays asked before this one.
                for (statement, parameters) in [(done, values), (next, Array(values.prefix(4)))] {
                    defer { statement.reset() }
                    try statement.bind(parameters)
                    _ = try statement.step()
                }
            }
        }
    }

    public func maintainBackfill(cap: Int, relaysPerRound: Int, retry: Int64, now: Int64) async throws {
        guard let writer else { return }
        try await writer.perform { db in
            // Back in the queue, ranked by how wanted, then (pubkeys) by followers.
            try db.run("""
                UPDATE backfill INDEXED BY backfill_retry SET queue = (wanted_by << 40)
                    + coalesce((SELECT followers_count FROM user_stats WHERE pubkey = backfill.target AND backfill.type = 0), 0)
                WHERE queue IS NULL AND stored != 7 AND due_at <= ?
                """, [.int(now)])
            try db.run("""
                UPDATE backfill INDEXED BY backfill_queue SET tried = 0, tries = 0, rounds = rounds + 1, queue = NULL,
                    due_at = ?2 + min(?3 << min(rounds, 5), 2592000)
                WHERE queue IS NOT NULL AND type IN (0, 1, 2) AND tries >= ?1
                """, [.int(Int64(relaysPerRound)), .int(now), .int(retry)])
        }
        try await trimBackfill(cap: cap)
    }

    /// Past the cap, forgets the least wanted down to 90 % of it (so that this is rare): chosen
    /// on a reader, deleted by key on the writer.
    private func trimBackfill(cap: Int) async throws {
        guard let writer else { return }
        for types in ["0", "1, 2"] {
            let victims: [[SQLiteValue]] = try await readers.read { db in
                let count = try db.scalar(built: "SELECT count(*) FROM backfill WHERE type IN (\(types))") ?? 0
                guard count > cap else { return [] }
                var keys: [[SQLiteValue]] = []
                try db.run(built: """
                    SELECT b.type, b.target FROM backfill AS b LEFT JOIN user_stats AS u ON b.type = 0 AND u.pubkey = b.target
                    WHERE b.type IN (\(types)) ORDER BY b.wanted_by, coalesce(u.followers_count, 0) LIMIT ?
                    """, [.int(count - Int64(cap) * 9 / 10)]) { row in keys.append([row.value(0), row.value(1)]) }
                return keys
            }
            guard !victims.isEmpty else { continue }
            try await writer.perform { db in
                for key in victims { try db.run("DELETE FROM backfill WHERE type = ? AND target = ?", key) }
            }
        }
    }

    public func backfillSlot(for url: String) async throws -> Int {
        guard let writer else { throw StoreError.readOnly }
        return try await writer.perform { db in
            if let slot = try db.scalar("SELECT backfill_slot FROM relays WHERE url = ? AND backfill_slot IS NOT NULL", [.text(url)]) {
                return Int(slot)
            }
            var taken = Set<Int64>()
            try db.run("SELECT backfill_slot FROM relays WHERE backfill_slot IS NOT NULL") { taken.insert($0.int64(0)) }
            // Past 64 relays ever seen, slots are shared (a target then skips a relay now and then).
            let slot = (0..<64).first { !taken.contains(Int64($0)) } ?? Int(UInt(bitPattern: url.hashValue) % 64)
            try db.run("INSERT INTO relays (url, status) VALUES (?, 'new') ON CONFLICT (url) DO NOTHING", [.text(url)])
            try db.run("UPDATE relays SET backfill_slot = ? WHERE url = ?", [.int(Int64(slot)), .text(url)])
            return slot
        }
    }

    public func backfillStatus() async throws -> BackfillStatus {
        try await readers.read { db in
            var status = BackfillStatus()
            try db.run("""
                SELECT count(*), total(stored & 1 != 0), total(stored & 2 != 0), total(queue IS NOT NULL)
                FROM backfill WHERE type = 0
                """) { row in
                status.knownPubkeys = row.int(0)
                status.withProfile = row.int(1)
                status.withContactList = row.int(2)
                status.waitingPubkeys = row.int(3)
            }
            try db.run("SELECT count(*), total(queue IS NOT NULL) FROM backfill WHERE type IN (1, 2)") { row in
                status.missingEvents = row.int(0)
                status.waitingEvents = row.int(1)
            }
            return status
        }
    }

    /// A row's target from its `type` and the column at `column`.
    static func backfillTarget(type: Int, _ row: SQLiteStatement, _ column: Int32) -> BackfillTarget? {
        switch type {
        case 0: return row.bytes32(column).map(BackfillTarget.pubkey)
        case 1: return row.bytes32(column).map { .event(.id($0)) }
        default: return row.text(column).flatMap(EventAddress.init).map { .event(.address($0)) }
        }
    }
}
