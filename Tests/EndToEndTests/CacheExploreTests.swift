import Foundation
import Nostr
import Store
import StoreConformance
import Testing

/// Explore, trending, scored and the zap lists, against rankings computed from the raw
/// events by the reference.
@Suite(.serialized) struct CacheExploreTests {
    static let now = Int64(Date().timeIntervalSince1970)

    /// Top-level notes with their reference numbers.
    struct Ranked {
        let event: Event
        let score: Int64
        let sats: Int64
        let followers: Int
    }

    static func rankable(_ fixture: CacheFixture) -> [Ranked] {
        fixture.stored.filter { $0.kind == 1 && ThreadReferences(event: $0).parent == nil }.map { event in
            let stats = fixture.reference.events[.id(event.id)]
            return Ranked(event: event, score: stats?.score ?? 0, sats: stats?.satsZapped ?? 0,
                          followers: fixture.reference.users[event.pubkey]?.followersCount ?? 0)
        }
    }

    /// The expected order: value descending, then newer, then higher id.
    static func expected(_ posts: [Ranked], value: (Ranked) -> Int64, after: Int64, minFollowers: Int = 5,
                         authors: Set<PublicKey>? = nil, onePerAuthor: Bool = false) -> [String] {
        let sorted = posts.filter { value($0) > 0 && $0.event.createdAt >= after && $0.followers >= minFollowers
            && (authors?.contains($0.event.pubkey) ?? true) }
            .sorted { a, b in
                let (va, vb) = (value(a), value(b))
                if va != vb { return va > vb }
                return a.event.createdAt != b.event.createdAt ? a.event.createdAt > b.event.createdAt : a.event.id > b.event.id
            }
        var seen = Set<PublicKey>()
        return (onePerAuthor ? sorted.filter { seen.insert($0.event.pubkey).inserted } : sorted).map(\.event.id.hex)
    }

