import CacheAPI
import Foundation
import Nostr
import Store
import StoreConformance
import Testing

/// The cache envelope: framing, zlib, errors, subscription ids, imports and the result
/// cache's freshness.
@Suite(.serialized) struct CacheProtocolTests {
    /// Objects as canonical JSON text, for comparing two answers.
    static func canonical(_ reply: CacheReply) -> [String] {
        reply.objects.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
    }

    @Test func zlibFramesCarryTheSameObjects() async throws {
        let fixture = try await CacheFixture.start()
        defer { Task { await fixture.stop() } }
        let text = fixture.client(), zlib = fixture.client()
        defer { text.close(); zlib.close() }
        let switched = try #require(await zlib.cache("set_primal_protocol", ["compression": "zlib"], sub: "proto"))
        #expect(switched.objects.isEmpty && switched.notice == nil && !switched.compressed)

        let user = fixture.wellConnected[0]
        let requests: [(String, [String: Any])] = [
            ("user_infos", ["pubkeys": Array(fixture.wellConnected.prefix(5)).map(\.hex)]),
            ("feed", ["pubkey": user.hex, "limit": 10]),
            ("user_profile", ["pubkey": user.hex]),
            ("events", ["event_ids": [] as [String], "limit": 0]),
        ]
        for (op, params) in requests {
            let plain = try #require(await text.cache(op, params, sub: "same"))
            let packed = try #require(await zlib.cache(op, params, sub: "same"))
            #expect(!plain.compressed && packed.compressed)
            #expect(Self.canonical(plain) == Self.canonical(packed), "\(op)")
        }
        // Errors stay text, even on a zlib connection.
        let bad = try #require(await zlib.cache("no_such_op", sub: "bad"))
        #expect(bad.notice == "unknown api request" && !bad.compressed)
    }

