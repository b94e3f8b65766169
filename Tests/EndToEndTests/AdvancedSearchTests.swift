import Foundation
import Nostr
import StoreConformance
import Testing

/// Primal's advanced search language, operator by operator, over a served corpus whose
/// expected answers are known: the generated community plus a handful of crafted notes whose
/// words the generator never uses.
@Suite struct AdvancedSearchTests {
    static let now = Int64(Date().timeIntervalSince1970)
    static let writer = Author("adv-writer"), friend = Author("adv-friend"), stranger = Author("adv-stranger"),
        viewer = Author("adv-viewer"), fan = Author("adv-fan")

    struct Corpus {
        let n1, n2, n3, n4, n5, n6, article: Event
        let events: [Event]
    }

    static func corpus() -> Corpus {
        let (w, f, s, v) = (writer, friend, stranger, viewer)
        let n1 = w.event(1, at: now - 100, tags: [["t", "Nature"], ["l", "en", "ISO-639-1"],
                                                  ["imeta", "url https://x.test/a.jpg", "m image/jpeg", "dim 1080x1920"]],
                         "quokka sunrise over the bay https://x.test/a.jpg")
        let n2 = f.event(1, at: now - 200, tags: [["imeta", "url https://x.test/b.mp4", "m video/mp4", "dim 1920x1080"]],
                         "quokka at dusk https://x.test/b.mp4")
        let n3 = s.event(1, at: now - 300, tags: [["p", w.pubkey.hex]], "wombat and quokka together")
        let n4 = s.event(1, at: now - 400, tags: [["e", n1.id.hex, "", "root"], ["p", w.pubkey.hex]], "lovely quokka photo")
        let n5 = f.event(1, at: now - 500, tags: [["t", "wombatsong"]], "wombat sings #Wombatsong https://x.test/page")
        let n6 = w.event(1, at: now - 3 * 86_400, "quokka café visit")
        let article = w.event(30_023, at: now - 700, tags: [["d", "essay"], ["title", "A wombat essay"]],
                              "Long thoughts about the wombat and its burrow.")
        let events = [
            n1, n2, n3, n4, n5, n6, article,
            v.event(3, at: now - 50, tags: [["p", f.pubkey.hex]]),
            f.event(3, at: now - 50, tags: [["p", w.pubkey.hex]]),
            v.event(7, at: now - 40, tags: [["e", n2.id.hex], ["p", f.pubkey.hex]], "+"),
            f.event(7, at: now - 40, tags: [["e", n3.id.hex], ["p", s.pubkey.hex]], "+"),
            fan.event(0, at: now - 1_000, #"{"name":"quokkafan","about":"I like quokkas"}"#),
        ]
        return Corpus(n1: n1, n2: n2, n3: n3, n4: n4, n5: n5, n6: n6, article: article, events: events)
    }

    /// The UTC calendar date of a time, as the web app writes it (`YYYY-MM-DD`).
    static func date(_ time: Int64) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }

