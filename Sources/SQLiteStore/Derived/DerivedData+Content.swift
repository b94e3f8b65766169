import Nostr

/// Thread structure, hashtags, media notes and direct-message counts.
extension DerivedData {
    /// Kinds that appear in feeds (`posts`).
    static let postKinds: Set<Int> = [1, 6, 16, 20, 1068, 6969, 34235, 34236]

    func indexContent(_ event: Event, thread: ThreadReferences, content: ContentReferences?, insert: Bool) throws {
        if DerivedData.postKinds.contains(event.kind) {
            let isReply: Int64 = event.kind == 1 && thread.isReply ? 1 : 0
            try db.run(insert ? "INSERT OR IGNORE INTO posts (pubkey, is_reply, created_at, event, kind) VALUES (?, ?, ?, ?, ?)"
                              : "DELETE FROM posts WHERE pubkey = ? AND is_reply = ? AND created_at = ? AND event = ? AND kind = ?",
                       [.id(event.pubkey), .int(isReply), .int(event.createdAt), .id(event.id), .int(Int64(event.kind))])
        }
        if [1, 1111].contains(event.kind), let parent = thread.parent {
            if insert {
                try db.run("INSERT OR IGNORE INTO thread (parent, created_at, reply, root) VALUES (?, ?, ?, ?)",
                           [.target(parent), .int(event.createdAt), .id(event.id), thread.root.map(SQLiteValue.target) ?? .null])
            } else {
                try db.run("DELETE FROM thread WHERE parent = ? AND created_at = ? AND reply = ?",
                           [.target(parent), .int(event.createdAt), .id(event.id)])
            }
        }
        if let content, event.kind == 1 || event.kind == 30023 {
            for tag in DerivedData.hashtags(of: event, content: content) {
                if insert {
                    try db.run("INSERT OR IGNORE INTO hashtags (tag, created_at, event) VALUES (?, ?, ?)",
                               [.text(tag), .int(event.createdAt), .id(event.id)])
                } else {
                    try db.run("DELETE FROM hashtags WHERE tag = ? AND created_at = ? AND event = ?",
                               [.text(tag), .int(event.createdAt), .id(event.id)])
                }
            }
            if event.kind == 1, !MediaReference.media(of: event, content: content).isEmpty {
                try db.run(insert ? "INSERT OR IGNORE INTO media_notes (pubkey, created_at, event) VALUES (?, ?, ?)"
                                  : "DELETE FROM media_notes WHERE pubkey = ? AND created_at = ? AND event = ?",
                           [.id(event.pubkey), .int(event.createdAt), .id(event.id)])
            }
        }
        if event.kind == 4, let receiver = event.firstTagValue("p").flatMap(PublicKey.init(hex:)) {
            try insert ? countMessage(event, to: receiver) : uncountMessage(event, to: receiver)
        }
    }

    /// `t` tags and #words, lowercased, each once.
    static func hashtags(of event: Event, content: ContentReferences) -> [String] {
        var seen = Set<String>()
        let tagged = event.tagValues("t").map { $0.lowercased() }.filter { !$0.isEmpty && $0.utf8.count <= 64 }
        return (tagged + content.hashtags).filter { seen.insert($0).inserted }
    }

    private func countMessage(_ event: Event, to receiver: PublicKey) throws {
        try db.run("""
            INSERT INTO dm_counts (receiver, sender, count, latest_at, latest_event) VALUES (?1, ?2, 1, ?3, ?4)
            ON CONFLICT (receiver, sender) DO UPDATE SET
                count = count + 1,
                latest_event = CASE WHEN ?3 > latest_at OR (?3 = latest_at AND ?4 < latest_event) THEN ?4 ELSE latest_event END,
                latest_at = max(latest_at, ?3)
            """, [.id(receiver), .id(event.pubkey), .int(event.createdAt), .id(event.id)])
    }

    private func uncountMessage(_ event: Event, to receiver: PublicKey) throws {
        try db.run("UPDATE dm_counts SET count = count - 1 WHERE receiver = ? AND sender = ?", [.id(receiver), .id(event.pubkey)])
        try db.run("DELETE FROM dm_counts WHERE receiver = ? AND sender = ? AND count <= 0", [.id(receiver), .id(event.pubkey)])
        // The latest message may be the one removed: find the newest that remains.
        var latest: (Int64, EventID)?
        try db.run("""
            SELECT e.created_at, e.id FROM tags AS t CROSS JOIN events AS e ON e.rowid = t.event
            WHERE t.name = 'p' AND t.value = ? AND t.kind = 4 AND e.pubkey = ?
            ORDER BY t.created_at DESC, e.id LIMIT 1
            """, [.id(receiver), .id(event.pubkey)]) { latest = ($0.int64(0), $0.bytes32(1)!) }
        if let (at, id) = latest {
            try db.run("UPDATE dm_counts SET latest_at = ?, latest_event = ? WHERE receiver = ? AND sender = ?",
                       [.int(at), .id(id), .id(receiver), .id(event.pubkey)])
        }
    }
}
