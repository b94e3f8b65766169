import Foundation
import Nostr
import Store
import StoreConformance
import Testing

/// Profile, follow-graph, relay and list ops against counts computed from the raw events.
@Suite(.serialized) struct CacheProfileTests {
    @Test func userInfosAndUserProfile() async throws {
        let fixture = try await CacheFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let subjects = Array(fixture.wellConnected.prefix(12))
        #expect(subjects.count >= 5)

        // The web app's shape: {"pubkeys": [...]}.
        let infos = try #require(await client.cache("user_infos", ["pubkeys": subjects.map(\.hex)]))
        #expect(infos.notice == nil)
        #expect(infos.ids(kind: 0).count == subjects.count)
        #expect(infos.kinds.isSubset(of: [0, 10_000_108, 10_000_119, 10_000_133]))
        let scores = infos.counts(10_000_108), followerCounts = infos.counts(10_000_133)
        for key in subjects {
            #expect(scores[key.hex] == fixture.reference.users[key]?.followersCount)
            #expect(followerCounts[key.hex] == fixture.followers(of: key).count)
        }

        for key in subjects.prefix(6) {
            let reply = try #require(await client.cache("user_profile", ["pubkey": key.hex, "user_pubkey": subjects[0].hex]))
            #expect(reply.events(kind: 0).count == 1)
            let profile = try #require(reply.content(10_000_105))
            let expected = fixture.reference.users[key]!
            #expect(profile["pubkey"] as? String == key.hex)
            #expect(profile["follows_count"] as? Int == expected.followsCount)
            #expect(profile["followers_count"] as? Int == expected.followersCount)
            #expect(profile["note_count"] as? Int == expected.noteCount)
            #expect(profile["reply_count"] as? Int == expected.replyCount)
            #expect(profile["long_form_note_count"] as? Int == expected.longFormNoteCount)
            #expect(profile["time_joined"] as? Int64 == expected.timeJoined)
            #expect(profile["relay_count"] as? Int == expected.relayCount)
            #expect(profile["media_count"] as? Int == expected.mediaCount)
            #expect(profile["total_zap_count"] as? Int == expected.totalZapCount)
            #expect(profile["total_satszapped"] as? Int64 == expected.totalSatsZapped)
            #expect(profile["content_zap_count"] as? Int == expected.contentZapCount)
            #expect(Set(profile.keys) == ["pubkey", "follows_count", "followers_count", "note_count", "long_form_note_count",
                                          "reply_count", "time_joined", "relay_count", "total_zap_count", "total_satszapped",
                                          "media_count", "content_zap_count"])
        }
        // An npub is accepted where Primal accepts one, and names the same person.
        let byNpub = try #require(await client.cache("user_profile", ["pubkey": NIP19.npub(subjects[1]).encoded]))
        #expect(byNpub.content(10_000_105)?["pubkey"] as? String == subjects[1].hex)
    }

    @Test func followGraphOps() async throws {
        let fixture = try await CacheFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let subject = fixture.wellConnected[0]
        let viewer = fixture.wellConnected[1]

        let contacts = try #require(await client.cache("contact_list", ["pubkey": subject.hex, "extended_response": true]))
        let list = try #require(contacts.events(kind: 3).first)
        #expect(list["pubkey"] as? String == subject.hex)
        let follows = Set(fixture.follows(of: subject).map(\.hex))
        let profiled = Set(fixture.stored.filter { $0.kind == 0 }.map(\.pubkey.hex))
        #expect(contacts.events(kind: 0).compactMap { $0["pubkey"] as? String }.allSatisfy(follows.contains))
        #expect(Set(contacts.events(kind: 0).compactMap { $0["pubkey"] as? String }) == follows.intersection(profiled))
        let plain = try #require(await client.cache("contact_list", ["pubkey": subject.hex, "extended_response": false]))
        #expect(plain.objects.count == 1)

        let followers = try #require(await client.cache("user_followers", ["pubkey": subject.hex]))
        let expectedFollowers = fixture.followers(of: subject)
        #expect(Set(followers.counts(10_000_108).keys) == Set(expectedFollowers.map(\.hex)))
        let limited = try #require(await client.cache("user_followers", ["pubkey": subject.hex, "limit": 2]))
        // Those the subject follows back come first.
        let mutual = expectedFollowers.filter { fixture.follows(of: subject).contains($0) }
        if mutual.count >= 2 { #expect(Set(limited.counts(10_000_108).keys).isSubset(of: Set(mutual.map(\.hex)))) }
        #expect(limited.counts(10_000_108).count == min(2, expectedFollowers.count))

        for (a, b) in [(subject, viewer), (viewer, subject)] {
            let reply = try #require(await client.cache("is_user_following", ["pubkey": a.hex, "user_pubkey": b.hex]))
            #expect(reply.contents(10_000_125).first as? Bool == fixture.follows(of: a).contains(b))
        }

        let expectedMutual = Set(fixture.follows(of: viewer).filter { fixture.follows(of: $0).contains(subject) }.map(\.hex))
        let mutualReply = try #require(await client.cache("mutual_follows", ["pubkey": subject.hex, "user_pubkey": viewer.hex]))
        #expect(Set(mutualReply.counts(10_000_108).keys) == expectedMutual)

        let followedBy = try #require(await client.cache("user_profile_followed_by", ["pubkey": subject.hex, "user_pubkey": viewer.hex, "limit": 20]))
        #expect(Set(followedBy.counts(10_000_108).keys) == expectedMutual)
        #expect(followedBy.ofKind(10_000_133).isEmpty)
    }

    @Test func userSearch() async throws {
        let satoshi = Author("satoshi"), satoko = Author("satoko"), hal = Author("hal")
        let base: Int64 = 1_767_000_000
        let extra = [
            satoshi.event(0, at: base, #"{"name":"satoshi","display_name":"Satoshi Nakamoto","nip05":"satoshi@gmx.invalid"}"#),
            satoko.event(0, at: base, #"{"name":"satoko","display_name":"Satoko"}"#),
            hal.event(0, at: base, #"{"name":"hal","display_name":"Hal Finney"}"#),
            // hal and satoko follow satoshi: satoshi is the most followed "sato".
            hal.event(3, at: base, tags: [["p", satoshi.pubkey.hex]]),
            satoko.event(3, at: base, tags: [["p", satoshi.pubkey.hex], ["p", hal.pubkey.hex]]),
        ]
        let fixture = try await CacheFixture.start(extra: extra)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }

        let found = try #require(await client.cache("user_search", ["query": "sato", "limit": 10]))
        #expect(Set(found.events(kind: 0).compactMap { $0["pubkey"] as? String }) == [satoshi.pubkey.hex, satoko.pubkey.hex])
        #expect(found.counts(10_000_108)[satoshi.pubkey.hex] == 2)
        let nakamoto = try #require(await client.cache("user_search", ["query": "Nakamoto"]))
        #expect(nakamoto.events(kind: 0).compactMap { $0["pubkey"] as? String } == [satoshi.pubkey.hex])
        let npub = try #require(await client.cache("user_search", ["query": NIP19.npub(hal.pubkey).encoded]))
        #expect(npub.events(kind: 0).compactMap { $0["pubkey"] as? String } == [hal.pubkey.hex])
        // Among satoko's follows only; an empty query lists them all.
        let among = try #require(await client.cache("user_search", ["query": "sato", "pubkey": satoko.pubkey.hex]))
        #expect(among.events(kind: 0).compactMap { $0["pubkey"] as? String } == [satoshi.pubkey.hex])
        let all = try #require(await client.cache("user_search", ["query": "", "pubkey": satoko.pubkey.hex]))
        #expect(Set(all.events(kind: 0).compactMap { $0["pubkey"] as? String }) == [satoshi.pubkey.hex, hal.pubkey.hex])
        let empty = try #require(await client.cache("user_search", ["query": "  "]))
        #expect(empty.notice == "query is empty")
    }

    @Test func relaysListsAndReplaceables() async throws {
        let dana = Author("dana"), erin = Author("erin")
        let base: Int64 = 1_767_000_000
        let article = dana.event(30023, at: base, tags: [["d", "my-article"], ["title", "T"], ["p", erin.pubkey.hex]], "words")
        let extra = [
            dana.event(0, at: base, #"{"name":"dana"}"#),
            erin.event(0, at: base, #"{"name":"erin"}"#),
            dana.event(10002, at: base, tags: [["r", "wss://b.example"], ["r", "wss://a.example", "read"]]),
            // erin has only relays in her contact list's content (old clients).
            erin.event(3, at: base, tags: [["p", dana.pubkey.hex]],
                       #"{"wss://c.example":{"read":true,"write":true},"wss://d.example":{"read":false,"write":true}}"#),
            dana.event(10003, at: base, tags: [["e", article.id.hex]]),
            dana.event(10000, at: base, tags: [["p", erin.pubkey.hex]]),
            dana.event(10_050, at: base, tags: [["relay", "wss://dm.example"]]),
            article,
        ]
        let relays = ["wss://relay.one.example", "wss://relay.two.example"]
        let fixture = try await CacheFixture.start(extra: extra, defaultRelays: relays)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }

        let danaRelays = try #require(await client.cache("get_user_relays", ["pubkey": dana.pubkey.hex]))
        let object = try #require(danaRelays.ofKind(10_000_139).first)
        #expect(object["pubkey"] as? String == dana.pubkey.hex)
        #expect(object["tags"] as? [[String]] == [["r", "wss://a.example", "read"], ["r", "wss://b.example"]])
        let both = try #require(await client.cache("get_user_relays_2", ["pubkeys": [dana.pubkey.hex, erin.pubkey.hex]]))
        let erinObject = try #require(both.ofKind(10_000_139).first { $0["pubkey"] as? String == erin.pubkey.hex })
        #expect(erinObject["tags"] as? [[String]] == [["r", "wss://c.example", "read"], ["r", "wss://c.example", "write"],
                                                      ["r", "wss://d.example", "write"]])

        let defaults = try #require(await client.cache("get_default_relays"))
        #expect(defaults.contents(10_000_124).first as? [String] == relays)

        let bookmarks = try #require(await client.cache("get_bookmarks", ["pubkey": dana.pubkey.hex]))
        #expect(bookmarks.events(kind: 10003).count == 1)
        let mutes = try #require(await client.cache("mutelist", ["pubkey": dana.pubkey.hex]))
        #expect(mutes.events(kind: 10000).count == 1)
        #expect(mutes.ids(kind: 0).count == 1)
        #expect(mutes.counts(10_000_108)[erin.pubkey.hex] != nil)

        let replaceable = try #require(await client.cache("replaceable_event", ["pubkey": dana.pubkey.hex, "kind": 10_050]))
        #expect(replaceable.events(kind: 10_050).count == 1)
        let notReplaceable = try #require(await client.cache("replaceable_event", ["pubkey": dana.pubkey.hex, "kind": 1]))
        #expect(notReplaceable.notice != nil)

        let param = ["pubkey": dana.pubkey.hex, "kind": 30023, "identifier": "my-article", "extended_response": true] as [String: Any]
        let addressed = try #require(await client.cache("parametrized_replaceable_event", param))
        #expect(addressed.ids(kind: 30023) == [article.id.hex])
        #expect(addressed.events(kind: 0).contains { $0["pubkey"] as? String == erin.pubkey.hex })
        let many = try #require(await client.cache("parametrized_replaceable_events", [
            "events": [["pubkey": dana.pubkey.hex, "kind": 30023, "identifier": "my-article"],
                       ["pubkey": erin.pubkey.hex, "kind": 30023, "identifier": "none"]],
            "extended_response": false,
        ]))
        #expect(many.objects.count == 1 && many.ids(kind: 30023) == [article.id.hex])
    }
}
