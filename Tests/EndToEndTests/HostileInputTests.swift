import Corpus
import Foundation
import Nostr
import Store
import Testing

/// Bad input gets its defined answer, and a second client on the same server is unaffected.
@Suite(.serialized) struct HostileInputTests {
    /// A bystander that keeps working while others misbehave.
    static func bystanderWorks(_ server: TestServer, _ bystander: TestClient, _ tag: String) async -> Bool {
        bystander.send(json: ["REQ", "ok-\(tag)", ["kinds": [1], "limit": 1]])
        return await bystander.until("EOSE", "ok-\(tag)").found != nil
    }

    @Test func malformedMessagesGetNotices() async throws {
        let server = try await TestServer.start()
        let bystander = TestClient(url: server.url)
        let client = TestClient(url: server.url)
        let cases: [(String, String)] = [
            ("{not json", "invalid:"),
            (#"{"REQ":"x"}"#, "invalid: a message must be a JSON array"),
            ("[]", "invalid: a message must start with a verb string"),
            (#"["HELLO","x"]"#, "invalid: unknown message type HELLO"),
            (#"["REQ",42,{}]"#, "invalid: the subscription id must be a string"),
            (#"["CLOSE"]"#, "invalid:"),
            (#"["EVENT","not an object"]"#, "invalid:"),
        ]
        for (message, prefix) in cases {
            client.send(message)
            let reply = await client.nextJSON()
            #expect(reply?[0] as? String == "NOTICE" && (reply?.last as? String)?.hasPrefix(prefix) == true, "\(message) → \(String(describing: reply))")
        }
        // Wrong types inside a REQ close that subscription with a reason.
        for filter in [#"{"kinds":"1"}"#, #"{"authors":["xyz"]}"#, #"{"limit":-1}"#, ##"{"#e":"x"}"##, #"{"unknown":1}"#] {
            client.send(#"["REQ","bad",\#(filter)]"#)
            let reply = await client.nextJSON()
            #expect(reply?[0] as? String == "CLOSED" && (reply?[2] as? String)?.hasPrefix("invalid:") == true, "\(filter)")
        }
        client.sendBinary([1, 2, 3])
        #expect((await client.nextJSON())?.last as? String == "invalid: binary frames are not accepted; send JSON text")
        #expect(await Self.bystanderWorks(server, bystander, "after-garbage"))
        client.send(json: ["REQ", "still", ["limit": 0]])
        #expect(await client.until("EOSE", "still").found != nil, "the misbehaving client is still served")
        client.close()
        bystander.close()
        await server.stop()
    }

    @Test func oversizedMessages() async throws {
        let server = try await TestServer.start()
        let bystander = TestClient(url: server.url)
        let client = TestClient(url: server.url)
        client.send("[\"REQ\",\"big\",{\"search\":\"" + String(repeating: "a", count: 200_000) + "\"}]")
        let notice = await client.nextJSON()
        #expect(notice?[0] as? String == "NOTICE" && (notice?.last as? String)?.contains("larger than 131072 bytes") == true)
        client.send(String(repeating: "x", count: 1 << 20))  // a 1 MiB frame
        let reply = await client.nextJSON()
        #expect((reply?.last as? String)?.contains("larger than") == true)
        #expect(await Self.bystanderWorks(server, bystander, "after-big"))
        // A frame past the hard cap closes only that connection.
        let huge = TestClient(url: server.url)
        huge.send(String(repeating: "y", count: 5 << 20))
        #expect(await huge.next(timeout: 5) == nil)
        #expect(await Self.bystanderWorks(server, bystander, "after-huge"))
        client.close()
        huge.close()
        bystander.close()
        await server.stop()
    }

    @Test func subscriptionLimit() async throws {
        let server = try await TestServer.start()
        let client = TestClient(url: server.url)
        for i in 0..<1_000 { client.send(json: ["REQ", "s\(i)", ["ids": []]]) }
        var eose = 0, closed = 0
        while let message = await client.nextJSON(timeout: 2), eose + closed < 1_000 {
            if message[0] as? String == "EOSE" { eose += 1 }
            if message[0] as? String == "CLOSED", (message[2] as? String)?.hasPrefix("blocked: too many open subscriptions") == true { closed += 1 }
        }
        #expect(eose == 200 && closed == 800)
        client.send(json: ["CLOSE", "s0"])
        client.send(json: ["REQ", "again", ["ids": []]])
        #expect(await client.until("EOSE", "again").found != nil, "closing one frees a slot")
        client.close()
        await server.stop()
    }

    @Test func slowReaderIsDroppedOthersAreNot() async throws {
        let events = CorpusGenerator(options: CorpusOptions(users: 30, notes: 700, seed: 9)).events()
        let server = try await TestServer.start(configure: { $0.maxOutboundBytes = 256 * 1024 }) { store in
            _ = try await store.write(events.map { ValidatedEvent(event: $0) })
        }
        let bystander = TestClient(url: server.url)
        let stalled = try RawWebSocket(port: server.port)
        for i in 0..<80 { stalled.sendText(#"["REQ","flood\#(i)",{"limit":500}]"#) }
        var dropped = false
        for _ in 0..<100 where !dropped {
            try await Task.sleep(for: .milliseconds(100))
            let (_, _, body) = try await server.get("/metrics")
            dropped = String(decoding: body, as: UTF8.self).contains("hearth_slow_clients_dropped_total 1")
        }
        #expect(dropped, "the stalled client is disconnected")
        #expect(await stalled.isClosedByServer(within: 5))
        #expect(await Self.bystanderWorks(server, bystander, "after-stall"))
        bystander.close()
        await server.stop()
    }

    @Test func rateLimitAndPerAddressLimit() async throws {
        let server = try await TestServer.start(configure: {
            $0.messagesPerSecond = 1
            $0.messageBurst = 5
            $0.maxConnectionsPerIP = 3
        })
        let client = TestClient(url: server.url)
        for i in 0..<10 { client.send(json: ["REQ", "r\(i)", ["ids": []]]) }
        var limited = 0
        while let message = await client.nextJSON(timeout: 1) {
            if message[0] as? String == "CLOSED", (message.last as? String)?.hasPrefix("rate-limited:") == true { limited += 1 }
        }
        #expect(limited >= 4)
        let second = TestClient(url: server.url), third = TestClient(url: server.url)
        second.send(json: ["REQ", "a", ["ids": []]])
        third.send(json: ["REQ", "b", ["ids": []]])
        // Both admitted before the fourth comes (generous waits: the suite runs in parallel).
        #expect(await second.until("EOSE", "a", timeout: 15).found != nil)
        #expect(await third.until("EOSE", "b", timeout: 15).found != nil)
        let fourth = TestClient(url: server.url)
        let refusal = await fourth.nextJSON(timeout: 15)  // generous: the suite runs in parallel on two cores
        #expect((refusal?.last as? String)?.hasPrefix("blocked: too many connections") == true)
        #expect(await fourth.next(timeout: 2) == nil, "and closed")
        for c in [client, second, third, fourth] { c.close() }
        await server.stop()
    }

    @Test func idleConnectionsAreClosed() async throws {
        let server = try await TestServer.start(configure: { $0.idleTimeout = 0.5 })
        let client = TestClient(url: server.url)
        client.send(json: ["REQ", "x", ["ids": []]])
        _ = await client.nextJSON()
        let notice = await client.nextJSON(timeout: 5)
        #expect((notice?.last as? String)?.hasPrefix("closing: idle") == true)
        #expect(await client.next(timeout: 5) == nil)
        client.close()
        await server.stop()
    }
}
