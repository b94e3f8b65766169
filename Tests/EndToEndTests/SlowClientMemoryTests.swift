import Foundation
import Nostr
import Server
import Store
import StoreConformance
import Testing
import TestRelay

/// Clients that subscribe to everything and never read: each is dropped at its outbound
/// cap or when the server's whole outbound budget is spent, furthest behind first, and what
/// it held comes back (the objects are freed, and freed memory is returned to the system).
@Suite(.serialized) struct SlowClientMemoryTests {
    static func rss() -> Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        return (Int(statm.split(separator: " ")[1]) ?? 0) * 4096
    }

    static let author = Author("slow-wave")

    /// `count` notes of about `size` bytes, newer than anything stored before.
    static func notes(_ count: Int, size: Int = 2_200, tag: String, from time: inout Int64) -> [Event] {
        (0..<count).map { i in
            time += 1
            return author.event(1, at: time, String(repeating: "x", count: size) + " \(tag)-\(i)")
        }
    }

    @Test func wavesOfSlowClientsGiveTheirMemoryBack() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        var time = Int64(Date().timeIntervalSince1970) - 100_000
        var afterWave: [Int] = []
        for wave in 0..<2 {
            let objectsBefore = server.server.connectionObjects
            var sockets: [RawWebSocket] = []
            for i in 0..<30 {
                let socket = try RawWebSocket(port: server.port, receiveBuffer: 4096)
                socket.sendText(#"["REQ","all-\#(i)",{}]"#)
                sockets.append(socket)
            }
            _ = await eventually(timeout: 10) { server.server.connectionObjects >= objectsBefore + 30 }
            var peak = 0
            for batch in 0..<6 {  // 6 MB of notes, sent to every client: 180 MB without limits
                _ = try await server.store.write(Self.notes(100, size: 10_000, tag: "\(wave)-\(batch)", from: &time).map { ValidatedEvent(event: $0) })
                peak = max(peak, Self.rss())
            }
            // What all connections hold waiting stays within the server's budget (64 MiB).
            let (_, _, body) = try await server.get("/metrics")
            let waiting = String(decoding: body, as: UTF8.self).split(separator: "\n")
                .first { $0.hasPrefix("hearth_outbound_bytes ") }.flatMap { Double($0.split(separator: " ")[1]) } ?? -1
            #expect(waiting >= 0 && waiting <= Double(64 << 20))
            let trimsBefore = server.server.memory.trims
            sockets.removeAll()
            // Every slow client is dropped or gone, and its connection freed.
            let dropped = await eventually(timeout: 30) { server.server.connectionObjects <= objectsBefore }
            #expect(dropped, "wave \(wave): \(server.server.connectionObjects - objectsBefore) slow connections still held")
            // The server gives freed memory back: it trims after connections are freed. (On a
            // loaded machine its 5-second tick can come late; the RSS check below is generous.)
            let memory = server.server.memory
            _ = await eventually(timeout: 20) { memory.trims > trimsBefore }
            afterWave.append(Self.rss())
            print("slow clients, wave \(wave): peak RSS \(peak >> 20) MB, after \(afterWave.last! >> 20) MB")
        }
        // The second wave leaves no more behind than the first (other tests share this
        // process, hence the margin).
        #expect(afterWave[1] <= afterWave[0] + 300 << 20, "RSS after wave 1 \(afterWave[0] >> 20) MB, after wave 2 \(afterWave[1] >> 20) MB")
    }

    @Test func theOutboundBudgetDropsTheFurthestBehindFirst() async throws {
        let server = try await TestServer.start(configure: {
            $0.maxOutboundBytes = 8 << 20
            $0.maxTotalOutboundBytes = 3 << 19  // 1.5 MiB
        })
        defer { Task { await server.stop() } }
        var time = Int64(Date().timeIntervalSince1970) - 100_000
        // Two clients that never read; the first hears every note twice, so it falls behind
        // twice as fast.
        let first = try RawWebSocket(port: server.port, receiveBuffer: 4096)
        first.sendText(#"["REQ","all",{}]"#)
        first.sendText(#"["REQ","again",{}]"#)
        let second = try RawWebSocket(port: server.port, receiveBuffer: 4096)
        second.sendText(#"["REQ","all",{}]"#)
        let good = TestClient(url: server.url)
        defer { good.close() }
        good.send(json: ["REQ", "good", ["authors": [Self.author.pubkey.hex]]])
        _ = await good.next(timeout: 5)  // EOSE
        _ = await eventually(timeout: 5) { server.server.openConnections == 3 }
        var written = 0
        var received = 0
        // Notes in small batches until the budget is spent and someone is dropped.
        for batch in 0..<400 where server.server.openConnections == 3 {
            _ = try await server.store.write(Self.notes(20, tag: "b\(batch)", from: &time).map { ValidatedEvent(event: $0) })
            written += 20
            while let message = await good.next(timeout: 0.01) { if message.text?.hasPrefix(#"["EVENT","good""#) == true { received += 1 } }
        }
        #expect(await eventually(timeout: 5) { server.server.openConnections == 2 }, "someone was dropped")
        #expect(await first.isClosedByServer(within: 5), "the client furthest behind is dropped first")
        #expect(await !second.isClosedByServer(within: 0.3), "the one less behind stays")
        // The good client got every note.
        _ = await eventually(timeout: 10) {
            while let message = await good.next(timeout: 0.2) { if message.text?.hasPrefix(#"["EVENT","good""#) == true { received += 1 } }
            return received == written
        }
        #expect(received == written && written > 0)
        let (_, _, body) = try await server.get("/metrics")
        let metrics = String(decoding: body, as: UTF8.self)
        #expect(metrics.contains("hearth_outbound_bytes_limit 1572864"))
        #expect(metrics.contains("hearth_slow_clients_dropped_total 1"))
    }

    /// The server trims once a connection is freed, and not while none is.
    @Test func theServerTrimsAfterAConnectionIsFreed() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let memory = server.server.memory
        let before = memory.trims
        do {
            let client = TestClient(url: server.url)
            #expect(await client.cache("net_stats", nil) != nil)
            client.close()
        }
        #expect(await eventually(timeout: 60) { server.server.connectionObjects == 0 })
        #expect(await eventually(timeout: 60) { memory.trims > before })
    }
}
