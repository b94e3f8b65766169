import Foundation
import Nostr
import Store
import StoreConformance
import Testing

/// Feeds, threads, search and the post bundle, against the raw events.
@Suite(.serialized) struct CacheFeedTests {
    /// Walks a feed page by page the way the web app does (until = previous RANGE.since,
    /// offset = how many it holds at that value) and returns every element in order.
    static func walk(_ client: TestClient, _ op: String, _ params: [String: Any], pageSize: Int) async throws -> [String] {
        var seen: [String] = []
        var createdAt: [String: Int] = [:]
        var until: Int?
        for _ in 0..<200 {
            var request = params
            request["limit"] = pageSize
            if let until {
                request["until"] = until
                request["offset"] = seen.filter { createdAt[$0] == until }.count
            }
            let page = try #require(await client.cache(op, request))
            #expect(page.notice == nil, "\(page.notice ?? "")")
            for event in page.events { createdAt[event["id"] as! String] = event["created_at"] as? Int }
            let elements = page.elements
            if elements.isEmpty { break }
            seen += elements
            until = page.ranges.last?["since"] as? Int
        }
        return seen
    }

    static func newestFirst(_ events: [Event]) -> [Event] {
        events.sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }
    }

    @Test func followsFeedPagesThroughTiesExactlyOnce() async throws {
        // A followed author posts in bursts that share created_at, so pages split ties.
        let poster = Author("poster"), reader = Author("reader")
        let base: Int64 = 1_767_100_000
        var extra = (0..<23).map { poster.event(1, at: base + Int64($0 / 6), "burst note \($0)") }
        extra.append(reader.event(3, at: base, tags: [["p", poster.pubkey.hex]]))
        let fixture = try await CacheFixture.start(extra: extra)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }

        let expected = fixture.posts(by: [poster.pubkey]).map(\.id.hex)
        #expect(expected.count == 23)
        for size in [4, 5, 7] {
            let walked = try await Self.walk(client, "feed", ["pubkey": reader.pubkey.hex], pageSize: size)
            #expect(walked == expected, "page size \(size)")
        }

        // A corpus user: home feed of its follows, then the same through mega_feed_directive.
        let user = fixture.wellConnected[2]
        let home = fixture.posts(by: Set(fixture.follows(of: user))).map(\.id.hex)
        #expect(home.count > 20)
        let walked = try await Self.walk(client, "feed", ["pubkey": user.hex, "notes": "follows"], pageSize: 9)
        #expect(walked == home)
        let first = try #require(await client.cache("feed", ["pubkey": user.hex, "limit": 20]))
        #expect(first.elements == Array(home.prefix(20)))
        #expect(first.objects.last?["kind"] as? Int == 10_000_113)
        let stats = first.stats
        for id in first.elements.prefix(20) {
            let event = fixture.byID[EventID(hex: id)!]!
            guard event.kind == 1, let expected = fixture.reference.events[.id(event.id)] else { continue }
            let got = try #require(stats[id])
            #expect(got["likes"] as? Int == expected.likes)
            #expect(got["replies"] as? Int == expected.replies)
            #expect(got["reposts"] as? Int == expected.reposts)
            #expect(got["zaps"] as? Int == expected.zaps)
            #expect(got["satszapped"] as? Int64 == expected.satsZapped)
            #expect(got["score"] as? Int64 == expected.score)
        }
        // Reposted notes arrive as REFERENCED_EVENT.
        let repostedIDs = first.events(kind: 6).compactMap { ($0["tags"] as? [[String]])?.first { $0.first == "e" }?[1] }
        let referencedIDs = Set(first.referenced.compactMap { $0["id"] as? String } + first.events.compactMap { $0["id"] as? String })
        for id in repostedIDs where fixture.byID[EventID(hex: id)!] != nil { #expect(referencedIDs.contains(id)) }
    }

    @Test func profileTabsAndMegaFeeds() async throws {
        let fixture = try await CacheFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let user = fixture.wellConnected[0]

        let authored = fixture.posts(by: [user]).map(\.id.hex)
        let replies = fixture.posts(by: [user], kinds: [1], replies: true).map(\.id.hex)
        #expect(try await Self.walk(client, "feed", ["pubkey": user.hex, "notes": "authored"], pageSize: 6) == authored)
        #expect(try await Self.walk(client, "feed", ["pubkey": user.hex, "notes": "replies"], pageSize: 6) == replies)
        #expect(try await Self.walk(client, "feed", ["pubkey": user.hex, "notes": "authored", "include_replies": true], pageSize: 6) == replies)

        let spec = #"{"id":"feed","kind":"notes","notes":"authored","pubkey":"\#(user.hex)"}"#
        #expect(try await Self.walk(client, "mega_feed_directive", ["spec": spec], pageSize: 6) == authored)

        // Home through the web app's spec, for a viewer: muted authors are left out.
        let viewer = user
        let muted = Set(fixture.stored.filter { $0.kind == 10000 && $0.pubkey == viewer }
            .flatMap { $0.tags.compactMap { $0.count >= 2 && $0[0] == "p" ? PublicKey(hex: $0[1]) : nil } })
        let home = fixture.posts(by: Set(fixture.follows(of: viewer))).filter { post in
            !muted.contains(post.pubkey) && !(post.kind == 6 && post.tags.contains { $0.count >= 2 && $0[0] == "p" && PublicKey(hex: $0[1]).map(muted.contains) == true })
        }.map(\.id.hex)
        let latest = #"{"id":"latest","kind":"notes"}"#
        let walked = try await Self.walk(client, "mega_feed_directive", ["spec": latest, "user_pubkey": viewer.hex], pageSize: 10)
        #expect(walked == home)

        // Media tab: own notes carrying media.
        let media = fixture.stored.filter { $0.pubkey == user && $0.kind == 1 && Reference.hasMedia($0) }
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }.map(\.id.hex)
        #expect(try await Self.walk(client, "feed", ["pubkey": user.hex, "notes": "user_media_thumbnails"], pageSize: 4) == media)

        // Bookmarks: the notes of the newest kind 10003, newest first.
        let bookmarker = try #require(fixture.stored.first { $0.kind == 10003 && $0.tags.contains { $0.first == "e" } })
        let markedIDs: [EventID] = bookmarker.tags.compactMap { tag in tag.count >= 2 && tag[0] == "e" ? EventID(hex: tag[1]) : nil }
        let markedEvents: [Event] = markedIDs.compactMap { fixture.byID[$0] }.filter { [1, 6].contains($0.kind) }
        let marked = Self.newestFirst(markedEvents).map(\.id.hex)
        #expect(try await Self.walk(client, "feed", ["pubkey": bookmarker.pubkey.hex, "notes": "bookmarks"], pageSize: 3) == marked)

        // Explore-backed specs answer a correct empty page until explore exists.
        for ranked in [#"{"id":"global-trending","kind":"notes","hours":24}"#, #"{"id":"most-zapped","kind":"notes","hours":4}"#] {
            let reply = try #require(await client.cache("mega_feed_directive", ["spec": ranked, "user_pubkey": viewer.hex]))
            #expect(reply.notice == nil)
            #expect(reply.objects.count == 1 && reply.ranges.count == 1 && reply.elements.isEmpty)
        }
        let allNotes = try #require(await client.cache("mega_feed_directive", ["spec": #"{"id":"all-notes","kind":"notes"}"#, "limit": 15]))
        let newest = fixture.stored.filter { $0.kind == 1 && ThreadReferences(event: $0).parent == nil }
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }.prefix(15).map(\.id.hex)
        #expect(allNotes.elements == Array(newest))
        let multi = try #require(await client.cache("multi_kind_mega_feed_directive", ["spec": spec, "kinds": [1]]))
        #expect(multi.elements == Array(fixture.posts(by: [user], kinds: [1]).prefix(20).map(\.id.hex)))
    }

    @Test func threadViewEventsAndActions() async throws {
        let fixture = try await CacheFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }

        // A reply deep in a thread: its replies, then it and its ancestors.
        let deep = try #require(fixture.stored.filter { $0.kind == 1 && ThreadReferences(event: $0).parent != nil }
            .max { fixture.replies(to: $0.id).count < fixture.replies(to: $1.id).count })
        var chain = [deep]
        while case .id(let parent)? = ThreadReferences(event: chain.last!).parent, let event = fixture.byID[parent] { chain.append(event) }
        let viewer = fixture.wellConnected[3]
        let thread = try #require(await client.cache("thread_view", ["event_id": deep.id.hex, "limit": 100, "user_pubkey": viewer.hex]))
        #expect(thread.ranges.count == 2)
        #expect(thread.ranges[0]["elements"] as? [String] == fixture.replies(to: deep.id).map(\.id.hex))
        #expect(Set(thread.ranges[1]["elements"] as? [String] ?? []) == Set(chain.map(\.id.hex)))
        // Every post of the thread arrives as itself, not only as a reference.
        #expect(Set(chain.map(\.id.hex)).isSubset(of: thread.ids(kind: 1)))

        // events: ascending plain, or a bundle.
        let notes = Array(fixture.busyNotes.prefix(5))
        let plain = try #require(await client.cache("events", ["event_ids": notes.map(\.id.hex)]))
        #expect(plain.events.compactMap { $0["id"] as? String } == notes.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(\.id.hex))
        #expect(plain.objects.count == 5)
        let extended = try #require(await client.cache("events", ["event_ids": notes.map(\.id.hex), "extended_response": true]))
        #expect(Set(extended.elements) == Set(notes.map(\.id.hex)))
        for note in notes {
            let expected = fixture.reference.events[.id(note.id)] ?? EventStats()
            let got = try #require(extended.stats[note.id.hex])
            #expect(got["likes"] as? Int == expected.likes && got["replies"] as? Int == expected.replies)
            #expect(got["zaps"] as? Int == expected.zaps && got["satszapped"] as? Int64 == expected.satsZapped)
        }

        // What a liker sees: EVENT_ACTIONS_COUNT only where they acted.
        let like = try #require(fixture.stored.first { $0.kind == 7 && Reference.isLike($0.content) && Reference.lastTarget($0).map { if case .id(let id) = $0 { fixture.byID[id]?.kind == 1 } else { false } } == true })
        guard case .id(let liked)? = Reference.lastTarget(like) else { return }
        let seen = try #require(await client.cache("events", ["event_ids": [liked.hex], "extended_response": true, "user_pubkey": like.pubkey.hex]))
        let actions = try #require(seen.contents(10_000_115).first as? [String: Any])
        #expect(actions["event_id"] as? String == liked.hex && actions["liked"] as? Bool == true)

        // event_actions: the reactions to a note, newest first, with their authors.
        let reactions = fixture.stored.filter { $0.kind == 7 && $0.tags.contains { $0.count >= 2 && $0[0] == "e" && $0[1] == liked.hex } }
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id < $1.id }
        let reacted = try #require(await client.cache("event_actions", ["event_id": liked.hex, "kind": 7, "limit": 20]))
        #expect(reacted.events(kind: 7).compactMap { $0["id"] as? String } == reactions.prefix(20).map(\.id.hex))
        #expect(Set(reacted.counts(10_000_108).keys) == Set(reactions.prefix(20).map(\.pubkey.hex)))

        // Quotes: note_mentions and note_mentions_count.
        let quoted = try #require(fixture.stored.first { event in
            event.kind == 1 && fixture.stored.contains { $0.kind == 1 && Reference.quotes($0).contains(.id(event.id)) }
        })
        let quoting = fixture.stored.filter { $0.kind == 1 && Reference.quotes($0).contains(.id(quoted.id)) }
        let mentions = try #require(await client.cache("note_mentions", ["event_id": quoted.id.hex, "limit": 20]))
        #expect(Set(mentions.elements) == Set(quoting.map(\.id.hex)))
        let count = try #require(await client.cache("note_mentions_count", ["event_id": quoted.id.hex]))
        #expect(count.content(10_000_143)?["count"] as? Int == quoting.count)
    }

    @Test func searchNotes() async throws {
        let writer = Author("writer")
        let base: Int64 = 1_767_100_000
        let extra = (0..<7).map { writer.event(1, at: base + Int64($0), "a note about zebrafish number \($0)") }
            + [writer.event(1, at: base, "unrelated words")]
        let fixture = try await CacheFixture.start(extra: extra)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }

        let expected = extra.prefix(7).sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.map(\.id.hex)
        let reply = try #require(await client.cache("search", ["query": "zebrafish", "limit": 100]))
        #expect(reply.elements == expected)
        #expect(try await Self.walk(client, "search", ["query": "zebrafish"], pageSize: 3) == expected)
        let missing = try #require(await client.cache("search", ["query": "nothing-matches-this"]))
        #expect(missing.elements.isEmpty && missing.ranges.count == 1)
    }
}
