import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HummingbirdWSClient
import Logging
import Nostr
import Synchronization
import Workers

/// The server under load, over loopback: `hearth serve` runs as its own process on the
/// store benchmark's file, and K WebSocket clients in this process send REQs.
enum ServerBench {
    static func run(corpus: BenchCorpus, databasePath: String) async throws -> BenchTable {
        var table = BenchTable("Server over loopback (\(corpus.events.count) events, hearth serve in its own process)")
        let port = 18_000 + Int(getpid() % 1_000)
        let server = try launch(databasePath: databasePath, port: port)
        defer { server.terminate(); server.waitUntilExit() }
        try await waitForHealth(port: port)
        let url = "ws://127.0.0.1:\(port)/"
        let ids = corpus.events.filter { $0.kind == 1 }.map(\.id.hex)

        for clients in [1, 50, 200] {
            progress("  … loading with \(clients) clients")
            let result = try await load(url: url, clients: clients, seconds: 4) { client, round in
                "[\"REQ\",\"q\(client)\",{\"ids\":[\"\(ids[(client * 7_919 + round * 104_729) % ids.count])\"]}]"
            }
            table.add("REQ by id, \(clients) client\(clients == 1 ? "" : "s")",
                      "\(formatted(result.rate)) REQ/s, \(result.latencies.summary)",
                      target: clients == 50 ? "≥ 10,000/s, p99 ≤ 10 ms" : "")
        }
        let shapes = QueryShapes(corpus: corpus).all.filter { $0.0 != "by id" }
        for (name, _, filters) in shapes {
            let texts = filters.map { String(decoding: $0.jsonValue.jsonBytes, as: UTF8.self) }
            let result = try await load(url: url, clients: 50, seconds: 2) { client, round in
                "[\"REQ\",\"q\(client)\",\(texts[(client + round) % texts.count])]"
            }
            table.add("REQ \(name), 50 clients", "\(formatted(result.rate)) REQ/s, \(result.latencies.summary)")
        }
        let before = memory(pid: server.processIdentifier)
        let idle = try await idleConnections(url: url, count: 5_000) {
            memory(pid: server.processIdentifier)
        }
        table.add("server memory, 5,000 idle connections", "\(idle.anonymous) MB private + \(idle.file) MB mapped file",
                  target: "≤ 300 MB")
        table.add("  before opening them", "\(before.anonymous) MB private + \(before.file) MB mapped file")
        table.add("  per idle connection", "\((idle.anonymous - before.anonymous) * 1024 / 5_000) KB private")
        return table
    }

    /// `hearth serve` next to this binary, without client limits; `mode` is `--read-only`
    /// (serving a finished file) or `--offline` (taking client EVENTs).
    static func launch(databasePath: String, port: Int, mode: String = "--read-only") throws -> Process {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hearth")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--db", databasePath, "--listen", "127.0.0.1:\(port)", mode,
                             "--max-connections-per-ip", "20000", "--messages-per-second", "1000000", "--log-level", "error"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitForHealth(port: Int) async throws {
        for _ in 0..<200 {
            let url = URL(string: "http://127.0.0.1:\(port)/health")!
            if let (_, response) = try? await URLSession.shared.data(from: url), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("hearth serve did not come up on port \(port)")
    }

    struct Result {
        var rate: Double
        var latencies: Latencies
    }

    /// `clients` connections each send a REQ, wait for its EOSE, and repeat for `seconds`
    /// (reusing one subscription id, so each REQ replaces the last, as clients do).
    static func load(url: String, clients: Int, seconds: Double, request: @escaping @Sendable (Int, Int) -> String) async throws -> Result {
        let samples = Shared<[Double]>([])
        let deadline = monotonicNow() + seconds
        let logger = quietLogger("bench-client")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 16 << 20), logger: logger) { inbound, outbound, _ in
                        var messages = inbound.messages(maxSize: 16 << 20).makeAsyncIterator()
                        var round = 0
                        var mine: [Double] = []
                        while monotonicNow() < deadline {
                            let start = monotonicNow()
                            try await outbound.write(.text(request(client, round)))
                            while let message = try await messages.next() {
                                if case .text(let text) = message, text.hasPrefix("[\"EOSE\"") || text.hasPrefix("[\"CLOSED\"") { break }
                            }
                            mine.append(monotonicNow() - start)
                            round += 1
                        }
                        samples.update { $0 += mine }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        var latencies = Latencies()
        let all = samples.value
        for sample in all { latencies.add(sample) }
        return Result(rate: Double(all.count) / seconds, latencies: latencies)
    }

    /// Opens `count` connections that each send one REQ and then sit idle; returns the
    /// server's resident memory once all are open.
    static func idleConnections(url: String, count: Int, measure: @escaping @Sendable () -> Memory) async throws -> Memory {
        let open = Shared<Int>(0)
        let release = AsyncStream<Void>.makeStream()
        let logger = quietLogger("bench-idle")
        return try await withThrowingTaskGroup(of: Memory?.self) { group in
            for client in 0..<count {
                if client % 250 == 0 { try await Task.sleep(for: .milliseconds(50)) }
                group.addTask {
                    try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                        try await outbound.write(.text("[\"REQ\",\"idle\",{\"limit\":0}]"))
                        var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        _ = try await messages.next()
                        open.update { $0 += 1 }
                        for await _ in release.stream {}
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    return nil
                }
            }
            group.addTask {
                while open.value < count { try await Task.sleep(for: .milliseconds(100)) }
                try await Task.sleep(for: .milliseconds(500))
                let megabytes = measure()
                release.continuation.finish()
                return megabytes
            }
            var result = Memory(anonymous: 0, file: 0)
            for try await value in group { if let value { result = value } }
            return result
        }
    }

    /// Resident memory of a process, in MB: private (heap, stacks) and file pages mapped
    /// (the database, through SQLite's mmap: shared with the page cache, evictable).
    struct Memory: Sendable {
        let anonymous: Int
        let file: Int
    }

    static func memory(pid: Int32) -> Memory {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return Memory(anonymous: -1, file: -1) }
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                  let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
            return kilobytes / 1024
        }
        return Memory(anonymous: field("RssAnon"), file: field("RssFile") + field("RssShmem"))
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A value several tasks update under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let state: Mutex<Value>
    init(_ value: Value) { state = Mutex(value) }
    func update(_ body: (inout Value) -> Void) { state.withLock { body(&$0) } }
    var value: Value { state.withLock { $0 } }
}

func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .critical
    return logger
}
