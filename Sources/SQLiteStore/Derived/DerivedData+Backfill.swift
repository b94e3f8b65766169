import Nostr
import Store

/// What the writer records for backfill (schema 0008) as it stores events: every pubkey an
/// event names, whether its metadata is stored, and the events it points at that are not.
/// Collected per transaction and written at `flush()`, one row per pubkey: a batch names the
/// same popular pubkeys over and over.
struct BackfillNotes {
    /// Per pubkey: how wanted (1 author of a post), how often this transaction named it (its
    /// rank when new), metadata bits now stored or gone.
    struct Pubkey {
        var wantedBy = 0
        var named: Int64 = 0
        var stored = 0
        var gone = 0
    }

    var pubkeys: [PublicKey: Pubkey] = [:]
    /// Events pointed at; checked against `events` at flush (they may arrive in the same batch).
    var referenced: Set<EventReference> = []
    /// Events stored in this transaction: no longer wanted.
    var arrived: [EventReference] = []

    /// Kinds whose authors' metadata is fetched first: posts people read.
    static let postKinds: Set<Int> = [1, 6, 16, 1111, 30023]
    /// Kinds whose `p` tags name people worth a profile.
    static let noteKinds: Set<Int> = [1, 1111, 30023]

    var isEmpty: Bool { pubkeys.isEmpty && referenced.isEmpty && arrived.isEmpty }
}

extension DerivedData {
    /// Records what `event` names (`sign` 1 when stored, -1 when removed).
    func noteBackfill(_ event: Event, thread: ThreadReferences, content: ContentReferences?, replacedBy new: Event?, sign: Int64) {
        if sign > 0 {
            backfill.pubkeys[event.pubkey, default: .init()].wantedBy = max(backfill.pubkeys[event.pubkey]?.wantedBy ?? 0,
                                                                            BackfillNotes.postKinds.contains(event.kind) ? 1 : 0)
        }
        if let bit = BackfillTarget.metadataBit(event.kind) {
            if sign > 0 {
                backfill.pubkeys[event.pubkey, default: .init()].stored |= bit
            } else if new == nil {
                backfill.pubkeys[event.pubkey, default: .init()].gone |= bit
            }
        }
        guard sign > 0 else { return }
        for named in namedPubkeys(event, content: content) where named != event.pubkey {
            backfill.pubkeys[named, default: .init()].named += 1
        }
        if let address = event.address { backfill.arrived.append(.address(address)) }
        backfill.arrived.append(.id(event.id))
        for interaction in Interaction.all(of: event, threadReferences: thread, content: content) where interaction.kind != .like && interaction.kind != .reaction {
            backfill.referenced.insert(interaction.target)
        }
        if let root = thread.root { backfill.referenced.insert(root) }
    }

    /// Follow targets of a contact list, `p` tags of notes, the parties of a zap.
    private func namedPubkeys(_ event: Event, content: ContentReferences?) -> [PublicKey] {
        switch event.kind {
        case 3: return TagIndex.followed(by: event)
        case 9735:
            guard let zap = ZapReceipt(event: event) else { return [] }
            return [zap.sender, zap.receiver]
        case let kind where BackfillNotes.noteKinds.contains(kind):
            var seen = Set<PublicKey>()
            let tagged = event.tagValues("p").compactMap(PublicKey.init(hex:))
            return (tagged + (content?.mentionedPubkeys ?? [])).filter { seen.insert($0).inserted }
        default: return []
        }
    }

    /// Writes the notes of this transaction (from `flush()`).
    func flushBackfill() throws {
        guard !backfill.isEmpty else { return }
        let arrived = try db.prepare("DELETE FROM backfill WHERE type = ? AND target = ?")
        for reference in backfill.arrived {
            defer { arrived.reset() }
            try arrived.bind(Self.backfillKey(.event(reference)))
            _ = try arrived.step()
        }
        for reference in backfill.referenced where try !isStored(reference) {
            try db.run("INSERT INTO backfill (type, target, queue) VALUES (?, ?, 0) ON CONFLICT (type, target) DO NOTHING",
                       Self.backfillKey(.event(reference)))
        }
        for (pubkey, note) in backfill.pubkeys.sorted(by: { $0.key < $1.key }) { try writePubkey(pubkey, note) }
        backfill = BackfillNotes()
    }

    /// A row for a pubkey named for the first time; otherwise a write only when it became
    /// more wanted or its metadata came or went (a seek is all naming it again costs).
    private func writePubkey(_ pubkey: PublicKey, _ note: BackfillNotes.Pubkey) throws {
        if note.named > 0 || note.wantedBy > 0 || note.stored != 0 {
            try db.run("""
                INSERT INTO backfill (type, target, wanted_by, stored, queue)
                VALUES (0, ?1, ?2, ?3, CASE WHEN ?3 = 7 THEN NULL ELSE (?2 << 40) + ?4 END)
                ON CONFLICT (type, target) DO NOTHING
                """, [.id(pubkey), .int(Int64(note.wantedBy)), .int(Int64(note.stored)), .int(note.named)])
        }
        if note.wantedBy > 0 {
            try db.run("""
                UPDATE backfill SET wanted_by = ?2, queue = CASE WHEN queue IS NULL THEN NULL ELSE queue + ((?2 - wanted_by) << 40) END
                WHERE type = 0 AND target = ?1 AND wanted_by < ?2
                """, [.id(pubkey), .int(Int64(note.wantedBy))])
        }
        if note.stored != 0 {
            try db.run("""
                UPDATE backfill SET stored = stored | ?2, queue = CASE WHEN (stored | ?2) = 7 THEN NULL ELSE queue END
                WHERE type = 0 AND target = ?1 AND (stored | ?2) != stored
                """, [.id(pubkey), .int(Int64(note.stored))])
        }
        if note.gone != 0 {
            try db.run("UPDATE backfill SET stored = stored & ~?2 WHERE type = 0 AND target = ?1 AND (stored & ?2) != 0",
                       [.id(pubkey), .int(Int64(note.gone))])
        }
    }

    private func isStored(_ reference: EventReference) throws -> Bool {
        switch reference {
        case .id(let id):
            return try db.scalar("SELECT 1 FROM events WHERE id = ?", [.id(id)]) != nil
        case .address(let address):
            if KindClass(kind: address.kind) == .addressable {
                return try db.scalar("SELECT 1 FROM events INDEXED BY events_address WHERE pubkey = ? AND kind = ? AND dtag = ?",
                                     [.id(address.pubkey), .int(Int64(address.kind)), .text(address.identifier)]) != nil
            }
            return try db.scalar("SELECT 1 FROM events INDEXED BY events_author WHERE pubkey = ? AND kind = ? LIMIT 1",
                                 [.id(address.pubkey), .int(Int64(address.kind))]) != nil
        }
    }

    /// A target's key in `backfill`: type and value.
    static func backfillKey(_ target: BackfillTarget) -> [SQLiteValue] {
        switch target {
        case .pubkey(let pubkey): return [.int(0), .id(pubkey)]
        case .event(.id(let id)): return [.int(1), .id(id)]
        case .event(.address(let address)): return [.int(2), .text(address.description)]
        }
    }
}
