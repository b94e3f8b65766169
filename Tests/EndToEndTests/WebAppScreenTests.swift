import Corpus
import Foundation
import Nostr
import StoreConformance
import TestRelay
import Testing

/// The requests primal-web-app sends on its main screens, each in the shape its source
/// builds (the file is named at each group), against a served community: every one ends in
/// EOSE without a NOTICE, holds the kinds primal-server's answer holds (its ws-connector
/// integration tests, docs/primal-protocol.md), and is the same answer with zlib on.
@Suite struct WebAppScreenTests {
    static let now = Int64(Date().timeIntervalSince1970)
    static let viewer = Author("webapp-viewer"), writer = Author("webapp-writer"), fan = Author("webapp-fan"),
        host = Author("webapp-host"), stream = Author("webapp-streaming-service")

    /// What the screens need beyond the generated community: a viewer who follows the
    /// writer, the host and some of the community; the writer's articles (liked, one
    /// highlighted and the highlight quoted); a live stream the host takes part in.
    static func extra(following community: [PublicKey]) -> (events: [Event], articles: [Event], highlight: Event) {
        let (v, w) = (viewer, writer)
        func words(_ n: Int, _ seed: String) -> String { (0..<n).map { "\(seed)\($0)" }.joined(separator: " ") }
        let articles = (0..<5).map { i in
            w.event(30_023, at: now - 3_600 * Int64(i + 1), tags: [["d", "article-\(i)"], ["title", "Article \(i)"], ["t", i % 2 == 0 ? "hearth" : "nostr"]],
                    words(150 + i, "w\(i)x"))
        }
        let address = "30023:\(w.pubkey.hex):article-0"
        let highlight = fan.event(9_802, at: now - 600, tags: [["a", address], ["p", w.pubkey.hex]], "w0x3 w0x4 w0x5")
        var events = articles + [
            highlight,
            fan.event(1, at: now - 500, tags: [["q", highlight.id.hex], ["a", address]], "so true"),
            v.event(0, at: now - 90_000, #"{"name":"viewer","about":"I read"}"#),
            w.event(0, at: now - 90_000, #"{"name":"writer","about":"I write"}"#),
            v.event(3, at: now - 80_000, tags: ([w.pubkey, host.pubkey] + community).map { ["p", $0.hex] }),
            stream.event(30_311, at: now - 300, tags: [["d", "show-1"], ["title", "A show"], ["status", "live"],
                                                      ["p", host.pubkey.hex, "", "host"]]),
        ]
        for (i, article) in articles.enumerated() where i < 3 {
            events.append(v.event(7, at: now - 100 - Int64(i), tags: [["e", article.id.hex], ["a", "30023:\(w.pubkey.hex):article-\(i)"],
                                                                      ["p", w.pubkey.hex]], "+"))
        }
        return (events, articles, highlight)
    }

    /// Two connections: one plain, one that asked for zlib; each request goes to both.
    struct WebApp {
        let plain: TestClient
        let zipped: TestClient

        init(_ fixture: CacheFixture) async {
            plain = fixture.client()
            zipped = fixture.client()
            zipped.send(json: ["REQ", "proto", ["cache": ["set_primal_protocol", ["compression": "zlib"]]]])
            _ = await zipped.cacheReply("proto")
        }

        func close() {
            plain.close()
            zipped.close()
        }

        /// Sends one request as the web app does and checks the answer.
        @discardableResult
        func ask(_ op: String, _ params: [String: Any]? = nil, kinds: Set<Int> = [],
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> CacheReply {
            let reply = try #require(await plain.cache(op, params), "\(op) got no EOSE", sourceLocation: sourceLocation)
            #expect(reply.notice == nil, "\(op): \(reply.notice ?? "")", sourceLocation: sourceLocation)
            #expect(kinds.isSubset(of: reply.kinds), "\(op) lacks kinds \(kinds.subtracting(reply.kinds).sorted())",
                    sourceLocation: sourceLocation)
            let zipped = try #require(await zipped.cache(op, params), "\(op) (zlib) got no EOSE", sourceLocation: sourceLocation)
            #expect(zipped.compressed || reply.objects.isEmpty, "\(op) was not compressed", sourceLocation: sourceLocation)
            #expect(Self.canonical(zipped.objects) == Self.canonical(reply.objects), "\(op) differs with zlib", sourceLocation: sourceLocation)
            return reply
        }

        static func canonical(_ objects: [[String: Any]]) -> [String] {
            objects.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }.sorted()
        }
    }

    static func start(seed: UInt64) async throws -> (CacheFixture, (events: [Event], articles: [Event], highlight: Event)) {
        // The generator is deterministic: the viewer follows the first members of the seed's community.
        let extra = Self.extra(following: Self.members(seed: seed, 8))
        let fixture = try await CacheFixture.start(seed: seed, users: 30, notes: 200, extra: extra.events, endingNow: true)
        return (fixture, extra)
    }

    /// src/lib/settings.ts, releases.ts, relays.ts, notifications.ts, profile.ts: what the app
    /// asks at startup; then the home feed (src/lib/feed.ts `getMegaFeed`, paged with
    /// src/megaFeeds.ts) and its sidebar (`getTrending24h`, `getMostZapped4h`, `scored`).
    @Test func startupAndHome() async throws {
        let (fixture, _) = try await Self.start(seed: 31)
        defer { Task { await fixture.stop() } }
        let app = await WebApp(fixture)
        defer { app.close() }
        let user = Self.viewer.pubkey.hex
        try await app.ask("get_default_app_settings", ["client": "Primal-Web App"], kinds: [10_000_103])
        try await app.ask("get_app_releases", nil, kinds: [10_000_138])
        try await app.ask("get_recommended_blossom_servers", nil, kinds: [10_000_175])
        try await app.ask("get_default_relays", nil, kinds: [10_000_124])
        try await app.ask("get_home_feeds", nil, kinds: [10_000_153])
        try await app.ask("user_infos", ["pubkeys": [user]], kinds: [0, 10_000_108, 10_000_133])
        try await app.ask("contact_list", ["pubkey": user, "extended_response": false], kinds: [3])
        try await app.ask("mutelist", ["pubkey": user, "extended_response": false])
        try await app.ask("get_bookmarks", ["pubkey": user])
        try await app.ask("get_user_relays_2", ["pubkeys": [user]])

        // The home feed, two pages as the web app computes them.
        let spec = #"{"id":"latest","kind":"notes"}"#
        let first = try await app.ask("mega_feed_directive", ["spec": spec, "limit": 20, "offset": 0, "user_pubkey": user],
                                      kinds: [0, 1, 10_000_100, 10_000_108, 10_000_113])
        #expect(first.elements.count == 20)
        // Every note of the bundle carries stats, zeros or not.
        let notes = Set(first.events(kind: 1).compactMap { $0["id"] as? String })
        #expect(notes.isSubset(of: Set(first.stats.keys)))
        let since = try #require(first.ranges.last?["since"] as? Int)
        let offset = first.events(kind: 1).filter { first.elements.contains($0["id"] as! String) && $0["created_at"] as? Int == since }.count
        let second = try await app.ask("mega_feed_directive", ["spec": spec, "limit": 20, "offset": offset, "until": since, "user_pubkey": user],
                                       kinds: [1, 10_000_113])
        #expect(Set(first.elements).isDisjoint(with: second.elements) && !second.elements.isEmpty)
        try await app.ask("explore_global_trending_24h", ["user_pubkey": user])
        try await app.ask("explore_global_mostzapped_4h", ["user_pubkey": user])
        try await app.ask("scored", ["user_pubkey": user, "selector": "trending_24h"])

        // The notification badge (src/lib/notifications.ts): `subid` rides along, and the
        // counts are pushed.
        let counts = fixture.client()
        defer { counts.close() }
        let badge = try #require(await counts.cache("notification_counts", ["pubkey": user, "subid": "badge"], sub: "badge"))
        #expect(badge.notice == nil)
        let pushed = await eventually(timeout: 5) { () -> Bool in
            guard let message = await counts.next(timeout: 1)?.text else { return false }
            return message.hasPrefix(#"["EVENT","badge""#) && message.contains("10000112")
        }
        #expect(pushed, "notification counts are pushed")
        counts.send(json: ["CLOSE", "badge", ["cache": ["notification_counts", ["subid": "badge"]]]])
    }

    /// src/lib/profile.ts and src/contexts/ProfileContext.tsx: the profile page; then a
    /// thread (src/lib/feed.ts `getThread`).
    @Test func profileAndThread() async throws {
        let (fixture, _) = try await Self.start(seed: 32)
        defer { Task { await fixture.stop() } }
        let app = await WebApp(fixture)
        defer { app.close() }
        let user = Self.viewer.pubkey.hex
        let subject = try #require(fixture.wellConnected.first).hex
        try await app.ask("user_profile", ["pubkey": subject, "user_pubkey": user], kinds: [0, 10_000_105])
        let scored = try await app.ask("user_profile_scored_content", ["pubkey": subject, "limit": 8, "user_pubkey": user], kinds: [0])
        let best = scored.events(kind: 1)
        #expect(best.allSatisfy { $0["pubkey"] as? String == subject } && best.count <= 8)
        try await app.ask("is_user_following", ["pubkey": subject, "user_pubkey": user], kinds: [10_000_125])
        try await app.ask("user_profile_followed_by", ["pubkey": subject, "limit": 5, "user_pubkey": user])
        try await app.ask("contact_list", ["pubkey": subject, "extended_response": true], kinds: [3, 0])
        let authored = try await app.ask("mega_feed_directive", [
            "spec": #"{"id":"feed","kind":"notes","notes":"authored","pubkey":"\#(subject)"}"#,
            "limit": 20, "offset": 0, "user_pubkey": user,
        ], kinds: [1, 0, 10_000_100, 10_000_113])
        try await app.ask("mega_feed_directive", [
            "spec": #"{"id":"feed","kind":"notes","notes":"replies","pubkey":"\#(subject)"}"#, "limit": 20, "offset": 0, "user_pubkey": user,
        ], kinds: [10_000_113])
        try await app.ask("mega_feed_directive", [
            "spec": #"{"id":"feed","kind":"reads","notes":"authored","pubkey":"\#(Self.writer.pubkey.hex)"}"#, "limit": 20, "offset": 0,
            "user_pubkey": user,
        ], kinds: [30_023, 10_000_100, 10_000_144, 10_000_113])
        try await app.ask("user_zaps_by_satszapped", ["receiver": subject, "limit": 20, "user_pubkey": user])
        let note = try #require(authored.elements.first)
        try await app.ask("thread_view", ["event_id": note, "limit": 100, "user_pubkey": user], kinds: [1, 0, 10_000_100, 10_000_113])
        try await app.ask("event_actions", ["event_id": note, "kind": 7, "limit": 20])
        try await app.ask("note_mentions_count", ["event_id": note], kinds: [10_000_143])
    }

    /// src/lib/profile.ts `getExploreFeeds` people, src/lib/search.ts, the Search page
    /// (advanced search is covered operator by operator in AdvancedSearchTests).
    @Test func exploreAndSearch() async throws {
        let (fixture, _) = try await Self.start(seed: 33)
        defer { Task { await fixture.stop() } }
        let app = await WebApp(fixture)
        defer { app.close() }
        let user = Self.viewer.pubkey.hex
        // explore_people names its follower counts even when it lists nobody.
        try await app.ask("explore_people", ["limit": 20, "user_pubkey": user], kinds: [10_000_133, 10_000_113])
        try await app.ask("explore_people", ["limit": 20, "since": 1_000_000, "user_pubkey": user], kinds: [10_000_133, 10_000_113])
        try await app.ask("explore_legend_counts", ["pubkey": user], kinds: [10_000_102])
        try await app.ask("mega_feed_directive", ["spec": #"{"id":"explore-media"}"#, "limit": 20, "offset": 0, "user_pubkey": user],
                          kinds: [10_000_113])
        try await app.ask("explore_topics", nil)
        try await app.ask("user_search", ["query": "writer", "limit": 10], kinds: [0, 10_000_108])
        try await app.ask("search_filterlist", ["pubkey": Self.writer.pubkey.hex, "user_pubkey": user])
        try await app.ask("get_featured_dvm_feeds", ["user_pubkey": user])
        try await app.ask("get_featured_dvm_feeds", ["kind": "reads", "user_pubkey": user])
        try await app.ask("advanced_feed", ["specification": ["advanced_search", ["query": "kind:1 the"]], "limit": 20, "user_pubkey": user],
                          kinds: [10_000_113])
    }

    /// src/contexts/ReadsContext.tsx and src/components/HomeSidebar/ReadsSidebar.tsx: the
    /// reads feed through two pages as src/utils.ts `calculateReadsOffset` computes them,
    /// the sidebar lists, an article and its highlights (src/lib/notes.tsx).
    @Test func reads() async throws {
        let (fixture, extra) = try await Self.start(seed: 34)
        defer { Task { await fixture.stop() } }
        let app = await WebApp(fixture)
        defer { app.close() }
        let user = Self.viewer.pubkey.hex
        try await app.ask("get_reads_feeds", nil, kinds: [10_000_152])
        let spec = #"{"id":"reads-feed","kind":"reads","scope":"follows"}"#
        let first = try await app.ask("mega_feed_directive", ["spec": spec, "limit": 2, "offset": 0, "user_pubkey": user],
                                      kinds: [30_023, 0, 10_000_100, 10_000_144, 10_000_113])
        // What one long page lists (the writer's articles first: the newest); the pages
        // must list exactly that, in order.
        let whole = try await app.ask("mega_feed_directive", ["spec": spec, "limit": 100, "offset": 0, "user_pubkey": user]).elements
        #expect(Array(whole.prefix(5)) == extra.articles.map(\.id.hex))
        #expect(first.elements == Array(whole.prefix(2)))
        // The web app: until = RANGE.since, offset = the articles it holds whose created_at
        // equals it (it computes offsets for created_at, score and satszapped only).
        let range = try #require(first.ranges.last)
        #expect(range["order_by"] as? String == "created_at")
        let since = try #require(range["since"] as? Int)
        var held = first.events(kind: 30_023)
        var offset = Self.readsOffset(held, range)
        let second = try await app.ask("mega_feed_directive", ["spec": spec, "limit": 2, "offset": offset, "until": since, "user_pubkey": user])
        #expect(second.elements == Array(whole.dropFirst(2).prefix(2)))
        held += second.events(kind: 30_023)
        let range2 = try #require(second.ranges.last)
        let since2 = try #require(range2["since"] as? Int)
        offset = Self.readsOffset(held, range2)
        let third = try await app.ask("mega_feed_directive", ["spec": spec, "limit": 2, "offset": offset, "until": since2, "user_pubkey": user])
        #expect(third.elements == Array(whole.dropFirst(4).prefix(2)))

        let topics = try await app.ask("get_reads_topics", nil, kinds: [10_000_146])
        #expect(Set(topics.contents(10_000_146).first as? [String] ?? []) == ["hearth", "nostr"])
        let authors = try await app.ask("get_featured_authors", nil, kinds: [10_000_148])
        #expect(authors.contents(10_000_148).first as? [String] == [Self.writer.pubkey.hex])
        let recommended = try await app.ask("get_recommended_reads", nil, kinds: [10_000_145])
        let reads = try #require((recommended.content(10_000_145)?["reads"]) as? [[String]])
        #expect(reads.count == 3 && reads.allSatisfy { $0.count == 2 && $0[0].hasPrefix("naddr1") && $0[1].hasPrefix("Article ") })

        let article = try await app.ask("parametrized_replaceable_event", ["pubkey": Self.writer.pubkey.hex, "kind": 30_023,
                                                                          "identifier": "article-0", "extended_response": true, "user_pubkey": user],
                                        kinds: [30_023, 0, 10_000_100, 10_000_144])
        #expect(article.content(10_000_144)?["words"] as? Int == 150)
        try await app.ask("parametrized_replaceable_events", ["events": [["pubkey": Self.writer.pubkey.hex, "kind": 30_023, "identifier": "article-1"]],
                                                              "extended_response": true], kinds: [30_023, 10_000_144])
        let highlights = try await app.ask("get_highlights", ["pubkey": Self.writer.pubkey.hex, "identifier": "article-0", "kind": 30_023, "user_pubkey": user],
                                           kinds: [9_802, 0, 1, 10_000_151, 10_000_113])
        let groups = try #require(highlights.content(10_000_151) as? [String: [String]])
        #expect(groups[extra.highlight.content]?.count == 1)
        try await app.ask("long_form_content_thread_view", ["pubkey": Self.writer.pubkey.hex, "kind": 30_023, "identifier": "article-0",
                                                            "limit": 100, "user_pubkey": user], kinds: [30_023, 10_000_144])
    }

    /// src/lib/notifications.ts, messages.ts, the bookmarks page and the live streams of
    /// the sidebar (src/lib/streaming.ts).
    @Test func notificationsMessagesBookmarksAndLiveStreams() async throws {
        let (fixture, _) = try await Self.start(seed: 35)
        defer { Task { await fixture.stop() } }
        let app = await WebApp(fixture)
        defer { app.close() }
        let user = Self.viewer.pubkey.hex
        let subject = try #require(fixture.wellConnected.first).hex
        try await app.ask("get_notifications", ["pubkey": subject, "limit": 20, "since": 0, "type_group": "all", "user_pubkey": subject])
        try await app.ask("get_notifications_seen", ["pubkey": subject])
        try await app.ask("get_directmsg_contacts", ["user_pubkey": subject, "relation": "follows", "limit": 20], kinds: [10_000_113])
        try await app.ask("mega_feed_directive", [
            "spec": #"{"id":"feed","kind":"notes","notes":"bookmarks","pubkey":"\#(user)"}"#, "limit": 20, "offset": 0, "user_pubkey": user,
        ], kinds: [10_000_113])

        // Live streams the viewer's follows host: answered, then pushed when a new one is stored.
        let live = fixture.client()
        defer { live.close() }
        let answer = try #require(await live.cache("live_events_from_follows", ["user_pubkey": user], sub: "live"))
        #expect(answer.notice == nil && answer.events(kind: 30_311).count == 1)
        let next = Self.stream.event(30_311, at: Self.now - 10, tags: [["d", "show-2"], ["status", "live"], ["p", Self.host.pubkey.hex, "", "host"]])
        let other = Self.stream.event(30_311, at: Self.now - 10, tags: [["d", "show-3"], ["status", "live"], ["p", Self.fan.pubkey.hex, "", "host"]])
        let imported = try #require(await app.plain.cache("import_events", ["events": [CacheProtocolTests.object(next), CacheProtocolTests.object(other)]]))
        #expect(imported.notice == nil)
        var pushed: [String] = []
        _ = await eventually(timeout: 5) { () -> Bool in
            if let message = await live.next(timeout: 1)?.text, message.hasPrefix(#"["EVENT","live""#) { pushed.append(message) }
            return pushed.contains { $0.contains(next.id.hex) }
        }
        #expect(pushed.count == 1 && pushed[0].contains(next.id.hex), "only the stream a follow hosts is pushed")
        live.send(json: ["CLOSE", "live", ["cache": ["live_events_from_follows"]]])
    }

    /// Ops the web app sends to Primal's other services, or that need what Hearth does not
    /// keep, say why; ops with nothing to list answer the reference's empty shape.
    @Test func unservedOpsSayWhyAndEmptyOnesKeepTheirShape() async throws {
        let writer = Self.writer
        let draft = writer.event(31_234, at: Self.now - 100, tags: [["d", "draft-1"], ["k", "30023"]], "ciphertext")
        let fixture = try await CacheFixture.start(seed: 36, users: 6, notes: 20, extra: [draft])
        defer { Task { await fixture.stop() } }
        let app = await WebApp(fixture)
        defer { app.close() }
        for op in ["wallet", "membership_status", "upload_chunk", "broadcast_events", "live_feed", "report_user"] {
            let reply = try #require(await app.plain.cache(op, ["pubkey": writer.pubkey.hex]))
            #expect(reply.notice?.hasPrefix("\(op) is not served by this cache: ") == true, "\(op): \(reply.notice ?? "")")
        }
        #expect(await app.plain.cache("no_such_op", [:])?.notice == "unknown api request")
        let suggested = try await app.ask("get_suggested_users", nil, kinds: [10_000_134])
        #expect((suggested.contents(10_000_134).first as? [Any])?.isEmpty == true)
        let tiers = try await app.ask("creator_paid_tiers", ["pubkey": writer.pubkey.hex])
        #expect(tiers.objects.isEmpty)
        // src/lib/feed.ts `getDrafts`: the kind goes as a number.
        let drafts = try await app.ask("drafts", ["limit": 20, "offset": 0, "pubkey": writer.pubkey.hex, "kind": 30_023], kinds: [31_234])
        #expect(drafts.ids(kind: 31_234) == [draft.id.hex])
        #expect(try await app.ask("drafts", ["pubkey": writer.pubkey.hex, "kind": 1]).objects.isEmpty)
    }

    /// src/utils.ts `calculateReadsOffset`, as written: from the last article held back,
    /// count those whose sort value equals RANGE.since; it knows created_at, satszapped and
    /// score, and for any other `order_by` it never stops counting.
    static func readsOffset(_ held: [[String: Any]], _ range: [String: Any]) -> Int {
        let since = range["since"] as? Int
        var offset = 0
        for article in held.reversed() {
            if range["order_by"] as? String == "created_at" && article["created_at"] as? Int != since { break }
            if ["satszapped", "score"].contains(range["order_by"] as? String) { break }  // (stats not kept here)
            offset += 1
        }
        return offset
    }

    /// The first members of the generated community of a seed.
    static func members(seed: UInt64, _ count: Int) -> [PublicKey] {
        let events = CorpusGenerator(options: CorpusOptions(users: 30, notes: 200, seed: seed, days: 3)).events()
        var seen = Set<PublicKey>()
        return Array(events.filter { $0.kind == 0 }.map(\.pubkey).filter { seen.insert($0).inserted }.prefix(count))
    }
}