    @Test func exploreRanksByScoreAndSatsAndPagesOnTheValue() async throws {
        let fixture = try await CacheFixture.start(seed: 11, users: 50, notes: 400, endingNow: true)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let posts = Self.rankable(fixture)
        let week = Self.now - 7 * 86_400

        let trending = Self.expected(posts, value: \.score, after: week)
        #expect(trending.count > 30)
        let first = try #require(await client.cache("explore", ["timeframe": "trending", "scope": "global", "limit": 20]))
        #expect(first.notice == nil, "\(first.notice ?? "")")
        #expect(first.elements == Array(trending.prefix(20)))
        #expect(first.ranges.last?["order_by"] as? String == "score")
        // The stats sent agree with the order.
        let scores = first.elements.compactMap { first.stats[$0]?["score"] as? Int }
        #expect(scores == scores.sorted(by: >) && scores.count == first.elements.count)

        // Paging as the web app does: until = the last value, offset = how many it has at it.
        var walked: [String] = []
        var score: [String: Int] = [:]
        var until: Int?
        for _ in 0..<50 {
            var request: [String: Any] = ["timeframe": "popular", "scope": "global", "limit": 7]
            if let until {
                request["until"] = until
                request["offset"] = walked.filter { score[$0] == until }.count
            }
            let page = try #require(await client.cache("explore", request))
            for id in page.elements { score[id] = page.stats[id]?["score"] as? Int }
            if page.elements.isEmpty { break }
            walked += page.elements
            until = page.ranges.last?["since"] as? Int
        }
        #expect(walked == Self.expected(posts, value: \.score, after: 0))

        let zapped = Self.expected(posts, value: \.sats, after: week)
        #expect(zapped.count > 5)
        let mostZapped = try #require(await client.cache("explore", ["timeframe": "mostzapped", "scope": "global", "limit": 50]))
        #expect(mostZapped.elements == Array(zapped.prefix(50)))
        #expect(mostZapped.ranges.last?["order_by"] as? String == "satszapped")

        // Scope follows: only the user's follows, whatever their follower counts.
        let user = fixture.wellConnected[0]
        let follows = Set(fixture.follows(of: user))
        let legend = try #require(await client.cache("explore_legend_counts", ["pubkey": user.hex]).flatMap { $0.content(10_000_102) })
        #expect(legend["your_follows"] as? Int == follows.count)
        #expect(legend["your_inner_network"] as? Int == follows.union(fixture.followers(of: user)).count)
        #expect(legend["your_outer_network"] as? Int == follows.union(follows.flatMap { fixture.follows(of: $0) }).count)
        let ofFollows = try #require(await client.cache("explore", ["timeframe": "trending", "scope": "follows", "limit": 50,
                                                                   "user_pubkey": user.hex]))
        #expect(ofFollows.elements == Array(Self.expected(posts, value: \.score, after: week, minFollowers: 0, authors: follows).prefix(50)))
        let tribe = follows.union(fixture.followers(of: user))
        let ofTribe = try #require(await client.cache("explore", ["timeframe": "trending", "scope": "tribe", "limit": 50,
                                                                 "user_pubkey": user.hex]))
        #expect(ofTribe.elements == Array(Self.expected(posts, value: \.score, after: week, minFollowers: 0, authors: tribe).prefix(50)))

        // Latest: newest first.
        let latest = try #require(await client.cache("explore", ["timeframe": "latest", "scope": "global", "limit": 30]))
        let newest = posts.map(\.event).filter { $0.createdAt >= week }
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }
        #expect(latest.elements == Array(newest.prefix(30)).map(\.id.hex))

        // Bad params are refused.
        #expect(await client.cache("explore", ["timeframe": "hot"])?.notice?.contains("timeframe") == true)
        #expect(await client.cache("explore", ["timeframe": "trending", "scope": "follows"])?.notice?.contains("user_pubkey") == true)
        #expect(await client.cache("explore", ["timeframe": "trending", "limit": "ten"])?.notice != nil)
    }

    @Test func trendingScoredAndFeedSpecsAgree() async throws {
        let tagged = Author("tagger")
        let extra = (0..<3).map { tagged.event(1, at: Self.now - 600 - Int64($0), tags: [["t", "hearthtopic"]], "about #HearthTopic \($0)") }
        let fixture = try await CacheFixture.start(seed: 12, users: 50, notes: 400, extra: extra, endingNow: true)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let posts = Self.rankable(fixture)
        let day = Self.expected(posts, value: \.score, after: Self.now - 86_400, onePerAuthor: true)
        #expect(day.count > 5)

        let trending = try #require(await client.cache("explore_global_trending_24h", [:]))
        #expect(trending.elements == Array(day.prefix(100)))
        let spec = try #require(await client.cache("mega_feed_directive", ["spec": "{\"id\":\"global-trending\",\"hours\":24}", "limit": 10]))
        #expect(spec.elements == Array(day.prefix(10)))

        // scored: the same ranking, precomputed, as a bundle without RANGE.
        let scored = try #require(await client.cache("scored", ["selector": "trending_24h"]))
        #expect(scored.ranges.isEmpty)
        #expect(scored.events(kind: 1).map { $0["id"] as! String } == Array(day.prefix(20)))
        let again = try #require(await client.cache("scored", ["selector": "trending_24h"]))
        #expect(again.objects.count == scored.objects.count)
        #expect(await client.cache("scored", ["selector": "trending_2h"])?.notice?.contains("selector") == true)

        let zapped4h = Self.expected(posts, value: \.sats, after: Self.now - 4 * 3_600, onePerAuthor: true)
        let mostZapped = try #require(await client.cache("explore_global_mostzapped_4h", [:]))
        #expect(mostZapped.elements == Array(zapped4h.prefix(100)))

        let topics = try #require(await client.cache("explore_topics"))
        #expect((topics.content(10_000_160)?["hearthtopic"] as? Int) == 3)
    }

    @Test func zapListsOrderByAmountOrTime() async throws {
        let fixture = try await CacheFixture.start(seed: 13, users: 40, notes: 300)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let zaps = fixture.stored.filter { $0.kind == 9735 }.compactMap { event in Reference.zap(event).map { (event, $0) } }
        #expect(zaps.count > 20)
        func byAmount(_ list: [(Event, Reference.Zap)]) -> [String] {
            list.sorted { a, b in
                if a.1.sats != b.1.sats { return a.1.sats > b.1.sats }
                return a.0.createdAt != b.0.createdAt ? a.0.createdAt > b.0.createdAt : a.0.id > b.0.id
            }.map { $0.0.id.hex }
        }
        func byTime(_ list: [(Event, Reference.Zap)]) -> [String] {
            list.sorted { $0.0.createdAt != $1.0.createdAt ? $0.0.createdAt > $1.0.createdAt : $0.0.id > $1.0.id }.map { $0.0.id.hex }
        }

        // The most zapped note's zaps, by amount, and bounded by amount.
        var onNote: [EventID: [(Event, Reference.Zap)]] = [:]
        for zap in zaps { if case .id(let id)? = zap.1.target { onNote[id, default: []].append(zap) } }
        let (noteID, onTarget) = try #require(onNote.max { $0.value.count != $1.value.count ? $0.value.count < $1.value.count : $0.key < $1.key })
        let reply = try #require(await client.cache("event_zaps_by_satszapped", ["event_id": noteID.hex, "limit": 100]))
        #expect(reply.elements == byAmount(onTarget))
        #expect(reply.ranges.last?["order_by"] as? String == "amount_sats")
        #expect(reply.ofKind(10_000_129).count == onTarget.count)
        #expect(reply.ids(kind: 9735) == Set(onTarget.map { $0.0.id.hex }))
        let cap = onTarget.map { $0.1.sats }.sorted()[onTarget.count / 2]
        let bounded = try #require(await client.cache("event_zaps_by_satszapped", ["event_id": noteID.hex, "until": cap, "limit": 100]))
        #expect(bounded.elements == byAmount(onTarget.filter { $0.1.sats <= cap }))

        // By receiver and sender.
        let receivers = Dictionary(grouping: zaps, by: { $0.1.receiver })
        let (receiver, received) = try #require(receivers.max { $0.value.count != $1.value.count ? $0.value.count < $1.value.count : $0.key < $1.key })
        let byReceiver = try #require(await client.cache("user_zaps_by_satszapped", ["receiver": receiver.hex, "limit": 200]))
        #expect(byReceiver.elements == byAmount(received))
        let receivedRecent = try #require(await client.cache("user_zaps", ["receiver": receiver.hex, "limit": 50]))
        #expect(receivedRecent.elements == Array(byTime(received).prefix(50)))
        #expect(receivedRecent.ranges.last?["order_by"] as? String == "created_at")
        let senders = Dictionary(grouping: zaps, by: { $0.1.sender })
        let (sender, sent) = try #require(senders.max { $0.value.count != $1.value.count ? $0.value.count < $1.value.count : $0.key < $1.key })
        let sentList = try #require(await client.cache("user_zaps_sent", ["sender": sender.hex, "limit": 200]))
        #expect(sentList.elements == byTime(sent))
        let both = try #require(await client.cache("zaps_feed", ["pubkeys": [sender.hex, receiver.hex], "limit": 50]))
        let involving = zaps.filter { [sender, receiver].contains($0.1.sender) || [sender, receiver].contains($0.1.receiver) }
        #expect(both.elements == Array(byTime(involving).prefix(50)))
        // Profiles of both sides come along.
        #expect(sentList.events(kind: 0).count > 0)
        #expect(await client.cache("user_zaps", [:])?.notice != nil)
    }

    @Test func readsPeopleMediaAndExploreZaps() async throws {
        let now = Self.now
        let writer = Author("reads-writer"), reader = Author("reads-reader")
        func words(_ n: Int) -> String { (0..<n).map { "word\($0)" }.joined(separator: " ") }
        let a1 = writer.event(30_023, at: now - 1_000, tags: [["d", "a1"], ["published_at", "\(now - 5_000)"], ["t", "Swift"]], words(150))
        let a2 = writer.event(30_023, at: now - 2_000, tags: [["d", "a2"], ["published_at", "\(now - 3_000)"]], words(300))
        let a3 = writer.event(30_023, at: now - 4_000, tags: [["d", "a3"], ["t", "swift"]], words(5))
        let a2Address = "30023:\(writer.pubkey.hex):a2"
        let comment = reader.event(1, at: now - 500, tags: [["a", a2Address, "", "root"], ["p", writer.pubkey.hex]], "good read")
        // Follower gains of the last day: six people start following `rising` (who has a bio),
        // three start following `quiet` (who has none).
        let rising = Author("people-rising"), quiet = Author("people-quiet")
        let like = reader.event(7, at: now - 400, tags: [["e", a2.id.hex], ["a", a2Address], ["p", writer.pubkey.hex]], "+")
        let draft = writer.event(31_234, at: now - 300, tags: [["d", "draft-1"], ["k", "30023"]], "unfinished")
        var extra = [a1, a2, a3, comment, like, draft, reader.event(3, at: now - 100, tags: [["p", writer.pubkey.hex]]),
                     rising.event(0, at: now - 9_000, "{\"name\":\"rising\",\"about\":\"I write about Swift\"}"),
                     quiet.event(0, at: now - 9_000, "{\"name\":\"quiet\"}")]
        for i in 0..<6 {
            let fan = Author("people-fan-\(i)")
            extra += [fan.event(3, at: now - 7_200), fan.event(3, at: now - 3_600, tags: [["p", rising.pubkey.hex]] + (i < 3 ? [["p", quiet.pubkey.hex]] : []))]
        }
        let fixture = try await CacheFixture.start(seed: 14, users: 40, notes: 300, extra: extra, endingNow: true)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }

        // Reads, newest version first (created_at: the order the web app can page through).
        let follows = try #require(await client.cache("long_form_content_feed", ["pubkey": reader.pubkey.hex, "notes": "follows"]))
        #expect(follows.elements == [a1, a2, a3].map(\.id.hex))
        #expect(follows.ranges.last?["until"] as? Int == Int(now - 1_000) && follows.ranges.last?["order_by"] as? String == "created_at")
        let words = follows.contents(10_000_144).compactMap { $0 as? [String: Any] }
        #expect(words.first { $0["event_id"] as? String == a2.id.hex }?["words"] as? Int == 300)
        let long = try #require(await client.cache("long_form_content_feed", ["pubkey": writer.pubkey.hex, "notes": "authored", "minwords": 100]))
        #expect(long.elements == [a1, a2].map(\.id.hex))
        let topic = try #require(await client.cache("long_form_content_feed", ["topic": "swift"]))
        #expect(topic.elements == [a1, a3].map(\.id.hex))
        let older = try #require(await client.cache("long_form_content_feed", ["pubkey": reader.pubkey.hex, "until": now - 1_500]))
        #expect(older.elements == [a2, a3].map(\.id.hex))
        let spec = try #require(await client.cache("mega_feed_directive", ["spec": "{\"id\":\"reads-feed\",\"kind\":\"reads\",\"scope\":\"follows\"}",
                                                                         "user_pubkey": reader.pubkey.hex]))
        #expect(spec.elements == [a1, a2].map(\.id.hex))
        let thread = try #require(await client.cache("long_form_content_thread_view", ["pubkey": writer.pubkey.hex, "kind": 30_023, "identifier": "a2"]))
        #expect(thread.ids(kind: 30_023) == [a2.id.hex] && thread.ids(kind: 1).contains(comment.id.hex))
        #expect(await client.cache("long_form_content_feed", ["pubkey": reader.pubkey.hex, "notes": "everything"])?.notice != nil)
        let articleStats = try #require(await client.cache("articles_stats", ["pubkey": writer.pubkey.hex]))
        #expect(articleStats.content(10_000_174)?["articles"] as? Int == 3 && articleStats.content(10_000_174)?["drafts"] as? Int == 1)
        let topArticle = try #require(await client.cache("top_article", ["pubkey": writer.pubkey.hex, "by": "interactions"]))
        #expect(topArticle.ids(kind: 30_023) == [a2.id.hex])
        #expect((topArticle.stats[a2.id.hex]?["likes"] as? Int ?? 0) >= 1 && (topArticle.stats[a2.id.hex]?["replies"] as? Int ?? 0) >= 1)

        // explore_people: gains over the day, people with a bio, not already followed.
        let people = try #require(await client.cache("explore_people", ["limit": 10]))
        let increases = try #require(people.content(10_000_157) as? [String: [String: Any]])
        #expect(increases[rising.pubkey.hex]?["increase"] as? Int == 6 && increases[rising.pubkey.hex]?["count"] as? Int == 6)
        #expect(increases[quiet.pubkey.hex] == nil, "no bio, not suggested")
        #expect(people.elements.first == rising.pubkey.hex && people.ranges.last?["order_by"] as? String == "increase")
        let fan = Author("people-fan-0")
        let forFan = try #require(await client.cache("explore_people", ["user_pubkey": fan.pubkey.hex]))
        #expect(!forFan.elements.contains(rising.pubkey.hex), "already followed")

        // explore_zaps: the day's largest zaps of posts.
        let day = now - 86_400
        let zaps = fixture.stored.filter { $0.kind == 9735 && $0.createdAt >= day }.compactMap { event in
            Reference.zap(event).flatMap { $0.target == nil ? nil : (event, $0.sats) }
        }.sorted { a, b in
            if a.1 != b.1 { return a.1 > b.1 }
            return a.0.createdAt != b.0.createdAt ? a.0.createdAt > b.0.createdAt : a.0.id > b.0.id
        }
        #expect(zaps.count > 3)
        let explored = try #require(await client.cache("explore_zaps", ["limit": 20]))
        #expect(explored.elements == Array(zaps.prefix(20)).map { $0.0.id.hex })
        let zapSpec = try #require(await client.cache("mega_feed_directive", ["spec": "{\"id\":\"explore-zaps\"}", "limit": 5]))
        #expect(zapSpec.elements == Array(zaps.prefix(5)).map { $0.0.id.hex })

        // explore-media: top-level notes with media, newest first.
        let media = Self.rankable(fixture).map(\.event).filter(Reference.hasMedia)
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }
        #expect(media.count > 3)
        let mediaFeed = try #require(await client.cache("mega_feed_directive", ["spec": "{\"id\":\"explore-media\"}", "limit": 10]))
        #expect(mediaFeed.elements == Array(media.prefix(10)).map(\.id.hex))
        let mediaOp = try #require(await client.cache("explore_media", ["limit": 10]))
        #expect(mediaOp.elements == mediaFeed.elements)

        // scored_users_24h: authors by their best post's 24-hour score.
        let users = try #require(await client.cache("scored_users_24h", [:]))
        let scores = users.counts(10_000_108)
        var best: [String: Int64] = [:]
        for post in Self.rankable(fixture) where post.event.createdAt >= day {
            let score = fixture.reference.events[.id(post.event.id)]?.score24h ?? 0
            if score > 0 { best[post.event.pubkey.hex] = max(best[post.event.pubkey.hex] ?? 0, score) }
        }
        let top = best.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(24)
        #expect(scores == Dictionary(uniqueKeysWithValues: top.map { ($0.key, Int($0.value)) }))
    }
}
