import Nostr
import Store
import Workers

extension SQLiteStore: FeedStore {
    public func posts(authors: [PublicKey], kinds: Set<Int>, replies: ReplyFilter, page: Page) async throws -> [FeedItem] {
        let authors = Array(Set(authors))
        guard !authors.isEmpty, !kinds.isEmpty, page.limit > 0 else { return [] }
        let flags = Self.replyFlags(replies)
        return try await readers.read { db in
            func run(since: Int64) throws -> [FeedItem] {
                var values: [SQLiteValue] = []
                let authorList = FilterPlanner.inList("pubkey", authors.sorted().map(SQLiteValue.id), &values)
                let flagList = FilterPlanner.inList("is_reply", flags.map(SQLiteValue.int), &values)
                let kindList = FilterPlanner.inList("kind", FilterPlanner.kindValues(kinds), &values)
                values += [.int(since), .int(page.until), .int(Int64(page.limit)), .int(Int64(page.offset))]
                var items: [FeedItem] = []
                try db.run(built: """
                    SELECT event, created_at FROM posts
                    WHERE \(authorList) AND \(flagList) AND \(kindList) AND created_at >= ? AND created_at <= ?
                    ORDER BY created_at DESC, event DESC LIMIT ? OFFSET ?
                    """, values) { items.append(FeedItem(id: $0.bytes32(0)!, sortValue: $0.int64(1))) }
                return items
            }
            // One author's posts come out of the index in order. Many authors' posts are read
            // over a time window that widens until it holds the page (Primal does the same).
            guard authors.count > 1 else { return try run(since: page.since) }
            let upper = min(page.until, unixNow() + 86_400)
            var width: Int64 = 6 * 3_600
            while true {
                let since = upper - page.since > width ? upper - width : page.since
                let items = try run(since: since)
                if items.count >= page.limit || since == page.since { return items }
                width = width > Int64.max / 16 ? Int64.max : width * 8
            }
        }
    }

    public func recentPosts(kinds: Set<Int>, replies: ReplyFilter, page: Page) async throws -> [FeedItem] {
        guard !kinds.isEmpty else { return [] }
        var values: [SQLiteValue] = []
        // Placeholders bind in the order the SQL text names them.
        let kindList = FilterPlanner.inList("e.kind", FilterPlanner.kindValues(kinds), &values)
        values.append(.int(configuration.now()))
        let flagList = FilterPlanner.inList("p.is_reply", Self.replyFlags(replies).map(SQLiteValue.int), &values)
        // Newest first along the time index; each row's feed entry is one primary-key probe.
        return try await pageOf("""
            SELECT e.id, e.created_at FROM events AS e INDEXED BY events_time
            WHERE \(kindList) AND (e.expiration IS NULL OR e.expiration > ?)
                AND EXISTS (SELECT 1 FROM posts AS p WHERE p.pubkey = e.pubkey AND \(flagList)
                            AND p.created_at = e.created_at AND p.event = e.id)
                AND e.created_at >= ? AND e.created_at <= ?
            ORDER BY e.created_at DESC, e.id DESC LIMIT ? OFFSET ?
            """, values, page)
    }

    static func replyFlags(_ replies: ReplyFilter) -> [Int64] {
        switch replies {
        case .excluded: [0]
        case .only: [1]
        case .included: [0, 1]
        }
    }

    public func mediaPosts(author: PublicKey, page: Page) async throws -> [FeedItem] {
        try await pageOf("""
            SELECT event, created_at FROM media_notes WHERE pubkey = ? AND created_at >= ? AND created_at <= ?
            ORDER BY created_at DESC, event DESC LIMIT ? OFFSET ?
            """, [.id(author)], page)
    }

