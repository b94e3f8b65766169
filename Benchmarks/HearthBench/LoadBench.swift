import Foundation
import HummingbirdWSClient
import Nostr
import Workers

/// Slow readers, over loopback, against `hearth serve` in its own process (a fresh database,
/// `--offline`): waves of clients that subscribe to everything and never read while a
/// publisher sends notes; the server's memory before, at its peak and after each wave; a
/// well-behaved client's REQ latency alone and during a wave.
enum LoadBench {
    static let slowClients = 500
    static let notes = 6_000
    static let noteBytes = 2_300

    static func run(directory: String) async throws -> BenchTable {
        var table = BenchTable("Under load (\(slowClients) slow readers, \(notes) notes of \(noteBytes) bytes per wave; hearth serve in its own process)")
        let port = 19_000 + Int(getpid() % 1_000)
        let server = try ServerBench.launch(databasePath: directory + "/load.db", port: port, mode: "--offline")
        defer { server.terminate(); server.waitUntilExit() }
        try await ServerBench.waitForHealth(port: port)
        let url = "ws://127.0.0.1:\(port)/"
        let pid = server.processIdentifier
        let keys = KeyPair(secretKey: SHA256Digest32.hash(Array("load-bench".utf8)))!
        var time = Int64(Date().timeIntervalSince1970) - 1_000_000

        // The good client's REQ reads the index and matches no live note (a live match would
        // make it a reader of the whole stream).
        let goodREQ = "[\"REQ\",\"good\",{\"kinds\":[1],\"authors\":[\"\(String(repeating: "ab", count: 32))\"],\"limit\":20}]"
        let alone = try await ServerBench.load(url: url, clients: 1, seconds: 3) { _, _ in goodREQ }
        table.add("good client's REQ (an author's notes), alone", alone.latencies.summary)
        // Publishing alone: 8 publishers, each with up to 64 EVENTs unanswered.
        let quiet = (0..<notes).map { i -> Event in
            time += 1
            return Event.signed(by: keys, createdAt: time, kind: 1, tags: [], content: "quiet \(i)")
        }
        let alonePublished = try await publish(url: url, quiet, publishers: 8)
        table.add("EVENTs acknowledged, 8 pipelined publishers, no subscribers",
                  "\(formatted(alonePublished.rate))/s, OK \(alonePublished.latencies.summary)", target: "≥ 5,000/s, OK p99 ≤ 20 ms")
        let start = ServerBench.memory(pid: pid)
        table.add("server RSS before", "\(start.anonymous) MB private")
        for wave in 1...2 {
            progress("  … wave \(wave): \(slowClients) slow readers")
            let peak = Shared<Int>(0)
            let sampling = Task {
                while !Task.isCancelled {
                    let now = ServerBench.memory(pid: pid).anonymous
                    peak.update { $0 = max($0, now) }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            let release = AsyncStream<Void>.makeStream()
            let slow = Task { try await slowReaders(url: url, count: slowClients, until: release.stream) }
            try await Task.sleep(for: .seconds(2))
            let events = (0..<notes).map { i -> Event in
                time += 1
                return Event.signed(by: keys, createdAt: time, kind: 1, tags: [],
                                    content: String(repeating: "l", count: noteBytes) + " \(wave)-\(i)")
            }
            async let good = ServerBench.load(url: url, clients: 1, seconds: 6) { _, _ in goodREQ }
            let published = try await publish(url: url, events)
            let during = try await good
            release.continuation.finish()
            _ = try? await slow.value
            // The server trims freed memory within two ticks (5 s each) of the last close.
            try await Task.sleep(for: .seconds(12))
            sampling.cancel()
            let after = ServerBench.memory(pid: pid)
            table.add("wave \(wave): server RSS peak, after", "\(peak.value) MB, \(after.anonymous) MB private",
                      target: wave == 2 ? "after ≈ wave 1's" : "")
            table.add("wave \(wave): good client's REQ beside the slow readers", during.latencies.summary, target: "p99 ≤ 50 ms")
            table.add("wave \(wave): notes published beside them (OK received)", "\(formatted(published.rate)) events/s")
        }
        return table
    }

    /// `count` clients that subscribe to every event and never read their socket (the
    /// client stops reading once its small inbound buffer is full), until `until` ends.
    static func slowReaders(url: String, count: Int, until: AsyncStream<Void>) async throws {
        let logger = quietLogger("bench-slow")
        let waiting = Shared<[AsyncStream<Void>.Continuation]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<count {
                if client % 100 == 0 { try await Task.sleep(for: .milliseconds(20)) }
                group.addTask {
                    try? await WebSocketClient.connect(url: url, logger: logger) { _, outbound, _ in
                        try await outbound.write(.text("[\"REQ\",\"all\",{\"limit\":0}]"))
                        let (stream, continuation) = AsyncStream<Void>.makeStream()
                        waiting.update { $0.append(continuation) }
                        for await _ in stream {}
                        try? await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
            group.addTask {
                for await _ in until {}
                for continuation in waiting.value { continuation.finish() }
            }
            try await group.waitForAll()
        }
    }

    /// Sends the events over `publishers` connections, each with up to 64 unanswered:
    /// events per second until every OK came, and the time from each EVENT to its OK.
    static func publish(url: String, _ events: [Event], publishers: Int = 4) async throws -> (rate: Double, latencies: Latencies) {
        let logger = quietLogger("bench-publish")
        let samples = Shared<[Double]>([])
        let started = monotonicNow()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for part in 0..<publishers {
                let mine = events.enumerated().filter { $0.offset % publishers == part }.map(\.element)
                group.addTask {
                    try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                        var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        var sentAt: [String: Double] = [:]
                        var sent = 0, answered = 0
                        var mineSamples: [Double] = []
                        while answered < mine.count {
                            while sent < mine.count && sent - answered < 64 {
                                sentAt[mine[sent].id.hex] = monotonicNow()
                                try await outbound.write(.text("[\"EVENT\",\(mine[sent].jsonString)]"))
                                sent += 1
                            }
                            guard let message = try await messages.next() else { break }
                            if case .text(let text) = message, text.hasPrefix("[\"OK\"") {
                                answered += 1
                                let id = String(text.dropFirst(7).prefix(64))
                                if let at = sentAt.removeValue(forKey: id) { mineSamples.append(monotonicNow() - at) }
                            }
                        }
                        samples.update { $0 += mineSamples }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        var latencies = Latencies()
        for sample in samples.value { latencies.add(sample) }
        return (Double(events.count) / (monotonicNow() - started), latencies)
    }
}
