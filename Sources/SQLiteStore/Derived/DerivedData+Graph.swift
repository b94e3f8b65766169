import Store
import Nostr

/// The follow graph from contact lists (kind 3), and relay counts from relay lists.
extension DerivedData {
    /// Applies a new contact list as a diff from the one it replaces: follower counts moved,
    /// and a notification for each change. The first list seen from a pubkey notifies nobody:
    /// its follows are not news, only old to this cache. (The `follows` rows themselves are
    /// an index of the stored lists, written by `EventApplier` whether or not this runs.)
    func applyContactList(_ list: Event, replacing old: Event?) throws {
        let now = TagIndex.followed(by: list)
        let before = Set(old.map(TagIndex.followed) ?? [])
        let after = Set(now)
        for key in now where !before.contains(key) {
            var followed = UserDeltas()
            followed.followers = 1
            addUser(key, followed)
            if old != nil { try insertNotification(recipient: key, type: 1, event: list, actor: list.pubkey) }
        }
        for key in before where !after.contains(key) {
            var unfollowed = UserDeltas()
            unfollowed.followers = -1
            addUser(key, unfollowed)
            try insertNotification(recipient: key, type: 2, event: list, actor: list.pubkey)
        }
        var author = UserDeltas()
        author.followsCount = Int64(now.count)
        addUser(list.pubkey, author)
        try updateRelayCount(list.pubkey, current: list)
    }

    /// A contact list deleted outright (not replaced): its followers counts go down.
    func removeContactList(_ list: Event) throws {
        for key in TagIndex.followed(by: list) {
            var unfollowed = UserDeltas()
            unfollowed.followers = -1
            addUser(key, unfollowed)
        }
        var author = UserDeltas()
        author.followsCount = 0
        addUser(list.pubkey, author)
        try updateRelayCount(list.pubkey)
    }

    /// relay_count: distinct relays of the stored kind 10002, else of the kind 3 content.
    /// `current` is an event of either kind just stored (saves reading it back).
    func updateRelayCount(_ pubkey: PublicKey, current: Event? = nil) throws {
        func relays(in list: Event) -> Int64 { Int64(Set(list.tags.filter { $0.count >= 2 && $0[0] == "r" }.map { $0[1] }).count) }
        var count: Int64 = 0
        if let current, current.kind == 10002 {
            count = relays(in: current)
        } else if let list = try storedReplaceable(pubkey, kind: 10002) {
            count = relays(in: list)
        } else if let contacts = try (current?.kind == 3 ? current : storedReplaceable(pubkey, kind: 3)),
                  let urls = (try? JSONValue.parse(contacts.content))?.objectValue {
            count = Int64(urls.count)
        }
        var deltas = UserDeltas()
        deltas.relayCount = count
        addUser(pubkey, deltas)
    }

    /// The stored replaceable event of a pubkey and kind, parsed.
    func storedReplaceable(_ pubkey: PublicKey, kind: Int) throws -> Event? {
        var stored: StoredEvent?
        try db.run("""
            SELECT e.rowid, e.id, e.pubkey, e.created_at, e.kind, e.json, e.sig FROM events AS e INDEXED BY events_author
            WHERE e.pubkey = ? AND e.kind = ?
            """, [.id(pubkey), .int(Int64(kind))]) { stored = SQLiteStore.storedEvent($0) }
        return try stored?.parsed()
    }
}