    public func replies(to target: EventReference, kinds: Set<Int>?, page: Page) async throws -> [FeedItem] {
        guard let kinds else {
            return try await pageOf("""
                SELECT reply, created_at FROM thread WHERE parent = ? AND created_at >= ? AND created_at <= ?
                ORDER BY created_at DESC, reply DESC LIMIT ? OFFSET ?
                """, [.target(target)], page)
        }
        var values: [SQLiteValue] = [.target(target)]
        let kindList = FilterPlanner.inList("e.kind", FilterPlanner.kindValues(kinds), &values)
        return try await pageOf("""
            SELECT t.reply, t.created_at FROM thread AS t CROSS JOIN events AS e ON e.id = t.reply
            WHERE t.parent = ? AND \(kindList) AND t.created_at >= ? AND t.created_at <= ?
            ORDER BY t.created_at DESC, t.reply DESC LIMIT ? OFFSET ?
            """, values, page)
    }

    public func quotes(of target: EventReference, page: Page) async throws -> [FeedItem] {
        try await pageOf("""
            SELECT a.ref, a.created_at FROM actions AS a CROSS JOIN events AS e ON e.id = a.ref
            WHERE a.target = ? AND a.type = 2 AND e.kind IN (1, 1111) AND a.created_at >= ? AND a.created_at <= ?
            ORDER BY a.created_at DESC, a.ref DESC LIMIT ? OFFSET ?
            """, [.target(target)], page)
    }

    public func quoteCount(of target: EventReference) async throws -> Int {
        try await readers.read { db in
            Int(try db.scalar("""
                SELECT count(*) FROM actions AS a CROSS JOIN events AS e ON e.id = a.ref
                WHERE a.target = ? AND a.type = 2 AND e.kind IN (1, 1111)
                """, [.target(target)]) ?? 0)
        }
    }

    public func topZaps(on targets: [EventReference], limit: Int) async throws -> [ZapInfo] {
        var seen = Set<EventReference>()
        let unique = targets.filter { seen.insert($0).inserted }
        guard !unique.isEmpty, limit > 0 else { return [] }
        return try await readers.read { db in
            var zaps: [ZapInfo] = []
            for target in unique {
                try db.run("""
                    SELECT receipt, target, sender, receiver, amount_sats, created_at FROM zaps INDEXED BY zaps_target
                    WHERE target = ? ORDER BY amount_sats DESC, created_at DESC LIMIT ?
                    """, [.target(target), .int(Int64(limit))]) { row in
                    zaps.append(ZapInfo(receipt: row.bytes32(0)!, target: row.targetReference(1), sender: row.bytes32(2)!,
                                        receiver: row.bytes32(3)!, amountSats: row.int64(4), createdAt: row.int64(5)))
                }
            }
            return zaps
        }
    }

    public func followers(of pubkey: PublicKey, limit: Int) async throws -> [(PublicKey, Int)] {
        try await readers.read { db in
            var result: [(PublicKey, Int)] = []
            try db.run("""
                SELECT f.follower, coalesce(u.followers_count, 0) AS c FROM follows AS f
                LEFT JOIN user_stats AS u ON u.pubkey = f.follower
                WHERE f.followed = ? ORDER BY c DESC, f.follower LIMIT ?
                """, [.id(pubkey), .int(Int64(limit))]) { result.append(($0.bytes32(0)!, $0.int(1))) }
            return result
        }
    }

    public func followersAmong(_ candidates: [PublicKey], of pubkey: PublicKey) async throws -> Set<PublicKey> {
        let unique = Array(Set(candidates))
        guard !unique.isEmpty else { return [] }
        return try await readers.read { db in
            var values: [SQLiteValue] = [.id(pubkey)]
            let list = FilterPlanner.inList("follower", unique.map(SQLiteValue.id), &values)
            var found = Set<PublicKey>()
            try db.run(built: "SELECT follower FROM follows WHERE followed = ? AND \(list)", values) { found.insert($0.bytes32(0)!) }
            return found
        }
    }

