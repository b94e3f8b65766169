import Nostr
import Store
import StoreConformance
import Testing
@testable import SQLiteStore

/// One case per derived-data rule.
@Suite struct DerivedDataTests {
    let now: Int64 = 1_767_225_600
    let alice = KeyPair(secretKey: SHA256Digest32.hash(Array("derived/alice".utf8)))!
    let bob = KeyPair(secretKey: SHA256Digest32.hash(Array("derived/bob".utf8)))!
    let carol = KeyPair(secretKey: SHA256Digest32.hash(Array("derived/carol".utf8)))!
    let zapper = KeyPair(secretKey: SHA256Digest32.hash(Array("derived/zapper".utf8)))!

    func event(_ keys: KeyPair, _ kind: Int, _ offset: Int64, tags: [[String]] = [], _ content: String = "") -> Event {
        Event.signed(by: keys, createdAt: now - 10_000 + offset, kind: kind, tags: tags, content: content)
    }

    /// A fresh store at `now`, the events written one batch each, and a way to look.
    func withStore(_ events: [Event], clock: TestClock? = nil, _ body: (SQLiteStore) async throws -> Void) async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open(clock: clock ?? TestClock(now))
        for event in events { _ = try await store.write([ValidatedEvent(event: event)]) }
        try await body(store)
        await store.close()
    }

    func stats(_ store: SQLiteStore, _ event: Event) async throws -> EventStats {
        try await store.eventStats([.id(event.id)])[.id(event.id)] ?? EventStats()
    }

    func user(_ store: SQLiteStore, _ keys: KeyPair) async throws -> UserStats {
        try await store.userStats([keys.publicKey])[keys.publicKey] ?? UserStats(pubkey: keys.publicKey)
    }

    func zap(_ target: Event?, from sender: KeyPair, to receiver: KeyPair, sats: UInt64, _ offset: Int64,
             description: Bool = true) -> Event {
        let request = event(sender, 9734, offset - 1, tags: [["p", receiver.publicKey.hex]], "great post")
        var tags: [[String]] = [["p", receiver.publicKey.hex], ["bolt11", Bolt11.humanReadablePart(millisats: sats * 1000) + "1qqqqqqqq"]]
        if let target { tags.append(["e", target.id.hex]) }
        if description { tags.append(["description", request.jsonString]) }
        return event(zapper, 9735, offset, tags: tags)
    }

    @Test func likesAreLikeReactionsOncePerPerson() async throws {
        let note = event(alice, 1, 0, "hello")
        let reactions = [
            event(bob, 7, 1, tags: [["e", note.id.hex], ["p", alice.publicKey.hex]], "+"),
            event(bob, 7, 2, tags: [["e", note.id.hex], ["p", alice.publicKey.hex]], "🤙"),  // bob again
            event(carol, 7, 3, tags: [["e", note.id.hex]], "❤️"),
            event(carol, 7, 4, tags: [["e", note.id.hex]], "-"),  // not a like
            event(zapper, 7, 5, tags: [["e", note.id.hex]], "🔥"),  // not a like
            event(zapper, 7, 6, tags: [["e", String(repeating: "0", count: 64)], ["e", note.id.hex]], ""),  // last e tag, empty = like
        ]
        try await withStore([note] + reactions) { (store: SQLiteStore) async throws in
            let s = try await stats(store, note)
            #expect(s.likes == 3)
            #expect(s.score == 3 * Interaction.score(1))
            #expect(try await store.networkStats().reactions == 6)
            let liked = try await store.viewerActions(bob.publicKey, on: [.id(note.id)])
            #expect(liked[.id(note.id)]?.liked == true && liked[.id(note.id)]?.replied == false)
            let notifications = try await store.notifications(for: alice.publicKey, types: [4], until: nil, limit: 50, offset: 0)
            #expect(notifications.count == 6, "every reaction notifies, likes or not")
        }
    }

    @Test func repliesByMarkerAndPosition() async throws {
        let root = event(alice, 1, 0, "root")
        let marked = event(bob, 1, 1, tags: [["e", root.id.hex, "", "root"]], "a marked reply that is long enough to weigh five")
        let nested = event(carol, 1, 2, tags: [["e", root.id.hex, "", "root"], ["e", marked.id.hex, "", "reply"]], "nested")
        let positional = event(carol, 1, 3, tags: [["e", root.id.hex], ["e", marked.id.hex]], "positional")
        let mention = event(carol, 1, 4, tags: [["e", root.id.hex, "", "mention"]], "just a mention")
        try await withStore([root, marked, nested, positional, mention]) { (store: SQLiteStore) async throws in
            #expect(try await stats(store, root).replies == 1)
            #expect(try await stats(store, marked).replies == 2)
            // carol replied twice to `marked`: the first (earliest) reply scores, with its weight.
            #expect(try await stats(store, marked).score == Interaction.score(1))
            #expect(try await stats(store, root).score == Interaction.score(5) + Interaction.score(7))
            #expect(try await user(store, alice).noteCount == 1)
            #expect(try await user(store, carol).replyCount == 2)
            #expect(try await user(store, carol).noteCount == 1)
        }
    }

    @Test func quotesCountAsReposts() async throws {
        let note = event(alice, 1, 0, "quote me")
        let repost = event(bob, 6, 1, tags: [["e", note.id.hex], ["p", alice.publicKey.hex]], note.jsonString)
        let bobQuote = event(bob, 1, 2, "look nostr:" + NIP19.note(note.id).encoded)  // same person: one repost
        let carolQuote = event(carol, 1, 3, tags: [["q", note.id.hex]], "quoted with a q tag")
        let zapperQuote = event(zapper, 1, 4, tags: [["e", note.id.hex, "", "mention"]], "mention marker")
        try await withStore([note, repost, bobQuote, carolQuote, zapperQuote]) { (store: SQLiteStore) async throws in
            let s = try await stats(store, note)
            #expect(s.reposts == 3)
            #expect(s.score == 3 * Interaction.score(7))
            let mentions = try await store.notifications(for: alice.publicKey, types: [8], until: nil, limit: 50, offset: 0)
            #expect(mentions.count == 3)
            #expect(try await store.notifications(for: alice.publicKey, types: [5], until: nil, limit: 50, offset: 0).count == 1)
        }
    }

    @Test func zapAmountsAndTheCap() async throws {
        let note = event(alice, 1, 0, "zap me")
        let zaps = [
            zap(note, from: bob, to: alice, sats: 1_000, 1),
            zap(note, from: bob, to: alice, sats: 21, 2),  // second zap by bob: counts, scores once
            zap(note, from: carol, to: alice, sats: 1_100_000, 3),  // exactly the cap: counts
            zap(note, from: carol, to: alice, sats: 1_100_001, 4),  // over the cap: ignored
            zap(note, from: carol, to: alice, sats: 500, 5, description: false),  // no zap request: ignored
            zap(nil, from: carol, to: alice, sats: 700, 6),  // a profile zap
        ]
        try await withStore([note] + zaps) { (store: SQLiteStore) async throws in
            let s = try await stats(store, note)
            #expect(s.zaps == 3 && s.satsZapped == 1_101_021)
            #expect(s.score == 2 * Interaction.score(5))
            let a = try await user(store, alice)
            #expect(a.totalZapCount == 4 && a.totalSatsZapped == 1_101_721 && a.contentZapCount == 3)
            let network = try await store.networkStats()
            #expect(network.zaps == 4 && network.satsZapped == 1_101_721)
            let zapped = try await store.notifications(for: alice.publicKey, types: [3], until: nil, limit: 50, offset: 0)
            #expect(zapped.map(\.amount).sorted() == [21, 1_000, 1_100_000])
            #expect(zapped.allSatisfy { $0.content == "great post" && $0.actor != zapper.publicKey })
        }
    }

    @Test func earliestActionScoresWhateverTheOrder() async throws {
        let note = event(alice, 1, 0, "note")
        let late = event(bob, 1, 100, tags: [["e", note.id.hex, "", "root"]], String(repeating: "long reply ", count: 12))
        let early = event(bob, 1, 50, tags: [["e", note.id.hex, "", "root"]], "short")
        for order in [[note, late, early], [note, early, late], [early, late, note]] {
            try await withStore(order) { (store: SQLiteStore) async throws in
                #expect(try await stats(store, note).score == Interaction.score(1), "the earlier, short reply scores")
                #expect(try await stats(store, note).replies == 2)
            }
        }
    }

    @Test func score24hDecays() async throws {
        let clock = TestClock(now)
        let note = event(alice, 1, 0, "note")
        let like = Event.signed(by: bob, createdAt: now - 3_600, kind: 7, tags: [["e", note.id.hex]], content: "+")
        try await withStore([note, like], clock: clock) { (store: SQLiteStore) async throws in
            #expect(try await stats(store, note).score24h == Interaction.score(1))
            clock.advance(23 * 3_600 - 1)
            try await store.advanceScoreWindow()
            #expect(try await stats(store, note).score24h == Interaction.score(1))
            clock.advance(2)
            try await store.advanceScoreWindow()
            let s = try await stats(store, note)
            #expect(s.score24h == 0 && s.score == Interaction.score(1) && s.likes == 1)
        }
    }

    @Test func followsApplyAsDiffs() async throws {
        let first = event(alice, 3, 0, tags: [["p", bob.publicKey.hex], ["p", carol.publicKey.hex], ["p", bob.publicKey.hex]])
        let second = event(alice, 3, 10, tags: [["p", carol.publicKey.hex], ["p", zapper.publicKey.hex]])
        let stale = event(alice, 3, 5, tags: [["p", bob.publicKey.hex]])
        try await withStore([first, second, stale]) { (store: SQLiteStore) async throws in
            #expect(try await user(store, alice).followsCount == 2)
            #expect(try await user(store, bob).followersCount == 0)
            #expect(try await user(store, carol).followersCount == 1)
            #expect(try await user(store, zapper).followersCount == 1)
            // The first list is not news; the change is: zapper followed, bob unfollowed.
            #expect(try await store.notifications(for: carol.publicKey, types: [1], until: nil, limit: 9, offset: 0).isEmpty)
            #expect(try await store.notifications(for: zapper.publicKey, types: [1], until: nil, limit: 9, offset: 0).count == 1)
            #expect(try await store.notifications(for: bob.publicKey, types: [2], until: nil, limit: 9, offset: 0).count == 1)
        }
    }

    @Test func deletionsUndoTheirCounts() async throws {
        let note = event(alice, 1, 0, "note")
        let like = event(bob, 7, 1, tags: [["e", note.id.hex], ["p", alice.publicKey.hex]], "+")
        let reply = event(bob, 1, 2, tags: [["e", note.id.hex, "", "root"]], "reply")
        let unlike = event(bob, 5, 3, tags: [["e", like.id.hex]])
        let unreply = event(bob, 5, 4, tags: [["e", reply.id.hex]])
        try await withStore([note, like, reply, unlike, unreply]) { (store: SQLiteStore) async throws in
            #expect(try await stats(store, note) == EventStats())
            #expect(try await store.notifications(for: alice.publicKey, types: nil, until: nil, limit: 9, offset: 0).isEmpty)
            #expect(try await user(store, bob).replyCount == 0)
            #expect(try await store.viewerActions(bob.publicKey, on: [.id(note.id)]).isEmpty)
        }
        // Deleting the post itself takes its notifications away from its author.
        let deleteNote = event(alice, 5, 5, tags: [["e", note.id.hex]])
        try await withStore([note, like, deleteNote]) { (store: SQLiteStore) async throws in
            #expect(try await store.notifications(for: alice.publicKey, types: nil, until: nil, limit: 9, offset: 0).isEmpty)
            #expect(try await user(store, alice).noteCount == 0)
        }
    }

    @Test func notificationsWaitForTheirPost() async throws {
        let note = event(alice, 1, 0, "late post")
        let like = event(bob, 7, 1, tags: [["e", note.id.hex], ["p", alice.publicKey.hex]], "+")
        let selfLike = event(alice, 7, 2, tags: [["e", note.id.hex]], "+")
        try await withStore([like, selfLike]) { (store: SQLiteStore) async throws in
            #expect(try await store.notifications(for: alice.publicKey, types: nil, until: nil, limit: 9, offset: 0).isEmpty)
            #expect(try await stats(store, note).likes == 2, "counted by target id before the post arrives")
            _ = try await store.write([ValidatedEvent(event: note)])
            let delivered = try await store.notifications(for: alice.publicKey, types: nil, until: nil, limit: 9, offset: 0)
            #expect(delivered.map(\.cause) == [like.id], "once, and not for liking your own post")
            #expect(try await store.notificationCounts(for: alice.publicKey, since: 0) == [4: 1])
            #expect(try await store.notificationCounts(for: alice.publicKey, since: like.createdAt).isEmpty)
        }
    }

    @Test func mentionsAndProfiles() async throws {
        let profile = event(alice, 0, 0, #"{"name":"alice","display_name":"Alice","lud16":"a@b.c","picture":"https://p/a.png"}"#)
        let broken = event(bob, 0, 0, "{not json")
        let mention = event(carol, 1, 1, "hi nostr:" + NIP19.npub(alice.publicKey).encoded)
        let contacts = event(alice, 3, 2, tags: [["p", bob.publicKey.hex]], #"{"wss://a":{},"wss://b":{}}"#)
        let relays = event(bob, 10002, 3, tags: [["r", "wss://x"], ["r", "wss://x", "read"], ["r", "wss://y"]])
        try await withStore([profile, broken, mention, contacts, relays]) { (store: SQLiteStore) async throws in
            #expect(try await store.notifications(for: alice.publicKey, types: [7], until: nil, limit: 9, offset: 0).count == 1)
            #expect(try await user(store, alice).relayCount == 2, "kind 3 content when there is no kind 10002")
            #expect(try await user(store, bob).relayCount == 2, "distinct kind 10002 relays")
            #expect(try await store.networkStats().users == 1, "alice has a profile and follows someone")
            try await store.readers.read { db in
                var name = "", lud16 = "", bobName = "?"
                try db.run("SELECT name, lud16 FROM profiles WHERE pubkey = ?", [.id(alice.publicKey)]) {
                    name = $0.text(0) ?? ""; lud16 = $0.text(1) ?? ""
                }
                try db.run("SELECT name FROM profiles WHERE pubkey = ?", [.id(bob.publicKey)]) { bobName = $0.text(0) ?? "" }
                #expect(name == "alice" && lud16 == "a@b.c" && bobName == "")
            }
        }
    }
}
