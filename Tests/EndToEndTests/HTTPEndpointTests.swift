import Foundation
import Nostr
import SQLiteStore
import Store
import Testing

@Suite(.serialized) struct HTTPEndpointTests {
    @Test func nip11HealthMetricsAndStatusPage() async throws {
        let server = try await TestServer.start(configure: { $0.relay.maxLimit = 321 })
        let (status, type, body) = try await server.get("/", accept: "application/nostr+json")
        #expect(status == 200 && type == "application/nostr+json")
        let info = try JSONSerialization.jsonObject(with: body) as! [String: Any]
        #expect(info["name"] as? String == "Hearth" && (info["supported_nips"] as? [Int])?.contains(11) == true)
        let limitation = info["limitation"] as! [String: Any]
        #expect(limitation["max_limit"] as? Int == 321 && limitation["max_message_length"] as? Int == 131_072)
        #expect(limitation["max_subscriptions"] as? Int == 200 && limitation["max_filters"] as? Int == 10)

        let client = TestClient(url: server.url)
        client.send(json: ["REQ", "m", ["limit": 1]])
        _ = await client.until("EOSE", "m")
        let (healthStatus, healthType, healthBody) = try await server.get("/health")
        #expect(healthStatus == 200 && healthType == "application/json")
        let health = try JSONSerialization.jsonObject(with: healthBody) as! [String: Any]
        #expect(health["status"] as? String == "ok" && health["events"] as? Int == 0 && health["uptime_seconds"] != nil)
        #expect(health["connections"] as? Int == 1)

        let (metricsStatus, metricsType, metricsBody) = try await server.get("/metrics")
        let text = String(decoding: metricsBody, as: UTF8.self)
        #expect(metricsStatus == 200 && metricsType.hasPrefix("text/plain"))
        for name in ["hearth_connections 1", "hearth_messages_in_total 1", "hearth_writer_queue_depth", "hearth_database_bytes",
                     "hearth_subscriptions", "hearth_query_seconds_bucket{kind=\"req\""] {
            #expect(text.contains(name), "\(name) in /metrics")
        }
        let (pageStatus, pageType, page) = try await server.get("/")
        #expect(pageStatus == 200 && pageType.hasPrefix("text/html") && String(decoding: page, as: UTF8.self).contains("Events"))
        let (missing, _, _) = try await server.get("/nope")
        #expect(missing == 404)
        client.close()
        await server.stop()
    }

    @Test func healthSays503WhenTheDatabaseIsGone() async throws {
        let server = try await TestServer.start()
        await server.store.close()
        let (status, _, body) = try await server.get("/health")
        #expect(status == 503)
        #expect((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["status"] as? String == "unavailable")
        await server.stop()
    }
}

@Suite(.serialized) struct ShutdownTests {
    /// Events accepted before a graceful shutdown are all in the file afterwards.
    @Test func shutdownLosesNothing() async throws {
        let keys = KeyPair(secretKey: SHA256Digest32.hash(Array("shutdown".utf8)))!
        let now = Int64(Date().timeIntervalSince1970)
        let events = (0..<1_500).map { Event.signed(by: keys, createdAt: now - Int64($0), kind: 1, content: "n\($0)") }
        let server = try await TestServer.start()
        let clients = (0..<3).map { _ in TestClient(url: server.url) }
        for (i, event) in events.enumerated() { clients[i % 3].send("[\"EVENT\",\(event.jsonString)]") }
        // Wait for a few acknowledgements, then shut down with the rest in flight.
        var acknowledged = Set<String>()
        while acknowledged.count < 50, let reply = await clients[0].nextJSON() {
            if reply[2] as? Bool == true, let id = reply[1] as? String { acknowledged.insert(id) }
        }
        let path = server.folder.appendingPathComponent("hearth.db").path
        await server.stop(removeFiles: false)
        for client in clients {
            while let reply = await client.nextJSON(timeout: 0.5) {
                if reply[2] as? Bool == true, let id = reply[1] as? String { acknowledged.insert(id) }
            }
            client.close()
        }
        var configuration = SQLiteStore.Configuration(path: path)
        configuration.readOnly = true
        let reopened = try SQLiteStore(configuration)
        let stored = Set(try await reopened.storedIDs(events.map(\.id)).map(\.hex))
        #expect(acknowledged.isSubset(of: stored), "every acknowledged event is stored")
        #expect(stored.count >= acknowledged.count && acknowledged.count >= 50)
        await reopened.close()
        try? FileManager.default.removeItem(at: server.folder)
    }
}
