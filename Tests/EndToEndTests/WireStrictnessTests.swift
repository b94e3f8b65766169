import Foundation
import Nostr
import Store
import Testing

/// What a server must refuse on the wire (RFC 6455), the rate limit before any work, and
/// refusals that name their request.
@Suite(.serialized) struct WireStrictnessTests {
    @Test func unmaskedFramesFailTheConnection() async throws {
        let server = try await TestServer.start()
        let bystander = TestClient(url: server.url)
        let raw = try RawWebSocket(port: server.port)
        raw.sendFrame(opcode: 0x1, Array(#"["REQ","x",{"limit":1}]"#.utf8), masked: false)
        #expect(await raw.closeCode(within: 5) == 1002, "protocol error")
        #expect(await HostileInputTests.bystanderWorks(server, bystander, "after-unmasked"))
        bystander.close()
        await server.stop()
    }

    @Test func invalidUTF8FailsTheConnection() async throws {
        let server = try await TestServer.start()
        let raw = try RawWebSocket(port: server.port)
        // A subscription id with a lone continuation byte and an overlong '/'.
        raw.sendFrame(opcode: 0x1, Array(#"["REQ",""#.utf8) + [0x80, 0xC0, 0xAF] + Array(#"",{"limit":1}]"#.utf8))
        let frames = await raw.readFrames(within: 5)
        #expect(!frames.contains { $0.opcode == 0x1 }, "nothing is echoed back")
        let close = frames.first { $0.opcode == 0x8 }
        #expect(close.map { Int($0.payload[0]) << 8 | Int($0.payload[1]) } == 1007, "invalid frame payload data")
        await server.stop()
    }

    /// A flood of junk costs one answer per token of the budget, then nothing, then the
    /// connection; the bystander does not notice.
    @Test func junkPastTheRateLimitIsNotAnsweredAndTheFlooderGoes() async throws {
        let server = try await TestServer.start(configure: {
            $0.messagesPerSecond = 50
            $0.messageBurst = 200
        })
        let bystander = TestClient(url: server.url)
        let raw = try RawWebSocket(port: server.port, receiveBuffer: 1 << 20)
        var flood: [UInt8] = []
        for i in 0..<2_000 { flood += RawWebSocket.frame(opcode: 0x1, Array("{junk \(i)".utf8)) }
        raw.write(flood)
        let frames = await raw.readFrames(within: 5)
        let notices = frames.filter { $0.opcode == 0x1 }
        #expect(notices.count <= 260, "at most the burst and what refilled meanwhile, not 2,000: \(notices.count)")
        #expect(notices.contains { String(decoding: $0.payload, as: UTF8.self).contains("closing: too many messages") })
        #expect(frames.contains { $0.opcode == 0x8 }, "closed")
        #expect(await HostileInputTests.bystanderWorks(server, bystander, "after-flood"))
        let (_, _, body) = try await server.get("/metrics")
        #expect(String(decoding: body, as: UTF8.self).contains("hearth_flooding_clients_dropped_total 1"))
        bystander.close()
        await server.stop()
    }

    /// Each refused request ends: CLOSED for a REQ or COUNT, NOTICE and EOSE for a cache
    /// request, OK false for an EVENT, each with its id.
    @Test func refusalsNameTheirRequest() async throws {
        let server = try await TestServer.start(configure: {
            $0.messagesPerSecond = 0.001
            $0.messageBurst = 10
        })
        let client = TestClient(url: server.url)
        for i in 0..<10 { client.send(json: ["REQ", "allowed\(i)", ["ids": []]]) }
        #expect(await client.until("EOSE", "allowed9").found != nil)
        let event = RelayProtocolTests.note("refused")
        client.send(json: ["REQ", "nip01", ["kinds": [1]]])
        client.send(json: ["COUNT", "counted", ["kinds": [1]]])
        client.send(json: ["REQ", "cached", ["cache": ["net_stats"]]])
        client.send(RelayProtocolTests.eventMessage(event))
        client.send(json: ["CLOSE", "nip01"])
        client.send("junk")
        var replies: [String] = []
        while let message = await client.nextJSON(timeout: 1) {
            replies.append(message.map { "\($0)" }.joined(separator: "|"))
        }
        let reason = "rate-limited: at most 0 messages a second"
        #expect(replies == [
            "CLOSED|nip01|\(reason)",
            "CLOSED|counted|\(reason)",
            "NOTICE|cached|\(reason)", "EOSE|cached",
            "OK|\(event.id.hex)|0|\(reason)",
        ], "\(replies)")
        client.close()
        await server.stop()
    }

    /// A copy of a stored event is a duplicate only when it is that event: the same id with
    /// other content, or with a signature that does not verify, is invalid.
    @Test func changedCopiesOfAStoredEventAreInvalid() async throws {
        let server = try await TestServer.start()
        let client = TestClient(url: server.url)
        let keys = RelayProtocolTests.keys
        let original = RelayProtocolTests.note("the original")
        func ok(_ text: String) async -> (Bool?, String?) {
            client.send(text)
            let reply = await client.nextJSON()
            return ((reply?[2] as? NSNumber)?.boolValue, reply?[3] as? String)
        }
        #expect(await ok(RelayProtocolTests.eventMessage(original)) == (true, ""))
        #expect(await ok(RelayProtocolTests.eventMessage(original)).0 == true, "the same bytes again")
        let json = original.jsonString
        let changedContent = json.replacingOccurrences(of: "the original", with: "a forgery")
        let (accepted, message) = await ok("[\"EVENT\",\(changedContent)]")
        #expect(accepted == false && message?.hasPrefix("invalid:") == true, "changed content: \(String(describing: message))")
        var badSig = Array(original.sig.hex)
        badSig[10] = badSig[10] == "0" ? "1" : "0"
        let changedSig = json.replacingOccurrences(of: original.sig.hex, with: String(badSig))
        let (sigAccepted, sigMessage) = await ok("[\"EVENT\",\(changedSig)]")
        #expect(sigAccepted == false && sigMessage?.hasPrefix("invalid:") == true, "bad signature: \(String(describing: sigMessage))")
        // Another valid signature of the same event, and the same event spelled differently,
        // are that event.
        let resigned = Event.signed(by: keys, createdAt: original.createdAt, kind: 1, tags: [], content: "the original",
                                    auxRand: SHA256Digest32.hash(Array("other randomness".utf8)))
        #expect(resigned.id == original.id && resigned.sig != original.sig)
        let (resignedAccepted, resignedMessage) = await ok(RelayProtocolTests.eventMessage(resigned))
        #expect(resignedAccepted == true && resignedMessage?.hasPrefix("duplicate:") == true)
        let (spacedAccepted, _) = await ok("[\"EVENT\",  \(json.replacingOccurrences(of: ",", with: " , "))]")
        #expect(spacedAccepted == true)
        #expect(try await server.store.query([Filter(ids: [original.id])]).first?.json == original.json, "the stored copy is the original")
        client.close()
        await server.stop()
    }
}