    public func searchProfiles(_ query: String, limit: Int, among: Set<PublicKey>?) async throws -> [PublicKey] {
        let match = FullText.matchQuery(query, prefixLast: true).map { "{name display_name nip05} : (\($0))" }
        if match == nil && among == nil { return [] }
        return try await readers.read { db in
            var values: [SQLiteValue] = []
            var conditions: [String] = []
            var from = "profiles AS p"
            if let match {
                from = "profiles_fts CROSS JOIN events AS e ON e.rowid = profiles_fts.rowid CROSS JOIN profiles AS p ON p.pubkey = e.pubkey"
                conditions.append("profiles_fts MATCH ?")
                values.append(.text(match))
            }
            if let among {
                guard !among.isEmpty else { return [] }
                conditions.append(FilterPlanner.inList("p.pubkey", among.sorted().map(SQLiteValue.id), &values))
            }
            values.append(.int(Int64(limit)))
            var found: [PublicKey] = []
            try db.run(built: """
                SELECT p.pubkey FROM \(from) LEFT JOIN user_stats AS u ON u.pubkey = p.pubkey
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY coalesce(u.followers_count, 0) DESC, p.pubkey LIMIT ?
                """, values) { found.append($0.bytes32(0)!) }
            return found
        }
    }

    public func searchNotes(_ query: String, kinds: Set<Int>, page: Page) async throws -> [FeedItem] {
        guard let match = FullText.matchQuery(query), !kinds.isEmpty else { return [] }
        var values: [SQLiteValue] = [.text(match)]
        let kindList = FilterPlanner.inList("e.kind", FilterPlanner.kindValues(kinds), &values)
        values.append(.int(configuration.now()))
        // The newest-stored matches bound the work; they are then ordered by time.
        return try await pageOf("""
            SELECT id, created_at FROM (
                SELECT e.id, e.created_at FROM notes_fts CROSS JOIN events AS e ON e.rowid = notes_fts.rowid
                WHERE notes_fts MATCH ? AND \(kindList) AND (e.expiration IS NULL OR e.expiration > ?)
                    AND e.created_at >= ? AND e.created_at <= ?
                ORDER BY notes_fts.rowid DESC LIMIT 2000)
            ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?
            """, values, page)
    }

    public func textMatches(_ text: TextMatch, kinds: Set<Int>, authors: Set<PublicKey>?, since: Int64, until: Int64,
                            limit: Int) async throws -> [StoredEvent] {
        guard let match = FullText.matchExpression(text), !kinds.isEmpty, limit > 0 else { return [] }
        var values: [SQLiteValue] = [.text(match)]
        var conditions = [FilterPlanner.inList("e.kind", FilterPlanner.kindValues(kinds), &values)]
        if let authors {
            guard !authors.isEmpty else { return [] }
            conditions.append(FilterPlanner.inList("e.pubkey", authors.sorted().map(SQLiteValue.id), &values))
        }
        values += [.int(configuration.now()), .int(since), .int(until), .int(Int64(limit))]
        let bound = values, condition = conditions.joined(separator: " AND ")
        return try await readers.read { db in
            var found: [StoredEvent] = []
            try db.run(built: """
                SELECT \(FilterPlanner.columns) FROM notes_fts CROSS JOIN events AS e ON e.rowid = notes_fts.rowid
                WHERE notes_fts MATCH ? AND \(condition) AND (e.expiration IS NULL OR e.expiration > ?)
                    AND e.created_at >= ? AND e.created_at <= ?
                ORDER BY notes_fts.rowid DESC LIMIT ?
                """, bound) { found.append(Self.storedEvent($0)) }
            return found.sorted(by: StoredEvent.newestFirst)
        }
    }

    /// Runs a paged query whose last four parameters are since, until, limit, offset.
    private func pageOf(_ sql: String, _ values: [SQLiteValue], _ page: Page) async throws -> [FeedItem] {
        guard page.limit > 0 else { return [] }
        let bound = values + [.int(page.since), .int(page.until), .int(Int64(page.limit)), .int(Int64(page.offset))]
        return try await readers.read { db in
            var items: [FeedItem] = []
            try db.run(built: sql, bound) { items.append(FeedItem(id: $0.bytes32(0)!, sortValue: $0.int64(1))) }
            return items
        }
    }
}