    @Test func everyOperatorFindsExactlyItsNotes() async throws {
        let c = Self.corpus()
        let fixture = try await CacheFixture.start(seed: 21, users: 10, notes: 40, extra: c.events)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let (w, s) = (Self.writer, Self.stranger)
        let npub = NIP19.npub(w.pubkey).encoded
        let cases: [(String, [Event])] = [
            ("quokka", [c.n1, c.n2, c.n3, c.n4, c.n6]),
            ("QUOKKA cafe", [c.n6]),  // the index folds case and accents
            (#""quokka at dusk""#, [c.n2]),
            (#"quokka -"at dusk""#, [c.n1, c.n3, c.n4, c.n6]),
            ("quokka -wombat", [c.n1, c.n2, c.n4, c.n6]),
            ("wombat OR dusk", [c.n2, c.n3, c.n5]),
            ("(wombat OR dusk) quokka", [c.n2, c.n3]),
            ("#wombatsong", [c.n5]),
            ("#nature", [c.n1]),
            ("wombat -#WombatSong", [c.n3]),
            ("quokka from:\(npub)", [c.n1, c.n6]),
            ("quokka from:\(s.pubkey.hex)", [c.n3, c.n4]),
            ("quokka to:\(w.pubkey.hex)", [c.n4]),
            ("quokka mention:\(npub)", [c.n3, c.n4]),
            ("quokka @\(npub)", [c.n3, c.n4]),
            ("quokka since:yesterday", [c.n1, c.n2, c.n3, c.n4]),
            ("quokka until:\(Self.date(Self.now - 2 * 86_400))", [c.n6]),
            ("quokka since:\(Self.date(Self.now - 4 * 86_400))_00:00 until:\(Self.date(Self.now - 2 * 86_400))", [c.n6]),
            ("quokka scope:myfollows", [c.n2]),
            ("quokka scope:notmyfollows", [c.n1, c.n3, c.n4, c.n6]),
            ("quokka scope:mynetwork", [c.n1, c.n2, c.n6]),
            ("quokka scope:myfollowsinteractions", [c.n2, c.n3]),
            ("quokka scope:mynetworkinteractions", [c.n3]),  // the viewer's own like of n2 does not count
            ("quokka filter:image", [c.n1]),
            ("quokka filter:video", [c.n2]),
            ("wombat filter:link", [c.n5]),
            ("quokka filter:replies", [c.n4]),
            ("quokka -filter:replies", [c.n1, c.n2, c.n3, c.n6]),
            ("quokka post:root", [c.n1, c.n2, c.n3, c.n6]),
            ("quokka repliestokind:1", [c.n4]),
            ("quokka orientation:vertical", [c.n1]),
            ("quokka orientation:horizontal", [c.n2]),
            ("quokka lang:en", [c.n1]),
            ("quokka minwords:5", [c.n1]),
            ("quokka maxwords:3", [c.n4, c.n6]),
            ("quokka maxchars:20", [c.n4, c.n6]),
            ("quokka minlikes:1", [c.n2, c.n3]),
            ("quokka maxlikes:0", [c.n1, c.n4, c.n6]),
            ("quokka mininteractions:1", [c.n1, c.n2, c.n3]),  // n1 has a reply
            ("quokka maxscore:100", [c.n1, c.n2, c.n3, c.n4, c.n6]),
            ("quokka \(NIP19.note(c.n3.id).encoded)", [c.n3]),
            ("kind:30023 wombat", [c.article]),
            ("kind:30023 burrow", [c.article]),
            ("kind:30023 quokka", []),
        ]
        for (query, expected) in cases {
            let reply = try #require(await client.cache("advanced_search", ["query": query, "user_pubkey": Self.viewer.pubkey.hex]), "\(query)")
            #expect(reply.notice == nil, "\(query): \(reply.notice ?? "")")
            #expect(reply.elements == expected.map(\.id.hex), "\(query)")
            #expect(reply.ranges.last?["order_by"] as? String == "created_at", "\(query)")
        }

        // Ordered by a count: only what has some, most first (ties: newer first).
        let byLikes = try #require(await client.cache("advanced_search", ["query": "quokka orderby:likes"]))
        #expect(byLikes.elements == [c.n2, c.n3].map(\.id.hex) && byLikes.ranges.last?["order_by"] as? String == "likes")
        // minscore is a percentile of recent scores: 100 keeps the best scored only.
        let best = try #require(await client.cache("advanced_search", ["query": "quokka minscore:100"]))
        #expect(!best.elements.isEmpty && Set(best.elements).isSubset(of: [c.n1, c.n2, c.n3].map(\.id.hex)))

        // People: kind:0 searches profile names.
        let people = try #require(await client.cache("advanced_search", ["query": "kind:0 quokkafan"]))
        #expect(people.events(kind: 0).compactMap { $0["pubkey"] as? String } == [Self.fan.pubkey.hex] && people.notice == nil)

        // Terms about data Hearth lacks are left out and named after the answer.
        let partial = try #require(await client.cache("advanced_search", ["query": "quokka :) minduration:5 since:lastweek"]))
        #expect(partial.elements == [c.n1, c.n2, c.n3, c.n4, c.n6].map(\.id.hex))
        #expect(partial.notice == "search terms ignored: :) minduration:5")
        // A scope needs the viewer.
        let noViewer = try #require(await client.cache("advanced_search", ["query": "quokka scope:myfollows"]))
        #expect(noViewer.elements.count == 5 && noViewer.notice == "search terms ignored: scope:myfollows")
    }

    /// The shapes the web app sends: the Search page's `advanced_feed` (src/lib/search.ts,
    /// `advancedSearchContent`), and `mega_feed_directive` with an `advsearch` spec
    /// (src/contexts/AdvancedSearchContext.tsx, `findContent` and `findContentUsers`), paged
    /// as the web app pages (src/utils.ts, `calculateNotesOffset`).
    @Test func theWebAppsSearchRequestsPageExactly() async throws {
        let c = Self.corpus()
        let fixture = try await CacheFixture.start(seed: 22, users: 10, notes: 40, extra: c.events)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let user = Self.viewer.pubkey.hex
        let all = [c.n1, c.n2, c.n3, c.n4, c.n6].map(\.id.hex)

        let feed = try #require(await client.cache("advanced_feed", ["specification": ["advanced_search", ["query": "quokka"]],
                                                                     "limit": 20, "user_pubkey": user]))
        #expect(feed.elements == all && feed.notice == nil)
        #expect(feed.stats.count >= all.count, "every note carries EVENT_STATS")

