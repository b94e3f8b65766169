import Nostr

/// Notification rows (Primal's types). Self-notifications are kept and filtered when read,
/// so the rows stay a function of the stored events.
extension DerivedData {
    func insertNotification(recipient: PublicKey?, type: Int64, event: Event, actor: PublicKey,
                            target: EventReference? = nil, amount: Int64 = 0, content: String = "") throws {
        try db.run("""
            INSERT INTO notifications (recipient, created_at, type, cause, actor, target, amount, content)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [recipient.map(SQLiteValue.id) ?? .pendingRecipient, .int(event.createdAt), .int(type), .id(event.id),
                  .id(actor), target.map(SQLiteValue.target) ?? .null, .int(amount), .text(content)])
    }

    /// Who a post belongs to: known at once for an address, from the stored event for an id
    /// (nil while the post is not stored: the notification waits).
    func author(of target: EventReference) throws -> PublicKey? {
        switch target {
        case .address(let address): return address.pubkey
        case .id(let id):
            var author: PublicKey?
            try db.run("SELECT pubkey FROM events WHERE id = ?", [.id(id)]) { author = $0.bytes32(0) }
            return author
        }
    }

    /// A notification an event causes; `recipient` nil means waiting for the post.
    struct Notification {
        let recipient: PublicKey?
        let type: Int64
        let actor: PublicKey
        var target: EventReference?
        var amount: Int64 = 0
        var content = ""
    }

    /// The notifications an event causes: liked (4), reposted (5), replied (6), zapped (3),
    /// your post mentioned (8), you were mentioned (7). Follow notifications come from the
    /// contact-list diff instead.
    func notifications(causedBy event: Event, thread: ThreadReferences, content: ContentReferences?) throws -> [Notification] {
        var found: [Notification] = []
        func aboutPost(_ type: Int64, _ target: EventReference?, actor: PublicKey? = nil, amount: Int64 = 0, text: String = "") throws {
            guard let target else { return }
            found.append(Notification(recipient: try author(of: target), type: type, actor: actor ?? event.pubkey,
                                      target: target, amount: amount, content: text))
        }
        switch event.kind {
        case 7: try aboutPost(4, Reaction.target(of: event), text: event.content)
        case 6, 16:
            let target = event.tags.first { $0.count >= 2 && $0[0] == "e" }.flatMap { EventID(hex: $0[1]) }.map(EventReference.id)
            try aboutPost(5, target)
        case 9735:
            if let zap = ZapReceipt(event: event), zap.target != nil {
                try aboutPost(3, zap.target, actor: zap.sender, amount: Int64(zap.amountSats), text: zap.message)
            }
        case 1, 1111:
            try aboutPost(6, thread.parent)
            var quoted = Set<EventReference>()
            for reference in Interaction.quotes(of: event, content: content) where reference != thread.parent && quoted.insert(reference).inserted {
                try aboutPost(8, reference)
            }
            var mentioned = Set<PublicKey>()
            for key in content?.mentionedPubkeys ?? [] where mentioned.insert(key).inserted {
                found.append(Notification(recipient: key, type: 7, actor: event.pubkey))
            }
        default: break
        }
        return found
    }

    func notify(about event: Event, thread: ThreadReferences, content: ContentReferences?) throws {
        for n in try notifications(causedBy: event, thread: thread, content: content) {
            try insertNotification(recipient: n.recipient, type: n.type, event: event, actor: n.actor, target: n.target,
                                   amount: n.amount, content: n.content)
        }
    }

    /// Deletes what `notify` inserted for this event, delivered or still waiting.
    func unnotify(about event: Event, thread: ThreadReferences, content: ContentReferences?) throws {
        for n in try notifications(causedBy: event, thread: thread, content: content) {
            try db.run("""
                DELETE FROM notifications
                WHERE recipient IN (?, x'') AND created_at = ? AND type = ? AND cause = ? AND actor = ?
                """, [n.recipient.map(SQLiteValue.id) ?? .pendingRecipient, .int(event.createdAt), .int(n.type),
                      .id(event.id), .id(n.actor)])
        }
    }

    /// Delivers notifications that were waiting for this post. They are appended anew (not
    /// updated in place) so that rows for a recipient only ever appear at the end, which is
    /// what live count pushes watch. Read, then inserted one by one: an INSERT … SELECT from
    /// the same table builds a temporary table each time, which cost ~100 µs per post (a
    /// catch-up pages backwards, so most posts arrive after the reactions that wait for them).
    func deliverWaitingNotifications(for event: Event) throws {
        var waiting: [[SQLiteValue]] = []
        try db.run("""
            SELECT created_at, type, cause, actor, target, amount, content FROM notifications
            WHERE target = ? AND recipient = x'' ORDER BY id
            """, [.id(event.id)]) { row in
            waiting.append((0..<7).map { row.value($0) })
        }
        guard !waiting.isEmpty else { return }
        for row in waiting {
            try db.run("""
                INSERT INTO notifications (recipient, created_at, type, cause, actor, target, amount, content)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [.id(event.pubkey)] + row)
        }
        try db.run("DELETE FROM notifications WHERE recipient = x'' AND target = ?", [.id(event.id)])
    }
}