    @Test func badRequestsGetNoticeThenEOSEAndTheConnectionLives() async throws {
        let fixture = try await CacheFixture.start(users: 12, notes: 30)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let user = fixture.wellConnected[0].hex
        let cases: [(String, [String: Any]?, String)] = [
            ("nope", nil, "unknown api request"),
            ("user_profile", [:], "missing parameter: pubkey"),
            ("user_profile", ["pubkey": "not-a-key"], "invalid pubkey"),
            ("user_infos", ["pubkeys": "abc"], "pubkeys must be an array of pubkeys"),
            ("feed", ["pubkey": user, "limit": "ten"], "limit must be an integer"),
            ("feed", ["pubkey": user, "limit": 5000], "limit too big"),
            ("feed", ["pubkey": user, "notes": "everything"], "unsupported type of notes"),
            ("mega_feed_directive", ["spec": "{not json"], "spec must be a JSON object"),
            ("mega_feed_directive", ["spec": #"{"id":"latest","kind":"notes"}"#], "missing parameter: user_pubkey"),
            ("thread_view", ["event_id": 12], "event_id must be a string"),
            ("search", ["query": ""], "query is empty"),
            ("set_primal_protocol", ["compression": "brotli"], "unsupported compression: brotli"),
        ]
        for (op, params, message) in cases {
            let reply = try #require(await client.cache(op, params, sub: "bad"))
            #expect(reply.notice == message, "\(op) \(String(describing: params))")
            #expect(reply.objects.isEmpty)
        }
        // A malformed envelope is refused the same way.
        client.send(#"["REQ","env",{"cache":"user_profile"}]"#)
        let envelope = try #require(await client.cacheReply("env"))
        #expect(envelope.notice?.contains("cache request") == true)
        // Still serving.
        let good = try #require(await client.cache("user_profile", ["pubkey": user]))
        #expect(good.content(10_000_105)?["pubkey"] as? String == user)
    }

    @Test func oneShotIdsAreForgotten() async throws {
        let fixture = try await CacheFixture.start(users: 12, notes: 30)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let user = fixture.wellConnected[0].hex
        // More distinct ids than the 200-subscription cap: each is answered and forgotten.
        for i in 0..<260 {
            let reply = try #require(await client.cache("user_profile", ["pubkey": user], sub: "profile_\(i)"))
            #expect(reply.notice == nil)
        }
        // A live NIP-01 subscription still fits.
        client.send(json: ["REQ", "live", ["kinds": [1], "limit": 1]])
        let (eose, _) = await client.until("EOSE", "live")
        #expect(eose != nil)
    }

    @Test func importedEventsShowUpInTheNextAnswer() async throws {
        let fixture = try await CacheFixture.start(users: 20, notes: 80)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        let note = fixture.busyNotes[0]
        let author = Author("importer")
        let stats = { () async throws -> [String: Any] in
            let reply = try #require(await client.cache("events", ["event_ids": [note.id.hex], "extended_response": true]))
            return try #require(reply.stats[note.id.hex])
        }
        let before = try await stats()
        let profile = try #require(await client.cache("user_profile", ["pubkey": note.pubkey.hex]))
        let followersBefore = try #require(profile.content(10_000_105)?["followers_count"] as? Int)
        _ = try await stats()  // warm: the answer now comes from the result cache

        let now = Int64(Date().timeIntervalSince1970)
        let like = author.event(7, at: now, tags: [["e", note.id.hex], ["p", note.pubkey.hex]], "+")
        let follow = author.event(3, at: now, tags: [["p", note.pubkey.hex]])
        var forged = author.event(1, at: now, "forged")
        forged.content = "tampered"
        let imported = try #require(await client.cache("import_events", ["events": [like, follow, forged].map(Self.object)]))
        let status = try #require(imported.content(10_000_127))
        #expect(status["imported"] as? Int == 2 && status["errors"] as? Int == 1)

        let after = try await stats()
        #expect(after["likes"] as? Int == (before["likes"] as! Int) + 1)
        let profileAfter = try #require(await client.cache("user_profile", ["pubkey": note.pubkey.hex]))
        #expect(profileAfter.content(10_000_105)?["followers_count"] as? Int == followersBefore + 1)
        // The result cache counted hits and misses.
        let (_, _, body) = try await fixture.server.get("/metrics")
        let metrics = String(decoding: body, as: UTF8.self)
        #expect(metrics.contains("hearth_result_cache_hits_total"))
        #expect(metrics.contains("hearth_result_cache_misses_total"))
    }

    /// Every op ignores a param it does not know, as primal-server does (the web app sends
    /// `subid` to `notification_counts`), and counts it in /metrics by op and name; params
    /// that are not an object are refused with NOTICE + EOSE; the connection keeps serving.
    @Test func everyOpIgnoresUnknownParamsAndRefusesMalformedOnes() async throws {
        let fixture = try await CacheFixture.start(users: 8, notes: 20)
        defer { Task { await fixture.stop() } }
        let client = fixture.client()
        defer { client.close() }
        for op in CacheService.operationNames {
            let unknown = try #require(await client.cache(op, ["hearth_no_such_param": 1], sub: "u-\(op)"), "\(op)")
            #expect(unknown.notice?.contains("hearth_no_such_param") != true, "\(op) refused an unknown parameter")
            client.send(json: ["REQ", "m-\(op)", ["cache": [op, "not an object"]]])
            let malformed = try #require(await client.cacheReply("m-\(op)"), "\(op)")
            #expect(malformed.notice != nil, "\(op) accepted params that are not an object")
        }
        // The extra param changes nothing in the answer.
        let user = try #require(fixture.wellConnected.first).hex
        let plain = try #require(await client.cache("feed", ["pubkey": user, "limit": 5]))
        let extra = try #require(await client.cache("feed", ["pubkey": user, "limit": 5, "colour": "red"]))
        #expect(extra.notice == nil && extra.elements == plain.elements && !plain.elements.isEmpty)
        // Also behind mega_feed_directive, whose extra keys go on to the routed op.
        let mega = try #require(await client.cache("mega_feed_directive", ["spec": #"{"id":"latest","kind":"notes"}"#,
                                                                           "user_pubkey": user, "limit": 5, "colour": "red"]))
        #expect(mega.notice == nil && mega.elements == plain.elements)
        // A known param of the wrong type is still refused.
        #expect(await client.cache("feed", ["pubkey": user, "limit": "five"])?.notice == "limit must be an integer")
        let (_, _, metrics) = try await fixture.server.get("/metrics")
        let text = String(decoding: metrics, as: UTF8.self)
        #expect(text.contains(#"hearth_cache_ignored_params_total{op="feed",param="colour"} 1"#))
        #expect(text.contains(#"hearth_cache_ignored_params_total{op="mega_feed_directive",param="colour"} 1"#))
        #expect(text.contains(#"hearth_cache_ignored_params_total{op="explore_people",param="hearth_no_such_param"} 1"#))
    }

    /// The README's table of ops stays true: every op the server answers is named there.
    @Test func readmeNamesEveryOp() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        for op in CacheService.operationNames {
            let named = text.contains("`\(op)`") || op.hasPrefix("parametrized_replaceable_event") && text.contains("`parametrized_replaceable_event(s)`")
            #expect(named, "README does not mention \(op)")
        }
    }

    static func object(_ event: Event) -> [String: Any] {
        try! JSONSerialization.jsonObject(with: Data(event.jsonString.utf8)) as! [String: Any]
    }
}