        // Page 1 of 2, then page 2 from RANGE.since with the web app's offset.
        let spec = #"{"id":"advsearch","query":"quokka"}"#
        let first = try #require(await client.cache("mega_feed_directive", ["spec": spec, "user_pubkey": user, "limit": 2]))
        #expect(first.elements == Array(all.prefix(2)))
        let since = try #require(first.ranges.last?["since"] as? Int)
        let held = first.events(kind: 1).filter { first.elements.contains($0["id"] as! String) }
        let offset = held.filter { $0["created_at"] as? Int == since }.count
        let second = try #require(await client.cache("mega_feed_directive", ["spec": spec, "user_pubkey": user, "limit": 2,
                                                                             "until": since, "offset": offset]))
        #expect(second.elements == Array(all.dropFirst(2).prefix(2)))

        let users = try #require(await client.cache("mega_feed_directive", ["spec": #"{"id":"advsearch","query":"kind:0 quokkaf"}"#,
                                                                            "user_pubkey": user, "limit": 10]))
        #expect(users.events(kind: 0).count == 1 && users.notice == nil)
        // The same with zlib.
        client.send(json: ["REQ", "z", ["cache": ["set_primal_protocol", ["compression": "zlib"]]]])
        _ = await client.cacheReply("z")
        let zipped = try #require(await client.cache("advanced_feed", ["specification": ["advanced_search", ["query": "quokka"]],
                                                                       "limit": 20, "user_pubkey": user]))
        #expect(zipped.compressed && zipped.elements == all)
    }

    /// Whatever the query, the answer ends in EOSE with, at most, a remark on ignored terms.
    @Test func malformedQueriesAnswerAndNeverFail() async throws {
        let fixture = try await CacheFixture.start(seed: 23, users: 6, notes: 20, extra: Self.corpus().events)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let queries = [
            "\"", "(", ")", "((quokka OR", "OR OR", "-", "-\"", "#", "-#", "@", "kind:abc", "kind:", "since:2024-13-45",
            "until:yesterday-ish", "from:nobody", "quokka) wombat (", "\"unclosed phrase", "a\u{0}b quokka", ":)(:",
            "scope:everywhere quokka", "orderby:colour quokka", "minlikes:many", String(repeating: "quokka OR ", count: 400) + "wombat",
            String(repeating: "quokka ", count: 5_000), String(repeating: "-wombat ", count: 5_000) + "quokka",
            String(repeating: "(", count: 30_000) + "quokka" + String(repeating: ")", count: 30_000),
        ]
        for query in queries {
            let reply = try #require(await client.cache("advanced_search", ["query": query, "limit": 5]), "\(query.prefix(40))")
            #expect(reply.notice == nil || reply.notice!.hasPrefix("search terms ignored"), "\(query.prefix(40)): \(reply.notice ?? "")")
            #expect(reply.ranges.count == 1 || reply.objects.isEmpty, "\(query.prefix(40))")
        }
        #expect(await client.cache("advanced_search", ["query": "  "])?.notice == "query is empty")
    }
}
