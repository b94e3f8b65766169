import Foundation
import Nostr
import Server
import Store
import StoreConformance
import Testing

/// Notifications, signed requests, live pushes, direct messages and settings, over a small
/// crafted world whose expected rows are written down by hand.
@Suite(.serialized) struct CacheAccountTests {
    static let now = Int64(Date().timeIntervalSince1970)
    static let base = now - 3_600
    static let alice = Author("acct-alice"), bob = Author("acct-bob"), carol = Author("acct-carol")
    static let dave = Author("acct-dave"), erin = Author("acct-erin")
    static let likers = (0..<60).map { Author("acct-liker-\($0)") }
    static let note = alice.event(1, at: base, "hello from alice")

    /// Alice's note gets 61 likes, a reply, a repost; Erin follows her; DMs go both ways.
    static var world: [Event] {
        let e = ["e", note.id.hex], p = ["p", alice.pubkey.hex]
        var events = [
            note,
            alice.event(0, at: base - 100, "{\"name\":\"alice\"}"),
            bob.event(0, at: base - 100, "{\"name\":\"bob\"}"),
            bob.event(7, at: base + 10, tags: [e, p], "+"),
            carol.event(1, at: base + 20, tags: [["e", note.id.hex, "", "root"], p], "nice"),
            dave.event(6, at: base + 30, tags: [e, p], ""),
            // Erin's first list follows nobody; the next one follows alice (a first list
            // notifies no one: it records the past, not a change).
            erin.event(3, at: base + 35),
            erin.event(3, at: base + 40, tags: [p]),
            alice.event(30_000, at: base, tags: [["d", "allowlist"], ["p", bob.pubkey.hex]]),
        ]
        events += likers.enumerated().map { i, liker in liker.event(7, at: base + 100 + Int64(i), tags: [e, p], "+") }
        // Direct messages: bob→alice ×3, carol→alice ×1, alice→bob ×2.
        events += (0..<3).map { bob.event(4, at: base + 200 + Int64($0), tags: [p], "c2VjcmV0?iv=AAAA\($0)") }
        events.append(carol.event(4, at: base + 210, tags: [p], "c2VjcmV0?iv=BBBB"))
        events += (0..<2).map { alice.event(4, at: base + 220 + Int64($0), tags: [["p", bob.pubkey.hex]], "c2VjcmV0?iv=CCCC\($0)") }
        return events
    }

    static func start(_ configure: @escaping (inout ServerConfiguration) -> Void = { _ in }) async throws -> CacheFixture {
        try await CacheFixture.start(seed: 21, users: 8, notes: 20, extra: world, configure: configure)
    }

    /// A kind 30078 signed by `author` (Primal's `event_from_user`).
    static func proof(_ author: Author, at time: Int64 = now, kind: Int = 30_078, content: String = "") -> [String: Any] {
        json(author.event(kind, at: time, tags: [["d", "Primal-Web App"]], content))
    }

    static func json(_ event: Event) -> [String: Any] {
        try! JSONSerialization.jsonObject(with: Data(event.json)) as! [String: Any]
    }

