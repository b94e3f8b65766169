import Nostr

/// Keeps the derived read models (schema 0002) in step with `events`, inside the writer's
/// transaction: `didInsert` after an event's row is written, `didRemove` after it is gone.
///
/// Every rule is a function of the set of stored events, not of arrival order: counts are
/// keyed by target id from the start, the scoring action is the earliest, notifications
/// about a post wait for it. The one exception is follow notifications, which describe the
/// difference between contact-list versions as they arrived (and survive a rebuild).
final class DerivedData {
    let db: SQLiteConnection
    /// score24h counts first actions newer than this (unix seconds).
    let scoreCutoff: Int64
    /// Counter changes of this transaction, written once by `flush()`: a batch touches the
    /// same authors, targets and popular pubkeys many times, and each write of a row dirties
    /// a page the commit must copy to the WAL.
    private var counterDeltas: [String: Int64] = [:]
    var userDeltas: [PublicKey: UserDeltas] = [:]
    var statsDeltas: [SQLiteValue: StatsDelta] = [:]
    var backfill = BackfillNotes()

    init(db: SQLiteConnection, scoreCutoff: Int64) {
        self.db = db
        self.scoreCutoff = scoreCutoff
    }

    /// Pending changes; `flush()` when it grows large (rebuilds).
    var pendingCount: Int { userDeltas.count + statsDeltas.count }

