import Nostr
import Store

extension SQLiteStore: ExploreStore {
    /// Seconds a background query (an index rebuild) may run.
    static let backgroundQueryBudget = 120.0

    public func scoredPosts(kinds: Set<Int>, since: Int64) async throws -> [ScoredPost] {
        guard !kinds.isEmpty else { return [] }
        var values: [SQLiteValue] = []
        let kindList = FilterPlanner.inList("e.kind", FilterPlanner.kindValues(kinds), &values)
        values += [.int(since), .int(configuration.now())]
        let bound = values
        // Along the kind index over the window; each post's counters are one primary-key probe.
        // The explore index's background rebuild: at a million events a 30-day window holds
        // 200,000 scored posts, seconds of work, past a client request's budget.
        return try await readers.read(budget: Self.backgroundQueryBudget) { db in
            var posts: [ScoredPost] = []
            try db.run(built: """
                SELECT e.id, e.pubkey, e.created_at, e.kind, s.score, s.score24h, s.satszapped, coalesce(u.followers_count, 0)
                FROM events AS e INDEXED BY events_kind
                JOIN event_stats AS s ON s.target = e.id
                LEFT JOIN user_stats AS u ON u.pubkey = e.pubkey
                WHERE \(kindList) AND e.created_at >= ? AND (e.expiration IS NULL OR e.expiration > ?)
                    AND (s.score > 0 OR s.satszapped > 0)
                    AND EXISTS (SELECT 1 FROM posts AS p WHERE p.pubkey = e.pubkey AND p.is_reply = 0
                                AND p.created_at = e.created_at AND p.event = e.id)
                """, bound) { row in
                posts.append(ScoredPost(id: row.bytes32(0)!, pubkey: row.bytes32(1)!, createdAt: row.int64(2), kind: row.int(3),
                                        score: row.int64(4), score24h: row.int64(5), satsZapped: row.int64(6), authorFollowers: row.int(7)))
            }
            return posts
        }
    }

    public func bestPosts(author: PublicKey, kinds: Set<Int>, limit: Int) async throws -> [FeedItem] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        var values: [SQLiteValue] = [.blob(author.bytes)]
        let kindList = FilterPlanner.inList("p.kind", FilterPlanner.kindValues(kinds), &values)
        values.append(.int(Int64(limit)))
        let bound = values
        // Every post of the author along the posts key, each with one probe of its counters.
        return try await readers.read { db in
            var items: [FeedItem] = []
            try db.run(built: """
                SELECT p.event, s.score FROM posts AS p JOIN event_stats AS s ON s.target = p.event
                WHERE p.pubkey = ? AND \(kindList) AND s.score > 0
                ORDER BY s.score DESC, p.created_at DESC, p.event DESC LIMIT ?
                """, bound) { row in
                items.append(FeedItem(id: row.bytes32(0)!, sortValue: row.int64(1)))
            }
            return items
        }
    }

    public func zaps(_ selection: ZapSelection, order: ZapOrder, page: Page) async throws -> [ZapInfo] {
        guard page.limit > 0 else { return [] }
        var values: [SQLiteValue] = []
        let condition: String
        switch selection {
        case .targets(let targets):
            guard !targets.isEmpty else { return [] }
            condition = FilterPlanner.inList("target", targets.map(SQLiteValue.target), &values)
        case .received(let receiver):
            condition = "receiver = ?"
            values.append(.id(receiver))
        case .sent(let sender):
            condition = "sender = ?"
            values.append(.id(sender))
        case .involving(let pubkeys):
            guard !pubkeys.isEmpty else { return [] }
            let senders = FilterPlanner.inList("sender", pubkeys.map(SQLiteValue.id), &values)
            let receivers = FilterPlanner.inList("receiver", pubkeys.map(SQLiteValue.id), &values)
            condition = "(\(senders) OR \(receivers))"
        case .ofPostsSince(let since):
            condition = "created_at >= ? AND target IS NOT NULL"
            values.append(.int(since))
        }
        let column = order == .amount ? "amount_sats" : "created_at"
        values += [.int(page.since), .int(page.until), .int(Int64(page.limit)), .int(Int64(page.offset))]
        let bound = values
        return try await readers.read { db in
            var zaps: [ZapInfo] = []
            try db.run(built: """
                SELECT receipt, target, sender, receiver, amount_sats, created_at FROM zaps
                WHERE \(condition) AND \(column) >= ? AND \(column) <= ?
                ORDER BY \(column) DESC, created_at DESC, receipt DESC LIMIT ? OFFSET ?
                """, bound) { row in
                zaps.append(ZapInfo(receipt: row.bytes32(0)!, target: row.targetReference(1), sender: row.bytes32(2)!,
                                    receiver: row.bytes32(3)!, amountSats: row.int64(4), createdAt: row.int64(5)))
            }
            return zaps
        }
    }

    public func followerIncreases(since: Int64) async throws -> [PublicKey: Int] {
        try await readers.read(budget: Self.backgroundQueryBudget) { db in
            var increases: [PublicKey: Int] = [:]
            try db.run("""
                SELECT recipient, sum(CASE type WHEN 1 THEN 1 ELSE -1 END) FROM notifications
                WHERE type IN (1, 2) AND created_at >= ? AND recipient != x'' GROUP BY recipient
                """, [.int(since)]) { row in
                if let pubkey = row.bytes32(0) { increases[pubkey] = row.int(1) }
            }
            return increases
        }
    }

    public func recentMediaPosts(page: Page) async throws -> [FeedItem] {
        guard page.limit > 0 else { return [] }
        let bound: [SQLiteValue] = [.int(page.since), .int(page.until), .int(Int64(page.limit)), .int(Int64(page.offset))]
        // Newest first along the time index; each row is one primary-key probe of media_notes.
        return try await readers.read { db in
            var items: [FeedItem] = []
            try db.run("""
                SELECT e.id, e.created_at FROM events AS e INDEXED BY events_time
                WHERE e.kind = 1 AND e.created_at >= ? AND e.created_at <= ?
                    AND EXISTS (SELECT 1 FROM media_notes AS m WHERE m.pubkey = e.pubkey AND m.created_at = e.created_at AND m.event = e.id)
                    AND EXISTS (SELECT 1 FROM posts AS p WHERE p.pubkey = e.pubkey AND p.is_reply = 0
                                AND p.created_at = e.created_at AND p.event = e.id)
                ORDER BY e.created_at DESC, e.id DESC LIMIT ? OFFSET ?
                """, bound) { items.append(FeedItem(id: $0.bytes32(0)!, sortValue: $0.int64(1))) }
            return items
        }
    }

    public func hashtagCounts(since: Int64, limit: Int) async throws -> [(String, Int)] {
        try await readers.read(budget: Self.backgroundQueryBudget) { db in
            var counts: [(String, Int)] = []
            try db.run("""
                SELECT tag, count(*) AS n FROM hashtags INDEXED BY hashtags_time WHERE created_at >= ?
                GROUP BY tag ORDER BY n DESC, tag LIMIT ?
                """, [.int(since), .int(Int64(limit))]) { counts.append(($0.text(0) ?? "", $0.int(1))) }
            return counts
        }
    }
}