    @Test func notificationsListEveryCauseWithPrimalsFields() async throws {
        let fixture = try await Self.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let alice = Self.alice.pubkey.hex

        let first = try #require(await client.cache("get_notifications", ["pubkey": alice, "limit": 100]))
        #expect(first.notice == nil, "\(first.notice ?? "")")
        let rows: [[String: Any]] = first.contents(10_000_110).compactMap { $0 as? [String: Any] }
        #expect(rows.count == 50, "limit is clamped to 50")
        let times: [Int] = rows.map { $0["created_at"] as? Int ?? 0 }
        #expect(times == times.sorted(by: >))
        #expect(rows.first?["who_liked_it"] as? String == Self.likers[59].pubkey.hex)
        #expect(rows.first?["your_post"] as? String == Self.note.id.hex && rows.first?["reaction"] as? String == "+")
        #expect(first.ids(kind: 1).contains(Self.note.id.hex), "the bundle holds the post")
        let rest = try #require(await client.cache("get_notifications", ["pubkey": alice, "limit": 50, "offset": 50]))
        let all = rows + rest.contents(10_000_110).compactMap { $0 as? [String: Any] }
        var byType: [Int: Int] = [:]
        for row in all { byType[row["type"] as! Int, default: 0] += 1 }
        #expect(byType == [4: 61, 6: 1, 5: 1, 1: 1])
        #expect(Set(all.compactMap { $0["id"] as? String }).count == all.count, "row ids are unique")
        // Follower counts of the actors come as USER_PROFILE {pubkey, followers_count}.
        let profiles = rest.contents(10_000_105).compactMap { $0 as? [String: Any] }
        #expect(profiles.contains { $0["pubkey"] as? String == Self.erin.pubkey.hex && $0["followers_count"] != nil })

        let replies = try #require(await client.cache("get_notifications", ["pubkey": alice, "type_group": "replies"]))
        let reply = try #require(replies.contents(10_000_110).first as? [String: Any])
        #expect(replies.contents(10_000_110).count == 1)
        #expect(reply["type"] as? Int == 6 && reply["who_replied_to_it"] as? String == Self.carol.pubkey.hex)
        #expect(replies.ids(kind: 1).contains(reply["reply"] as! String))
        let reposts = try #require(await client.cache("get_notifications", ["pubkey": alice, "type_group": "reposts"]))
        #expect(reposts.contents(10_000_110).map { ($0 as! [String: Any])["who_reposted_it"] as? String } == [Self.dave.pubkey.hex])
        #expect(await client.cache("get_notifications", ["pubkey": alice, "type_group": "zaps"])?.contents(10_000_110).isEmpty == true)
        #expect(await client.cache("get_notifications", ["pubkey": alice, "type_group": "likes"])?.notice?.contains("type_group") == true)
        let reposted = try #require(await client.cache("find_reposts", ["pubkey": Self.dave.pubkey.hex, "event_id": Self.note.id.hex]))
        #expect(reposted.events(kind: 6).count == 1)
    }

    @Test func signedRequestsRefuseForgeriesAndMoveTheSeenMark() async throws {
        let fixture = try await Self.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let alice = Self.alice.pubkey.hex
        func seen() async -> Int? { await client.cache("get_notifications_seen", ["pubkey": alice])?.contents(10_000_111).first as? Int }
        #expect(await seen() == 0)

        var badSignature = Self.proof(Self.alice)
        badSignature["sig"] = Self.json(Self.bob.event(1, at: Self.now, "x"))["sig"]
        var otherKey = Self.proof(Self.bob)
        otherKey["pubkey"] = alice
        let refused: [(String, [String: Any])] = [
            ("signature", badSignature),
            ("kind", Self.proof(Self.alice, kind: 1)),
            ("future", Self.proof(Self.alice, at: Self.now + 600)),
            ("other key", otherKey),
        ]
        for (what, event) in refused {
            let reply = try #require(await client.cache("set_notifications_seen", ["event_from_user": event]), "\(what)")
            #expect(reply.notice != nil, "\(what) is refused")
            let dm = try #require(await client.cache("reset_directmsg_counts", ["event_from_user": event]))
            #expect(dm.notice != nil, "\(what) is refused by reset_directmsg_counts")
        }
        #expect(await seen() == 0, "nothing refused moved the mark")
        #expect(await client.cache("set_notifications_seen", [:])?.notice?.contains("event_from_user") == true)

        let ok = try #require(await client.cache("set_notifications_seen", ["event_from_user": Self.proof(Self.alice, at: Self.base + 125)]))
        #expect(ok.notice == nil && ok.objects.isEmpty)
        #expect(await seen() == Int(Self.base + 125))
    }