    /// Writes the accumulated counters; call before the transaction commits.
    func flush() throws {
        for (pubkey, deltas) in userDeltas { try writeUser(pubkey, deltas) }
        userDeltas.removeAll()
        for (target, delta) in statsDeltas where !delta.isZero { try writeStats(delta, to: target) }
        statsDeltas.removeAll()
        for (name, delta) in counterDeltas.sorted(by: { $0.key < $1.key }) where delta != 0 {
            try db.run("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                       [.text(name), .int(delta)])
        }
        counterDeltas.removeAll()
        try flushBackfill()
    }

    func didInsert(_ event: Event, replacing old: Event?) throws {
        let thread = ThreadReferences(event: event)
        let content = [1, 1111, 30023].contains(event.kind) ? ContentReferences(content: event.content) : nil
        try countEvent(event, thread: thread, content: content, sign: 1)
        for interaction in Interaction.all(of: event, threadReferences: thread, content: content) {
            try add(interaction)
        }
        try notify(about: event, thread: thread, content: content)
        try deliverWaitingNotifications(for: event)
        try indexContent(event, thread: thread, content: content, insert: true)
        noteBackfill(event, thread: thread, content: content, replacedBy: nil, sign: 1)
        switch event.kind {
        case 0: try storeProfile(event)
        case 3: try applyContactList(event, replacing: old)
        case 10002: try updateRelayCount(event.pubkey, current: event)
        default: break
        }
    }

    func didRemove(_ event: Event, replacedBy new: Event?) throws {
        let thread = ThreadReferences(event: event)
        let content = [1, 1111, 30023].contains(event.kind) ? ContentReferences(content: event.content) : nil
        try countEvent(event, thread: thread, content: content, sign: -1)
        for interaction in Interaction.all(of: event, threadReferences: thread, content: content) {
            try remove(interaction)
        }
        try unnotify(about: event, thread: thread, content: content)
        try db.run("UPDATE notifications SET recipient = x'' WHERE target = ? AND recipient != x''", [.id(event.id)])
        try indexContent(event, thread: thread, content: content, insert: false)
        noteBackfill(event, thread: thread, content: content, replacedBy: new, sign: -1)
        switch event.kind {
        case 0:
            try db.run("DELETE FROM profiles WHERE pubkey = ?", [.id(event.pubkey)])
            userDeltas[event.pubkey, default: UserDeltas()].recheckUser = true
        case 3 where new == nil: try removeContactList(event)
        case 10002 where new == nil: try updateRelayCount(event.pubkey)
        default: break
        }
    }

    // MARK: Counters

    /// Per-author and network counters that every event moves.
    private func countEvent(_ event: Event, thread: ThreadReferences, content: ContentReferences?, sign: Int64) throws {
        var deltas = UserDeltas()
        deltas.events = sign
        switch event.kind {
        case 1:
            if thread.isReply { deltas.replies = sign } else { deltas.notes = sign }
            if let content, !MediaReference.media(of: event, content: content).isEmpty { deltas.media = sign }
        case 6: deltas.notes = sign
        case 30023: deltas.longForm = sign
        default: break
        }
        if sign > 0 { deltas.joined = event.createdAt } else { deltas.recheckJoined = true }
        addUser(event.pubkey, deltas)
        try bump("any", sign)
        switch event.kind {
        case 1: try bump("pubnotes", sign)
        case 6: try bump("reposts", sign)
        case 7: try bump("reactions", sign)
        case 9735:
            if let zap = ZapReceipt(event: event) {
                var received = UserDeltas()
                received.zaps = sign
                received.sats = sign * Int64(zap.amountSats)
                if zap.target != nil { received.contentZaps = sign }
                addUser(zap.receiver, received)
                try bump("zaps", sign)
                try bump("satszapped", sign * Int64(zap.amountSats))
                if sign > 0 {
                    try db.run("""
                        INSERT OR IGNORE INTO zaps (receipt, target, sender, receiver, amount_sats, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, [.id(event.id), zap.target.map(SQLiteValue.target) ?? .null, .id(zap.sender), .id(zap.receiver),
                              .int(Int64(zap.amountSats)), .int(event.createdAt)])
                } else {
                    try db.run("DELETE FROM zaps WHERE receipt = ?", [.id(event.id)])
                }
            }
        default: break
        }
    }

    /// Changes to one pubkey's row: counts to add, values to set, things to recheck.
    struct UserDeltas {
        var events: Int64 = 0, followers: Int64 = 0, notes: Int64 = 0, replies: Int64 = 0, longForm: Int64 = 0
        var media: Int64 = 0, zaps: Int64 = 0, sats: Int64 = 0, contentZaps: Int64 = 0
        /// The earliest inserted event's time, to lower time_joined to.
        var joined: Int64?
        /// An event was removed: time_joined may have to move later.
        var recheckJoined = false
        var followsCount: Int64?
        var relayCount: Int64?
        /// The profile or contact list changed: is this still a "user"?
        var recheckUser = false

        mutating func merge(_ d: UserDeltas) {
            events += d.events; followers += d.followers; notes += d.notes; replies += d.replies
            longForm += d.longForm; media += d.media; zaps += d.zaps; sats += d.sats; contentZaps += d.contentZaps
            if let j = d.joined { joined = min(joined ?? j, j) }
            recheckJoined = recheckJoined || d.recheckJoined
            if let f = d.followsCount { followsCount = f }
            if let r = d.relayCount { relayCount = r }
            recheckUser = recheckUser || d.recheckUser
        }

        /// Anything that could leave the row empty.
        var mayEmpty: Bool {
            [events, followers, notes, replies, longForm, media, zaps, sats, contentZaps].contains { $0 < 0 }
                || followsCount == 0 || relayCount == 0 || recheckUser || recheckJoined
        }
    }

    func addUser(_ pubkey: PublicKey, _ d: UserDeltas) {
        userDeltas[pubkey, default: UserDeltas()].merge(d)
    }

    /// Applies one pubkey's accumulated changes and the network counters they move.
    private func writeUser(_ pubkey: PublicKey, _ d: UserDeltas) throws {
        var eventCount: Int64 = 0
        try db.run("""
            INSERT INTO user_stats (pubkey, event_count, followers_count, note_count, reply_count, long_form_note_count,
                                    media_count, total_zap_count, total_satszapped, content_zap_count, time_joined,
                                    follows_count, relay_count)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, coalesce(?12, 0), coalesce(?13, 0))
            ON CONFLICT (pubkey) DO UPDATE SET
                time_joined = CASE WHEN excluded.time_joined IS NULL THEN time_joined
                                   ELSE min(coalesce(time_joined, excluded.time_joined), excluded.time_joined) END,
                event_count = event_count + excluded.event_count,
                followers_count = followers_count + excluded.followers_count,
                note_count = note_count + excluded.note_count,
                reply_count = reply_count + excluded.reply_count,
                long_form_note_count = long_form_note_count + excluded.long_form_note_count,
                media_count = media_count + excluded.media_count,
                total_zap_count = total_zap_count + excluded.total_zap_count,
                total_satszapped = total_satszapped + excluded.total_satszapped,
                content_zap_count = content_zap_count + excluded.content_zap_count,
                follows_count = coalesce(?12, follows_count),
                relay_count = coalesce(?13, relay_count)
            RETURNING event_count
            """, [.id(pubkey), .int(d.events), .int(d.followers), .int(d.notes), .int(d.replies), .int(d.longForm),
                  .int(d.media), .int(d.zaps), .int(d.sats), .int(d.contentZaps), d.joined.map(SQLiteValue.int) ?? .null,
                  d.followsCount.map(SQLiteValue.int) ?? .null, d.relayCount.map(SQLiteValue.int) ?? .null]) {
            eventCount = $0.int64(0)
        }
        let before = eventCount - d.events
        if before <= 0 && eventCount > 0 { try bump("pubkeys", 1) }
        if before > 0 && eventCount <= 0 { try bump("pubkeys", -1) }
        if d.recheckJoined {
            try db.run("""
                UPDATE user_stats SET time_joined = (SELECT min(created_at) FROM events INDEXED BY events_author WHERE pubkey = ?1)
                WHERE pubkey = ?1
                """, [.id(pubkey)])
        }
        if d.recheckUser || d.followsCount != nil { try updateIsUser(pubkey) }
        if d.mayEmpty { try pruneUserStats(pubkey) }
    }

    /// Drops a pubkey's row once nothing is left in it, so an incremental database and a
    /// rebuilt one hold the same rows.
    func pruneUserStats(_ pubkey: PublicKey) throws {
        try db.run("""
            DELETE FROM user_stats WHERE pubkey = ? AND event_count = 0 AND follows_count = 0 AND followers_count = 0
                AND note_count = 0 AND reply_count = 0 AND long_form_note_count = 0 AND relay_count = 0 AND media_count = 0
                AND total_zap_count = 0 AND total_satszapped = 0 AND content_zap_count = 0 AND is_user = 0
            """, [.id(pubkey)])
    }

    /// Adds to a network-wide counter (written at `flush()`).
    func bump(_ name: String, _ delta: Int64) throws {
        counterDeltas[name, default: 0] += delta
    }

    // MARK: Profiles

    private func storeProfile(_ event: Event) throws {
        let profile = ProfileMetadata(content: event.content)
        try db.run("""
            INSERT OR REPLACE INTO profiles (pubkey, event, created_at, name, display_name, picture, about, nip05, lud16)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.id(event.pubkey), .id(event.id), .int(event.createdAt), .text(profile.name), .text(profile.displayName),
                  .text(profile.picture), .text(profile.about), .text(profile.nip05), .text(profile.lud16)])
        userDeltas[event.pubkey, default: UserDeltas()].recheckUser = true
    }

    /// A "user" (NET_STATS) has a profile and a non-empty contact list. Runs at flush, once
    /// the row holds this transaction's follows_count.
    private func updateIsUser(_ pubkey: PublicKey) throws {
        var before: Int64 = 0, follows: Int64 = 0
        try db.run("SELECT is_user, follows_count FROM user_stats WHERE pubkey = ?", [.id(pubkey)]) {
            before = $0.int64(0)
            follows = $0.int64(1)
        }
        let hasProfile = try db.scalar("SELECT 1 FROM profiles WHERE pubkey = ?", [.id(pubkey)]) != nil
        let after: Int64 = hasProfile && follows > 0 ? 1 : 0
        guard before != after else { return }
        try db.run("UPDATE user_stats SET is_user = ? WHERE pubkey = ?", [.int(after), .id(pubkey)])
        try bump("users", after - before)
    }
}
