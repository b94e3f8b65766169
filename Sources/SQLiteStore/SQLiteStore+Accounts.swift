import Nostr
import Store

extension SQLiteStore: AccountStore {
    public func notificationsSeen(_ pubkey: PublicKey) async throws -> Int64? {
        try await readers.read { db in
            var seen: Int64?
            try db.run("SELECT seen_until FROM notifications_seen WHERE pubkey = ?", [.id(pubkey)]) { seen = $0.int64(0) }
            return seen
        }
    }

    public func setNotificationsSeen(_ pubkey: PublicKey, until: Int64) async throws {
        guard let writer else { throw StoreError.readOnly }
        try await writer.perform { db in
            try db.run("INSERT OR REPLACE INTO notifications_seen (pubkey, seen_until) VALUES (?, ?)", [.id(pubkey), .int(until)])
        }
    }

    public func notificationRecipients(after: Int64) async throws -> (last: Int64, recipients: Set<PublicKey>) {
        try await readers.read { db in
            // No mark yet: only where the rows end now (the caller counts everyone anyway).
            if after < 0 { return (try db.scalar("SELECT max(id) FROM notifications") ?? 0, []) }
            var last = after
            var recipients = Set<PublicKey>()
            try db.run("SELECT id, recipient FROM notifications WHERE id > ? ORDER BY id", [.int(after)]) { row in
                last = row.int64(0)
                if let recipient = row.bytes32(1) { recipients.insert(recipient) }
            }
            return (last, recipients)
        }
    }

    public func directMessageContacts(of user: PublicKey) async throws -> [DirectMessageContact] {
        try await readers.read { db in
            var byPeer: [PublicKey: DirectMessageContact] = [:]
            // Received: unread counts and the latest message from each peer.
            try db.run("""
                SELECT d.sender, max(0, d.count - coalesce(r.read_count, 0)), d.latest_at, d.latest_event FROM dm_counts AS d
                LEFT JOIN dm_read AS r ON r.receiver = d.receiver AND r.sender = d.sender WHERE d.receiver = ?
                """, [.id(user)]) { row in
                guard let peer = row.bytes32(0), let latest = row.bytes32(3) else { return }
                byPeer[peer] = DirectMessageContact(peer: peer, unread: row.int(1), latestAt: row.int64(2), latestEvent: latest)
            }
            // Sent: only the latest message counts, when newer.
            try db.run("SELECT receiver, latest_at, latest_event FROM dm_counts WHERE sender = ?", [.id(user)]) { row in
                guard let peer = row.bytes32(0), let latest = row.bytes32(2), peer != user else { return }
                let latestAt = row.int64(1)
                let known = byPeer[peer]
                guard known == nil || known!.latestAt < latestAt else { return }
                byPeer[peer] = DirectMessageContact(peer: peer, unread: known?.unread ?? 0, latestAt: latestAt, latestEvent: latest)
            }
            return byPeer.values.sorted { $0.latestAt != $1.latestAt ? $0.latestAt > $1.latestAt : $0.peer < $1.peer }
        }
    }

    public func unreadDirectMessages(of user: PublicKey) async throws -> Int {
        try await readers.read { db in
            try db.scalar("""
                SELECT coalesce(sum(max(0, d.count - coalesce(r.read_count, 0))), 0) FROM dm_counts AS d
                LEFT JOIN dm_read AS r ON r.receiver = d.receiver AND r.sender = d.sender WHERE d.receiver = ?
                """, [.id(user)]).map(Int.init) ?? 0
        }
    }

    public func markDirectMessagesRead(of user: PublicKey, from sender: PublicKey?) async throws {
        guard let writer else { throw StoreError.readOnly }
        try await writer.perform { db in
            if let sender {
                try db.run("""
                    INSERT OR REPLACE INTO dm_read (receiver, sender, read_count)
                    SELECT receiver, sender, count FROM dm_counts WHERE receiver = ? AND sender = ?
                    """, [.id(user), .id(sender)])
            } else {
                try db.run("""
                    INSERT OR REPLACE INTO dm_read (receiver, sender, read_count)
                    SELECT receiver, sender, count FROM dm_counts WHERE receiver = ?
                    """, [.id(user)])
            }
        }
    }

    public func appSubsettings(of user: PublicKey, subkey: String) async throws -> String? {
        try await readers.read { db in
            var settings: String?
            try db.run("SELECT settings FROM app_subsettings WHERE pubkey = ? AND subkey = ?", [.id(user), .text(subkey)]) { settings = $0.text(0) }
            return settings
        }
    }

    public func setAppSubsettings(of user: PublicKey, subkey: String, settings: String, at time: Int64) async throws {
        guard let writer else { throw StoreError.readOnly }
        try await writer.perform { db in
            try db.run("INSERT OR REPLACE INTO app_subsettings (pubkey, subkey, updated_at, settings) VALUES (?, ?, ?, ?)",
                       [.id(user), .text(subkey), .int(time), .text(settings)])
        }
    }
}