    /// Reads pushes for `sub` for `seconds` (and on, up to 20 s, until `atLeast` came: a
    /// loaded machine delivers late), returning the pushed objects.
    static func pushes(_ client: TestClient, _ sub: String, for seconds: Double, atLeast: Int = 0) async -> [[String: Any]] {
        var objects: [[String: Any]] = []
        let start = Date()
        func deadline() -> Date { start.addingTimeInterval(objects.count < atLeast ? max(seconds, 20) : seconds) }
        while Date() < deadline(), let message = await client.nextJSON(timeout: max(0.05, deadline().timeIntervalSinceNow)) {
            if message.count == 3, message[0] as? String == "EVENT", message[1] as? String == sub, let object = message[2] as? [String: Any] {
                objects.append(object)
            }
            #expect(!(message.first as? String == "EOSE" && message[1] as? String == sub), "pushes carry no EOSE")
        }
        return objects
    }

    @Test func countsArePushedAtTheConfiguredRateUntilClose() async throws {
        let fixture = try await Self.start { $0.cache.countsInterval = 0.2; $0.cache.netStatsInterval = 0.2 }
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let alice = Self.alice.pubkey.hex

        let subscribedAt = Date()
        let subscribed = try #require(await client.cache("notification_counts", ["pubkey": alice], sub: "counts"))
        #expect(subscribed.notice == nil && subscribed.objects.isEmpty, "answered with EOSE alone")
        let pushed = await Self.pushes(client, "counts", for: 2, atLeast: 3)
        // Five a second: never more than the time since subscribing allows (pushes that
        // waited while this test was not running are counted too); a loaded machine may
        // deliver fewer in two seconds, so the reading goes on until three came.
        let allowed = Int(Date().timeIntervalSince(subscribedAt) / 0.2) + 1
        #expect(pushed.count >= 3 && pushed.count <= allowed, "\(pushed.count) pushes, at most \(allowed) allowed")
        let last = try #require(pushed.last)
        #expect(last["kind"] as? Int == 10_000_112 && last["pubkey"] as? String == alice)
        #expect(last["4"] as? Int == 61 && last["5"] as? Int == 1 && last["6"] as? Int == 1 && last["1"] as? Int == 1)

        // Seen until base+125: 34 likes remain unseen, nothing else.
        let seen = try #require(await client.cache("set_notifications_seen", ["event_from_user": Self.proof(Self.alice, at: Self.base + 125)]))
        #expect(seen.notice == nil)
        let after = await Self.pushes(client, "counts", for: 1).last
        #expect(after?["4"] as? Int == 34 && after?["6"] as? Int == 0)

        client.send(json: ["CLOSE", "counts"])
        // A push the timer had already taken may still come (late on a loaded machine).
        _ = await Self.pushes(client, "counts", for: 1.5)
        #expect(await Self.pushes(client, "counts", for: 1).isEmpty, "nothing after CLOSE")

        // The second form, and net_stats.
        _ = await client.cache("notification_counts_2", ["pubkey": alice], sub: "counts2")
        let second = try #require(await Self.pushes(client, "counts2", for: 1).last)
        let text: String = second["content"] as? String ?? ""
        let content = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Int])
        #expect(second["kind"] as? Int == 10_000_132 && content["4"] == 34)
        client.send(json: ["CLOSE", "counts2"])
        _ = await client.cache("net_stats", nil, sub: "net")
        let stats = try #require(await Self.pushes(client, "net", for: 1).last)
        let statsText: String = stats["content"] as? String ?? ""
        let net = try #require(try JSONSerialization.jsonObject(with: Data(statsText.utf8)) as? [String: Int])
        #expect(stats["kind"] as? Int == 10_000_101 && (net["any"] ?? 0) >= fixture.stored.count)

        // A closed socket stops its pushes.
        let other = fixture.client()
        _ = await other.cache("net_stats", nil, sub: "net")
        #expect(await Self.livePushes(fixture) == 2)
        other.close()
        var remaining = -1
        for _ in 0..<50 {
            remaining = await Self.livePushes(fixture)
            if remaining == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(remaining == 1)
        #expect(await client.cache("notification_counts", [:], sub: "bad")?.notice?.contains("pubkey") == true)

        // One connection holds a bounded number of live subscriptions.
        let greedy = fixture.client()
        defer { greedy.close() }
        for i in 0..<32 { #expect(await greedy.cache("net_stats", nil, sub: "g\(i)")?.notice == nil) }
        #expect(await greedy.cache("net_stats", nil, sub: "g32")?.notice?.contains("too many live subscriptions") == true)
        #expect(await greedy.cache("net_stats", nil, sub: "g0")?.notice == nil, "renewing one it holds is fine")
    }

    static func livePushes(_ fixture: CacheFixture) async -> Int {
        guard let (_, _, body) = try? await fixture.server.get("/metrics") else { return -1 }
        let metrics = String(decoding: body, as: UTF8.self)
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("hearth_live_pushes ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? -1
    }

    @Test func directMessagesAreCountedPerPeerAndReset() async throws {
        let fixture = try await Self.start { $0.cache.countsInterval = 0.2 }
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let alice = Self.alice.pubkey.hex, bob = Self.bob.pubkey.hex, carol = Self.carol.pubkey.hex

        let contacts = try #require(await client.cache("get_directmsg_contacts", ["user_pubkey": alice]))
        let counts = try #require(contacts.content(10_000_118) as? [String: [String: Any]])
        #expect(counts[bob]?["cnt"] as? Int == 3 && counts[carol]?["cnt"] as? Int == 1)
        #expect(counts[bob]?["latest_at"] as? Int == Int(Self.base + 221), "the latest either way")
        #expect(contacts.ranges.last?["order_by"] as? String == "latest_at")
        #expect(contacts.events(kind: 4).count == 2)
        let follows = try #require(await client.cache("get_directmsg_contacts", ["user_pubkey": alice, "relation": "follows"]))
        #expect((follows.content(10_000_118) ?? [:]).isEmpty, "alice follows nobody")

        let thread = try #require(await client.cache("get_directmsgs", ["receiver": alice, "sender": bob]))
        let times = thread.events(kind: 4).map { $0["created_at"] as! Int }
        #expect(times.count == 5 && times == times.sorted(by: >))

        _ = await client.cache("directmsg_count", ["pubkey": alice], sub: "dm")
        #expect(await Self.pushes(client, "dm", for: 0.8).last?["cnt"] as? Int == 4)
        let reset = try #require(await client.cache("reset_directmsg_count", ["event_from_user": Self.proof(Self.alice), "sender": bob]))
        #expect(reset.notice == nil)
        #expect(await Self.pushes(client, "dm", for: 0.8).last?["cnt"] as? Int == 1)
        _ = await client.cache("reset_directmsg_counts", ["event_from_user": Self.proof(Self.alice)])
        #expect(await Self.pushes(client, "dm", for: 0.8).last?["cnt"] as? Int == 0)
        _ = await client.cache("directmsg_count_2", ["pubkey": alice], sub: "dm2")
        #expect(await Self.pushes(client, "dm2", for: 0.8).last?["content"] as? String == "0")
    }

    @Test func settingsAndFeedListsOnlyNameWhatIsServed() async throws {
        let fixture = try await Self.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let alice = Self.alice.pubkey.hex

        let defaults = try #require(await client.cache("get_default_app_settings", ["client": "Primal-Web App"]))
        let object = try #require(defaults.ofKind(10_000_103).first)
        #expect((object["tags"] as? [[String]]) == [["d", "Primal-Web App"]])
        #expect(defaults.content(10_000_103)?["defaultZapAmount"] as? Int == 42)

        let before = try #require(await client.cache("get_app_settings", ["event_from_user": Self.proof(Self.alice)]))
        #expect(before.ofKind(10_000_103).count == 1, "defaults until the user saves")
        let mine = Self.proof(Self.alice, content: "{\"theme\":\"midnight\"}")
        let saved = try #require(await client.cache("set_app_settings", ["settings_event": mine]))
        #expect(saved.notice == nil && saved.events(kind: 30_078).count == 1)
        let after = try #require(await client.cache("get_app_settings", ["event_from_user": Self.proof(Self.alice)]))
        #expect(after.events(kind: 30_078).first?["content"] as? String == "{\"theme\":\"midnight\"}")
        #expect(await client.cache("set_app_settings", ["settings_event": Self.proof(Self.alice, at: Self.now + 900)])?.notice != nil)

        // Subsettings: Hearth's feed list until the user saves their own.
        func sub(_ content: String) -> [String: Any] { Self.proof(Self.alice, content: content) }
        let homeDefault = try #require(await client.cache("get_app_subsettings", ["event_from_user": sub("{\"subkey\":\"user-home-feeds\"}")]))
        #expect((homeDefault.contents(10_000_155).first as? [[String: Any]])?.first?["name"] as? String == "Latest")
        let mineFeeds = "{\"subkey\":\"user-home-feeds\",\"settings\":[{\"name\":\"Mine\",\"spec\":\"{\\\"id\\\":\\\"all-notes\\\",\\\"kind\\\":\\\"notes\\\"}\"}]}"
        let stored = try #require(await client.cache("set_app_subsettings", ["event_from_user": sub(mineFeeds)]))
        #expect(stored.notice == nil, "\(stored.notice ?? "")")
        let homeSaved = try #require(await client.cache("get_app_subsettings", ["event_from_user": sub("{\"subkey\":\"user-home-feeds\"}")]))
        #expect((homeSaved.contents(10_000_155).first as? [[String: Any]])?.map { $0["name"] as? String } == ["Mine"])
        #expect(await client.cache("get_app_subsettings", ["event_from_user": sub("{\"subkey\":\"user-nwc\"}")])?.objects.isEmpty == true)
        #expect(await client.cache("set_app_subsettings", ["event_from_user": sub("not json")])?.notice != nil)

        // Every home feed spec shipped is one this server answers.
        let home = try #require(await client.cache("get_home_feeds"))
        let feeds = try #require(home.contents(10_000_153).first as? [[String: Any]])
        #expect(feeds.count >= 3)
        for feed in feeds {
            let spec = try #require(feed["spec"] as? String)
            let reply = try #require(await client.cache("mega_feed_directive", ["spec": spec, "user_pubkey": alice, "limit": 5]))
            #expect(reply.notice == nil, "\(spec): \(reply.notice ?? "")")
            #expect(!reply.ranges.isEmpty)
        }
        let reads = try #require(await client.cache("get_reads_feeds"))
        let readsFeeds = try #require(reads.contents(10_000_152).first as? [[String: Any]])
        #expect(readsFeeds.count >= 2)
        for feed in readsFeeds {
            let spec = try #require(feed["spec"] as? String)
            let reply = try #require(await client.cache("mega_feed_directive", ["spec": spec, "user_pubkey": alice, "limit": 5]))
            #expect(reply.notice == nil, "\(spec): \(reply.notice ?? "")")
            #expect(!reply.ranges.isEmpty)
        }

        let allow = try #require(await client.cache("allowlist", ["pubkey": alice]))
        #expect(allow.events(kind: 30_000).count == 1 && allow.events(kind: 0).first?["pubkey"] as? String == Self.bob.pubkey.hex)
        let named = try #require(await client.cache("parameterized_replaceable_list", ["pubkey": alice, "identifier": "allowlist"]))
        #expect(named.events(kind: 30_000).count == 1)
        #expect(await client.cache("mutelists", ["pubkey": alice])?.objects.isEmpty == true)
    }
}
