import Nostr
import Store

/// NIP-01/09/40 storage rules for one event, run on the writer's connection inside its open
/// transaction: duplicates, the future bound, expiration, deletions, replaceable and
/// addressable versions, then the rows (event, tags, full text).
///
/// Every removal (replaced version, deleted event, expired event) goes through `remove`, so
/// the indexes (and derived data) are undone the same way whatever the cause.
struct EventApplier {
    let db: SQLiteConnection
    let now: Int64
    let futureTolerance: Int64
    /// Derived read models, updated with every insert and removal (nil when turned off).
    let derived: DerivedData?

    func apply(_ incoming: ValidatedEvent) throws -> WriteOutcome {
        let event = incoming.event
        let kindClass = event.kindClass
        if kindClass == .ephemeral { return .ephemeral }
        if event.createdAt > now + futureTolerance {
            return .rejected("created_at is more than \(futureTolerance / 60) minutes in the future")
        }
        if let expiration = event.expiration, expiration <= now { return .rejected("event has expired") }
        if try isDeleted(event) { return .deleted }

        var outcome = WriteOutcome.stored
        var replaced: Event?
        if let address = event.address, let current = try currentVersion(of: address) {
            if current.id == event.id { return .duplicate }
            let currentWins = current.createdAt > event.createdAt
                || (current.createdAt == event.createdAt && current.id < event.id)
            if currentWins { return .olderThanStored }
            replaced = try remove(rowID: current.rowID, replacedBy: event)
            outcome = .replaced(current.id)
        }
        // The unique id index answers "already stored?" as part of the insert itself.
        guard try insert(incoming, replacing: replaced) else { return .duplicate }
        if event.kind == 5 { try applyDeletion(event) }
        return outcome
    }

    // MARK: Lookups

    private func isDeleted(_ event: Event) throws -> Bool {
        if try db.scalar("SELECT 1 FROM deletions WHERE target = ? AND pubkey = ? LIMIT 1",
                         [.id(event.id), .id(event.pubkey)]) != nil { return true }
        if let address = event.address,
           let until = try db.scalar("SELECT max(created_at) FROM deletions WHERE target = ? AND pubkey = ?",
                                     [.text(address.description), .id(event.pubkey)]) {
            return event.createdAt <= until
        }
        return false
    }

    private struct Version {
        let rowID: Int64
        let id: EventID
        let createdAt: Int64
    }

    private func currentVersion(of address: EventAddress) throws -> Version? {
        var found: Version?
        let read: (SQLiteStatement) -> Void = { row in
            found = Version(rowID: row.int64(0), id: row.bytes32(1)!, createdAt: row.int64(2))
        }
        if KindClass(kind: address.kind) == .addressable {
            try db.run("""
                SELECT rowid, id, created_at FROM events INDEXED BY events_address
                WHERE pubkey = ? AND kind = ? AND dtag = ?
                """, [.id(address.pubkey), .int(Int64(address.kind)), .text(address.identifier)], row: read)
        } else {
            try db.run("SELECT rowid, id, created_at FROM events INDEXED BY events_author WHERE pubkey = ? AND kind = ?",
                       [.id(address.pubkey), .int(Int64(address.kind))], row: read)
        }
        return found
    }

    // MARK: NIP-09

    /// Records the request and removes the author's own events it names (by `e` id, or by
    /// `a` address for versions up to the request's time). Other people's events are
    /// untouched; deletion requests are never themselves deleted.
    private func applyDeletion(_ request: Event) throws {
        for tag in request.tags where tag.count >= 2 {
            switch tag[0] {
            case "e":
                guard let target = EventID(hex: tag[1]) else { continue }
                try recordDeletion(target: .id(target), request: request)
                if let rowID = try db.scalar("SELECT rowid FROM events WHERE id = ? AND pubkey = ? AND kind != 5",
                                             [.id(target), .id(request.pubkey)]) {
                    try remove(rowID: rowID)
                }
            case "a":
                guard let address = EventAddress(tag[1]), address.pubkey == request.pubkey,
                      address.kind != 5 else { continue }
                try recordDeletion(target: .text(address.description), request: request)
                if let current = try currentVersion(of: address), current.createdAt <= request.createdAt {
                    try remove(rowID: current.rowID)
                }
            default: continue
            }
        }
    }

    private func recordDeletion(target: SQLiteValue, request: Event) throws {
        try db.run("INSERT OR IGNORE INTO deletions (target, pubkey, created_at, request) VALUES (?, ?, ?, ?)",
                   [target, .id(request.pubkey), .int(request.createdAt), .id(request.id)])
    }

    // MARK: Rows

