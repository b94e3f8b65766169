import Corpus
import Foundation
import Nostr
import Store
import Testing

/// NIP-01 over a real socket: every message type, as a client sees it.
@Suite(.serialized) struct RelayProtocolTests {
    static let keys = KeyPair(secretKey: SHA256Digest32.hash(Array("e2e-relay".utf8)))!

    static func note(_ content: String, at time: Int64 = Int64(Date().timeIntervalSince1970) - 5, kind: Int = 1,
                     tags: [[String]] = []) -> Event {
        Event.signed(by: keys, createdAt: time, kind: kind, tags: tags, content: content)
    }

    static func eventMessage(_ event: Event) -> String { "[\"EVENT\",\(event.jsonString)]" }

    /// EVENTs sent without waiting are written side by side; each gets its OK, and a REQ
    /// sent right after them sees every one (a client reads its own writes).
    @Test func pipelinedEventsAreAllAcknowledgedAndReadBack() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let client = TestClient(url: server.url)
        defer { client.close() }
        let base = Int64(Date().timeIntervalSince1970) - 1_000
        let notes = (0..<150).map { Self.note("pipelined \($0)", at: base + Int64($0)) }  // more than 64 in flight
        for note in notes { client.send(Self.eventMessage(note)) }
        client.send(json: ["REQ", "mine", ["authors": [Self.keys.publicKey.hex], "kinds": [1], "limit": 500]])
        var oks = Set<String>(), read = Set<String>()
        var sawEOSE = false
        while !sawEOSE || oks.count < notes.count, let message = await client.nextJSON(timeout: 10) {
            switch message.first as? String {
            case "OK": if message[2] as? Bool == true, let id = message[1] as? String { oks.insert(id) }
            case "EVENT": if message[1] as? String == "mine", let id = (message[2] as? [String: Any])?["id"] as? String { read.insert(id) }
            case "EOSE": sawEOSE = true
            default: break
            }
        }
        #expect(oks == Set(notes.map(\.id.hex)))
        #expect(read == Set(notes.map(\.id.hex)), "the REQ after the EVENTs saw \(read.count) of \(notes.count)")
    }

    @Test func storedThenEOSEThenLive() async throws {
        let server = try await TestServer.start()
        let stored = (0..<3).map { Self.note("stored \($0)", at: Int64(Date().timeIntervalSince1970) - 100 + Int64($0)) }
        _ = try await server.store.write(stored.map { ValidatedEvent(event: $0) })
        let reader = TestClient(url: server.url)
        reader.send(json: ["REQ", "feed", ["kinds": [1], "limit": 2]])
        let (eose, before) = await reader.until("EOSE", "feed")
        #expect(eose != nil)
        #expect(before.compactMap { ($0[2] as? [String: Any])?["content"] as? String } == ["stored 2", "stored 1"])

        // A live event from another client arrives after EOSE.
        let writer = TestClient(url: server.url)
        let live = Self.note("live!")
        writer.send(Self.eventMessage(live))
        #expect(await writer.nextJSON()?[2] as? Bool == true)
        let pushed = await reader.nextJSON()
        #expect(pushed?[0] as? String == "EVENT" && (pushed?[2] as? [String: Any])?["id"] as? String == live.id.hex)

        // Replacing the subscription id changes what is delivered.
        reader.send(json: ["REQ", "feed", ["kinds": [7], "limit": 0]])
        #expect(await reader.until("EOSE", "feed").found != nil)
        writer.send(Self.eventMessage(Self.note("not a reaction")))
        _ = await writer.nextJSON()
        let reaction = Self.note("+", kind: 7, tags: [["e", live.id.hex]])
        writer.send(Self.eventMessage(reaction))
        _ = await writer.nextJSON()
        let next = await reader.nextJSON()
        #expect((next?[2] as? [String: Any])?["id"] as? String == reaction.id.hex, "only the new filter's events")

        // CLOSE stops delivery.
        reader.send(json: ["CLOSE", "feed"])
        writer.send(Self.eventMessage(Self.note("+", kind: 7, tags: [["e", live.id.hex], ["t", "after close"]])))
        _ = await writer.nextJSON()
        #expect(await reader.next(timeout: 0.5) == nil)
        reader.close()
        writer.close()
        await server.stop()
    }

    @Test func countAndSearch() async throws {
        let server = try await TestServer.start()
        let events = [Self.note("morning coffee in the garden"), Self.note("evening tea"), Self.note("coffee again", kind: 1)]
        _ = try await server.store.write(events.map { ValidatedEvent(event: $0) })
        let client = TestClient(url: server.url)
        client.send(json: ["COUNT", "n", ["kinds": [1]]])
        let count = await client.nextJSON()
        #expect(count?[0] as? String == "COUNT" && (count?[2] as? [String: Any])?["count"] as? Int == 3)
        client.send(json: ["REQ", "s", ["search": "coffee", "limit": 10]])
        let (eose, found) = await client.until("EOSE", "s")
        #expect(eose != nil)
        #expect(Set(found.compactMap { ($0[2] as? [String: Any])?["content"] as? String }) == ["morning coffee in the garden", "coffee again"])
        client.send(json: ["REQ", "q", ["search": "\"((NEAR* -", "limit": 10]])
        #expect(await client.until("EOSE", "q").found != nil, "hostile search answers, empty")
        client.close()
        await server.stop()
    }

    @Test func eventOutcomes() async throws {
        let server = try await TestServer.start()
        let client = TestClient(url: server.url)
        let event = Self.note("publish me")
        func ok(_ message: String) async -> (Bool?, String?) {
            client.send(message)
            let reply = await client.nextJSON()
            return (reply?[2] as? Bool, reply?[3] as? String)
        }
        #expect(await ok(Self.eventMessage(event)) == (true, ""))
        #expect(await ok(Self.eventMessage(event)) == (true, "duplicate: already have this event"))
        var badID = Self.note("tampered")
        badID.content += "!"
        let (accepted, reason) = await ok(Self.eventMessage(badID))
        #expect(accepted == false && reason?.hasPrefix("invalid:") == true)
        var badSig = Self.note("forged")
        badSig.sig = event.sig
        let forged = await ok(Self.eventMessage(badSig))
        #expect(forged.0 == false && forged.1 == "invalid: signature does not verify for this pubkey")
        let future = Self.note("from tomorrow", at: Int64(Date().timeIntervalSince1970) + 86_400)
        let tomorrow = await ok(Self.eventMessage(future))
        #expect(tomorrow.0 == false && tomorrow.1?.contains("future") == true)
        let malformed = await ok(#"["EVENT",{"id":"\#(event.id.hex)","kind":"one"}]"#)
        #expect(malformed.0 == false && malformed.1?.hasPrefix("invalid:") == true)
        client.close()
        await server.stop()
    }

    @Test func readOnlyRefusesEvents() async throws {
        let seeded = Self.note("already here")
        let server = try await TestServer.start(readOnly: true) { store in
            _ = try await store.write([ValidatedEvent(event: seeded)])
        }
        let client = TestClient(url: server.url)
        client.send(Self.eventMessage(Self.note("new")))
        let reply = await client.nextJSON()
        #expect(reply?[2] as? Bool == false && reply?[3] as? String == "blocked: this relay is read-only")
        client.send(json: ["REQ", "r", ["ids": [seeded.id.hex]]])
        let (eose, found) = await client.until("EOSE", "r")
        #expect(eose != nil && found.count == 1)
        client.close()
        await server.stop()
    }
}
