import Nostr

/// Interactions and the per-target counters and scores they move.
extension DerivedData {
    private struct Row {
        let createdAt: Int64
        let ref: EventID
        let weight: Int64
    }

    private func key(_ i: Interaction) -> [SQLiteValue] {
        [.target(i.target), .id(i.actor), .int(i.kind.rawValue)]
    }

    /// The scoring (earliest) action of `i`'s (target, actor, kind), if any.
    private func firstAction(_ i: Interaction) throws -> Row? {
        var found: Row?
        try db.run("""
            SELECT created_at, ref, weight FROM actions
            WHERE target = ? AND actor = ? AND type = ? ORDER BY created_at, ref LIMIT 1
            """, key(i)) { found = Row(createdAt: $0.int64(0), ref: $0.bytes32(1)!, weight: $0.int64(2)) }
        return found
    }

    func add(_ i: Interaction) throws {
        let current = try firstAction(i)
        let becomesFirst = current.map { (i.createdAt, i.ref) < ($0.createdAt, $0.ref) } ?? true
        try db.run("""
            INSERT OR IGNORE INTO actions (target, actor, type, created_at, ref, weight, amount, first)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, key(i) + [.int(i.createdAt), .id(i.ref), .int(i.weight), .int(i.amount), .int(becomesFirst ? 1 : 0)])
        guard db.changes > 0 else { return }
        var delta = StatsDelta()
        switch i.kind {
        case .reply: delta.replies = 1
        case .zap: delta.zaps = 1; delta.sats = i.amount
        default: break
        }
        if becomesFirst {
            if let current {
                try db.run("UPDATE actions SET first = 0 WHERE target = ? AND actor = ? AND type = ? AND created_at = ? AND ref = ?",
                           key(i) + [.int(current.createdAt), .id(current.ref)])
                delta.replaceScorer(old: current.createdAt, oldWeight: current.weight, new: i.createdAt, newWeight: i.weight, cutoff: scoreCutoff)
                try leaveWindow(i, createdAt: current.createdAt)
            } else {
                delta.addScorer(i.createdAt, i.weight, cutoff: scoreCutoff)
                if i.kind == .like { delta.likes = 1 }
                if i.kind == .repost { delta.reposts = 1 }
            }
            try enterWindow(i, createdAt: i.createdAt, weight: i.weight)
        }
        try apply(delta, to: i.target)
    }

    func remove(_ i: Interaction) throws {
        var wasFirst = false
        try db.run("""
            DELETE FROM actions WHERE target = ? AND actor = ? AND type = ? AND created_at = ? AND ref = ? RETURNING first
            """, key(i) + [.int(i.createdAt), .id(i.ref)]) { wasFirst = $0.int64(0) == 1 }
        guard db.changes > 0 else { return }
        var delta = StatsDelta()
        switch i.kind {
        case .reply: delta.replies = -1
        case .zap: delta.zaps = -1; delta.sats = -i.amount
        default: break
        }
        if wasFirst {
            try leaveWindow(i, createdAt: i.createdAt)
            if let next = try firstAction(i) {
                try db.run("UPDATE actions SET first = 1 WHERE target = ? AND actor = ? AND type = ? AND created_at = ? AND ref = ?",
                           key(i) + [.int(next.createdAt), .id(next.ref)])
                delta.replaceScorer(old: i.createdAt, oldWeight: i.weight, new: next.createdAt, newWeight: next.weight, cutoff: scoreCutoff)
                try enterWindow(i, createdAt: next.createdAt, weight: next.weight)
            } else {
                delta.addScorer(i.createdAt, -i.weight, cutoff: scoreCutoff)
                if i.kind == .like { delta.likes = -1 }
                if i.kind == .repost { delta.reposts = -1 }
            }
        }
        try apply(delta, to: i.target)
    }

    /// A scoring action newer than the cutoff counts in score24h until the decay takes it.
    private func enterWindow(_ i: Interaction, createdAt: Int64, weight: Int64) throws {
        guard createdAt > scoreCutoff, weight != 0 else { return }
        try db.run("INSERT OR REPLACE INTO score_window (created_at, target, actor, type, weight) VALUES (?, ?, ?, ?, ?)",
                   [.int(createdAt)] + key(i) + [.int(weight)])
    }

    private func leaveWindow(_ i: Interaction, createdAt: Int64) throws {
        guard createdAt > scoreCutoff else { return }
        try db.run("DELETE FROM score_window WHERE created_at = ? AND target = ? AND actor = ? AND type = ?", [.int(createdAt)] + key(i))
    }

    struct StatsDelta {
        var likes: Int64 = 0, replies: Int64 = 0, reposts: Int64 = 0, zaps: Int64 = 0, sats: Int64 = 0
        var score: Int64 = 0, score24h: Int64 = 0

        mutating func addScorer(_ createdAt: Int64, _ weight: Int64, cutoff: Int64) {
            score += weight
            if createdAt > cutoff { score24h += weight }
        }

        mutating func replaceScorer(old: Int64, oldWeight: Int64, new: Int64, newWeight: Int64, cutoff: Int64) {
            addScorer(old, -oldWeight, cutoff: cutoff)
            addScorer(new, newWeight, cutoff: cutoff)
        }

        var isZero: Bool { [likes, replies, reposts, zaps, sats, score, score24h].allSatisfy { $0 == 0 } }
        /// Only a decrease can leave a row with nothing in it.
        var hasDecrease: Bool { [likes, replies, reposts, zaps, sats, score, score24h].contains { $0 < 0 } }

        mutating func merge(_ d: StatsDelta) {
            likes += d.likes; replies += d.replies; reposts += d.reposts; zaps += d.zaps; sats += d.sats
            score += d.score; score24h += d.score24h
        }
    }

    /// Adds to a target's counters (written at `flush()`).
    private func apply(_ d: StatsDelta, to target: EventReference) throws {
        guard !d.isZero else { return }
        statsDeltas[.target(target), default: StatsDelta()].merge(d)
    }

    func writeStats(_ d: StatsDelta, to target: SQLiteValue) throws {
        try db.run("""
            INSERT INTO event_stats (target, likes, replies, reposts, zaps, satszapped, score, score24h)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (target) DO UPDATE SET
                likes = likes + excluded.likes, replies = replies + excluded.replies,
                reposts = reposts + excluded.reposts, zaps = zaps + excluded.zaps,
                satszapped = satszapped + excluded.satszapped, score = score + excluded.score,
                score24h = score24h + excluded.score24h
            """, [target, .int(d.likes), .int(d.replies), .int(d.reposts), .int(d.zaps), .int(d.sats),
                  .int(d.score), .int(d.score24h)])
        if d.hasDecrease {
            try db.run("""
                DELETE FROM event_stats WHERE target = ? AND likes = 0 AND replies = 0 AND reposts = 0 AND zaps = 0
                    AND satszapped = 0 AND score = 0 AND score24h = 0
                """, [target])
        }
    }

    /// Moves the score24h cutoff forward: first actions that fall out of the last 24 hours
    /// stop counting. Returns how many targets changed.
    static func advanceScoreCutoff(_ db: SQLiteConnection, to cutoff: Int64) throws -> Int {
        let previous = try currentScoreCutoff(db) ?? cutoff
        guard cutoff > previous else {
            if try currentScoreCutoff(db) == nil { try setScoreCutoff(db, cutoff) }
            return 0
        }
        var expired: [SQLiteValue: Int64] = [:]
        try db.run("SELECT target, weight FROM score_window WHERE created_at <= ?", [.int(cutoff)]) { row in
            let target: SQLiteValue = row.isBlob(0) ? .blob(row.bytes(0)) : .text(row.text(0) ?? "")
            expired[target, default: 0] += row.int64(1)
        }
        try db.run("DELETE FROM score_window WHERE created_at <= ?", [.int(cutoff)])
        for (target, weight) in expired where weight != 0 {
            try db.run("UPDATE event_stats SET score24h = score24h - ? WHERE target = ?", [.int(weight), target])
            try db.run("""
                DELETE FROM event_stats WHERE target = ? AND likes = 0 AND replies = 0 AND reposts = 0 AND zaps = 0
                    AND satszapped = 0 AND score = 0 AND score24h = 0
                """, [target])
        }
        try setScoreCutoff(db, cutoff)
        return expired.count
    }

    static func currentScoreCutoff(_ db: SQLiteConnection) throws -> Int64? {
        try db.scalar("SELECT value FROM counters WHERE name = 'score24h_cutoff'")
    }

    static func setScoreCutoff(_ db: SQLiteConnection, _ cutoff: Int64) throws {
        try db.run("INSERT OR REPLACE INTO counters (name, value) VALUES ('score24h_cutoff', ?)", [.int(cutoff)])
    }
}