    /// Inserts the event, its index rows and its derived data; false when the id is
    /// already stored.
    private func insert(_ incoming: ValidatedEvent, replacing: Event?) throws -> Bool {
        let event = incoming.event
        let statement = try db.prepare("""
            INSERT OR IGNORE INTO events (id, pubkey, created_at, kind, sig, json, dtag, expiration)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        defer { statement.reset() }
        statement.bind(event.id, at: 1)
        statement.bind(event.pubkey, at: 2)
        statement.bind(event.createdAt, at: 3)
        statement.bind(event.kind, at: 4)
        statement.bind(event.sig.bytes, at: 5)
        statement.bind(CompactEventJSON.encode(incoming.json, event: event) ?? incoming.json, at: 6)
        if event.kindClass == .addressable { statement.bind(event.identifier, at: 7) } else { statement.bindNull(at: 7) }
        if let expiration = event.expiration { statement.bind(expiration, at: 8) } else { statement.bindNull(at: 8) }
        _ = try statement.step()
        guard db.changes > 0 else { return false }
        try writeIndexes(event, rowID: db.lastInsertRowID, insert: true)
        try derived?.didInsert(event, replacing: replacing)
        return true
    }

    /// Removes a stored event, everything indexed from it and its derived data; returns it.
    @discardableResult
    func remove(rowID: Int64, replacedBy replacement: Event? = nil) throws -> Event? {
        var stored: StoredEvent?
        try db.run("SELECT e.rowid, e.id, e.pubkey, e.created_at, e.kind, e.json, e.sig FROM events AS e WHERE rowid = ?", [.int(rowID)]) {
            stored = SQLiteStore.storedEvent($0)
        }
        guard let stored else { return nil }
        let event = try stored.parsed()
        try writeIndexes(event, rowID: rowID, insert: false, replacedBy: replacement)
        try db.run("DELETE FROM events WHERE rowid = ?", [.int(rowID)])
        try derived?.didRemove(event, replacedBy: replacement)
        return event
    }

    /// Adds or removes the tag rows, follows and full-text entries of an event. Contentless
    /// FTS5 deletes need the indexed text again; it is recomputed from the same JSON.
    private func writeIndexes(_ event: Event, rowID: Int64, insert: Bool, replacedBy replacement: Event? = nil) throws {
        let tagStatement = insert
            ? try db.prepare("INSERT OR IGNORE INTO tags (name, value, created_at, event, kind) VALUES (?, ?, ?, ?, ?)")
            : try db.prepare("DELETE FROM tags WHERE name = ? AND value = ? AND created_at = ? AND event = ? AND kind = ?")
        for row in TagIndex.rows(of: event) {
            defer { tagStatement.reset() }
            try tagStatement.bind([.text(row.name), row.value, .int(event.createdAt), .int(rowID), .int(Int64(event.kind))])
            _ = try tagStatement.step()
        }
        if event.kind == 3 { try writeFollows(of: event, insert: insert, replacedBy: replacement) }
        if let text = FullText.noteText(event) {
            if insert {
                try db.run("INSERT INTO notes_fts (rowid, text) VALUES (?, ?)", [.int(rowID), .text(text)])
            } else {
                try db.run("INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', ?, ?)", [.int(rowID), .text(text)])
            }
        }
        if event.kind == 0 {
            let fields = FullText.profileFields(event).map(SQLiteValue.text)
            if insert {
                try db.run("INSERT INTO profiles_fts (rowid, name, display_name, nip05, about) VALUES (?, ?, ?, ?, ?)",
                           [.int(rowID)] + fields)
            } else {
                try db.run("""
                    INSERT INTO profiles_fts (profiles_fts, rowid, name, display_name, nip05, about)
                    VALUES ('delete', ?, ?, ?, ?, ?)
                    """, [.int(rowID)] + fields)
            }
        }
    }

    /// The `follows` rows of a contact list (its `p` tags' index). A list replaced by a newer
    /// one leaves the rows the newer one has again, which then only take its created_at.
    private func writeFollows(of list: Event, insert: Bool, replacedBy replacement: Event?) throws {
        let statement = insert
            ? try db.prepare("""
                INSERT INTO follows (followed, follower, created_at) VALUES (?, ?, ?)
                ON CONFLICT (followed, follower) DO UPDATE SET created_at = excluded.created_at
                """)
            : try db.prepare("DELETE FROM follows WHERE followed = ? AND follower = ?")
        let kept = Set(replacement.map(TagIndex.followed) ?? [])
        for key in TagIndex.followed(by: list) where insert || !kept.contains(key) {
            defer { statement.reset() }
            statement.bind(key, at: 1)
            statement.bind(list.pubkey, at: 2)
            if insert { statement.bind(list.createdAt, at: 3) }
            _ = try statement.step()
        }
    }

    /// Removes events whose NIP-40 expiration has passed; returns how many.
    func sweepExpired() throws -> Int {
        var rowIDs: [Int64] = []
        try db.run("SELECT rowid FROM events INDEXED BY events_expiring WHERE expiration <= ?", [.int(now)]) {
            rowIDs.append($0.int64(0))
        }
        for rowID in rowIDs { try remove(rowID: rowID) }
        return rowIDs.count
    }
}
