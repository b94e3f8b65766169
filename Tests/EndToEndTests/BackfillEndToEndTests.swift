import Foundation
import Nostr
import Store
import TestRelay
import Testing

/// Backfill as a client sees it: a thread whose ancestors are a year old shows whole, and a
/// profile nobody stored is fetched when a client asks for it.
@Suite(.serialized) struct BackfillEndToEndTests {
    static let now = Int64(Date().timeIntervalSince1970)
    static func keys(_ name: String) -> KeyPair { KeyPair(secretKey: SHA256Digest32.hash(Array("backfill-e2e/\(name)".utf8)))! }
    static func event(_ author: KeyPair, _ kind: Int, daysAgo: Double, tags: [[String]] = [], _ content: String = "") -> Event {
        Event.signed(by: author, createdAt: now - Int64(daysAgo * 86_400), kind: kind, tags: tags, content: content)
    }

    @Test func oldThreadsQuotesAndZappedNotesAreFetched() async throws {
        let (ann, bob, cat, dan, zapper) = (Self.keys("ann"), Self.keys("bob"), Self.keys("cat"), Self.keys("dan"), Self.keys("zapper"))
        let root = Self.event(ann, 1, daysAgo: 365, "a year-old root")
        let parent = Self.event(bob, 1, daysAgo: 360, tags: [["e", root.id.hex, "", "root"], ["p", ann.publicKey.hex]], "an old reply")
        let reply = Self.event(cat, 1, daysAgo: 0.1, tags: [["e", root.id.hex, "", "root"], ["e", parent.id.hex, "", "reply"],
                                                           ["p", bob.publicKey.hex]], "a reply today")
        let quoted = Self.event(dan, 1, daysAgo: 200, "quotable, and old")
        let quote = Self.event(cat, 1, daysAgo: 0.2, tags: [["q", quoted.id.hex]], "look at this nostr:\(NIP19.note(quoted.id).encoded)")
        let zapped = Self.event(dan, 1, daysAgo: 100, "zap-worthy, and old")
        let request = Self.event(zapper, 9734, daysAgo: 0.3, tags: [["p", dan.publicKey.hex]], "great")
        let receipt = Self.event(zapper, 9735, daysAgo: 0.3, tags: [["p", dan.publicKey.hex], ["e", zapped.id.hex],
                                                                   ["bolt11", Bolt11.humanReadablePart(millisats: 21_000) + "1qqqqqqqq"],
                                                                   ["description", request.jsonString]])
        let profiles = [ann, bob, cat, dan].map { Self.event($0, 0, daysAgo: 300, #"{"name":"\#($0.publicKey.hex.prefix(6))"}"#) }
        let relay = TestRelay(events: [root, parent, reply, quoted, quote, zapped, receipt] + profiles)
        try await relay.start()
        let server = try await TestServer.start(relays: [relay.url])
        let wanted = [root.id, parent.id, quoted.id, zapped.id]
        let fetched = try await eventually(timeout: 30) {
            let profilesStored = try await server.store.count([Filter(kinds: [0])])
            return try await server.store.storedIDs(wanted).count == wanted.count && profilesStored == profiles.count
        }
        #expect(fetched, "the referenced events and their authors' profiles")
        let client = TestClient(url: server.url)
        let thread = await client.cache("thread_view", ["event_id": reply.id.hex, "limit": 20])
        #expect(thread?.ids(kind: 1) == [reply.id.hex, parent.id.hex, root.id.hex], "the whole chain")
        #expect(thread?.ranges.last?["elements"] as? [String] == [reply.id.hex, parent.id.hex, root.id.hex])
        #expect(Set(thread?.events(kind: 0).compactMap { $0["pubkey"] as? String } ?? []) == Set([ann, bob, cat].map(\.publicKey.hex)))
        client.close()
        await server.stop()
        await relay.stop()
    }

    @Test func aProfileNobodyStoredIsFetchedWhenAsked() async throws {
        let loner = Self.keys("loner")
        let profile = Self.event(loner, 0, daysAgo: 500, #"{"name":"loner","about":"in no stored event"}"#)
        let relay = TestRelay(events: [profile])
        try await relay.start()
        let server = try await TestServer.start(relays: [relay.url])
        let client = TestClient(url: server.url)
        let started = Date()
        let first = await client.cache("user_profile", ["pubkey": loner.publicKey.hex])
        #expect(first != nil && first?.notice == nil)
        #expect(first?.events(kind: 0).isEmpty == true, "answered at once with what there is")
        #expect(Date().timeIntervalSince(started) < 2)
        var found = false
        for attempt in 0..<50 where !found {
            try await Task.sleep(for: .milliseconds(200))
            let again = await client.cache("user_profile", ["pubkey": loner.publicKey.hex], sub: "again-\(attempt)")
            found = again?.events(kind: 0).first?["id"] as? String == profile.id.hex
        }
        #expect(found, "within a few seconds the same request has the profile")
        client.close()
        await server.stop()
        await relay.stop()
    }
}
