import Nostr
import Store

extension SQLiteStore: ReadModelStore {
    public func userStats(_ pubkeys: [PublicKey]) async throws -> [PublicKey: UserStats] {
        let keys = Array(Set(pubkeys))
        guard !keys.isEmpty else { return [:] }
        return try await readers.read { db in
            var result: [PublicKey: UserStats] = [:]
            try db.run(built: """
                SELECT pubkey, follows_count, followers_count, note_count, reply_count, long_form_note_count, time_joined,
                       relay_count, media_count, total_zap_count, total_satszapped, content_zap_count
                FROM user_stats WHERE pubkey IN (\(placeholders(keys.count)))
                """, keys.map(SQLiteValue.id)) { row in
                guard let key = row.bytes32(0) else { return }
                var stats = UserStats(pubkey: key)
                stats.followsCount = row.int(1)
                stats.followersCount = row.int(2)
                stats.noteCount = row.int(3)
                stats.replyCount = row.int(4)
                stats.longFormNoteCount = row.int(5)
                stats.timeJoined = row.isNull(6) ? nil : row.int64(6)
                stats.relayCount = row.int(7)
                stats.mediaCount = row.int(8)
                stats.totalZapCount = row.int(9)
                stats.totalSatsZapped = row.int64(10)
                stats.contentZapCount = row.int(11)
                result[key] = stats
            }
            return result
        }
    }

    public func eventStats(_ targets: [EventReference]) async throws -> [EventReference: EventStats] {
        let unique = Array(Set(targets))
        guard !unique.isEmpty else { return [:] }
        return try await readers.read { db in
            var byKey: [SQLiteValue: EventReference] = [:]
            for target in unique { byKey[.target(target)] = target }
            var result: [EventReference: EventStats] = [:]
            try db.run(built: """
                SELECT target, likes, replies, reposts, zaps, satszapped, score, score24h
                FROM event_stats WHERE target IN (\(placeholders(unique.count)))
                """, unique.map(SQLiteValue.target)) { row in
                guard let target = byKey[row.targetValue(0)] else { return }
                var stats = EventStats()
                stats.likes = row.int(1)
                stats.replies = row.int(2)
                stats.reposts = row.int(3)
                stats.zaps = row.int(4)
                stats.satsZapped = row.int64(5)
                stats.score = row.int64(6)
                stats.score24h = row.int64(7)
                result[target] = stats
            }
            return result
        }
    }

    public func viewerActions(_ viewer: PublicKey, on targets: [EventReference]) async throws -> [EventReference: ViewerActions] {
        let unique = Array(Set(targets))
        guard !unique.isEmpty else { return [:] }
        return try await readers.read { db in
            var result: [EventReference: ViewerActions] = [:]
            for target in unique {
                var actions = ViewerActions()
                try db.run("SELECT DISTINCT type FROM actions WHERE target = ? AND actor = ?", [.target(target), .id(viewer)]) { row in
                    switch Interaction.Kind(rawValue: row.int64(0)) {
                    case .like: actions.liked = true
                    case .repost: actions.reposted = true
                    case .zap: actions.zapped = true
                    case .reply: actions.replied = true
                    default: break
                    }
                }
                if actions.any { result[target] = actions }
            }
            return result
        }
    }

    public func notifications(for pubkey: PublicKey, types: Set<Int>?, until: Int64?, limit: Int, offset: Int) async throws -> [NotificationEntry] {
        try await readers.read { db in
            var values: [SQLiteValue] = [.id(pubkey), .int(until ?? Int64.max), .id(pubkey)]
            var typeCondition = ""
            if let types {
                typeCondition = "AND type IN (\(placeholders(types.count)))"
                values += types.sorted().map { .int(Int64($0)) }
            }
            values += [.int(Int64(limit)), .int(Int64(offset))]
            var entries: [NotificationEntry] = []
            try db.run(built: """
                SELECT created_at, type, cause, actor, target, amount, content FROM notifications INDEXED BY notifications_recipient
                WHERE recipient = ? AND created_at <= ? AND actor != ? \(typeCondition)
                ORDER BY created_at DESC, cause LIMIT ? OFFSET ?
                """, values) { row in
                entries.append(NotificationEntry(
                    recipient: pubkey, createdAt: row.int64(0), type: row.int(1), cause: row.bytes32(2) ?? .zero,
                    actor: row.bytes32(3) ?? .zero, target: row.targetReference(4), amount: row.int64(5), content: row.text(6) ?? ""))
            }
            return entries
        }
    }

    public func notificationCounts(for pubkey: PublicKey, since: Int64) async throws -> [Int: Int] {
        try await readers.read { db in
            var counts: [Int: Int] = [:]
            try db.run("""
                SELECT type, count(*) FROM notifications INDEXED BY notifications_recipient
                WHERE recipient = ? AND created_at > ? AND actor != ? GROUP BY type
                """, [.id(pubkey), .int(since), .id(pubkey)]) { counts[$0.int(0)] = $0.int(1) }
            return counts
        }
    }

    public func networkStats() async throws -> NetworkStats {
        try await readers.read { db in
            var stats = NetworkStats()
            try db.run("SELECT name, value FROM counters") { row in
                let value = row.int64(1)
                switch row.text(0) {
                case "users": stats.users = value
                case "pubkeys": stats.pubkeys = value
                case "pubnotes": stats.pubnotes = value
                case "reactions": stats.reactions = value
                case "reposts": stats.reposts = value
                case "any": stats.any = value
                case "zaps": stats.zaps = value
                case "satszapped": stats.satsZapped = value
                default: break
                }
            }
            return stats
        }
    }
}

func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}

extension SQLiteStatement {
    /// A target column as the value it was bound with.
    func targetValue(_ column: Int32) -> SQLiteValue {
        isBlob(column) ? .blob(bytes(column)) : isNull(column) ? .null : .text(text(column) ?? "")
    }

    /// A target column as an event reference (nil for NULL or unparseable text).
    func targetReference(_ column: Int32) -> EventReference? {
        if isNull(column) { return nil }
        if isBlob(column) { return bytes32(column).map(EventReference.id) }
        return text(column).flatMap(EventAddress.init).map(EventReference.address)
    }
}
