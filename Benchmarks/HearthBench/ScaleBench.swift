import Foundation
import HummingbirdWSClient
import Nostr
import Workers

/// What grows with the database: `hearth import` and `hearth serve` as a user runs them,
/// each in its own process, at 100,000 events and at N (default 1,000,000) side by side.
///
/// For each size: the whole corpus imported into a new file; the same fresh 100k events
/// (another seed) imported into an empty file and into a copy of that file; bytes written as
/// the kernel counted them for each process (`wait4`) and its peak memory (its own VmHWM,
/// which `hearth import` prints); the file against
/// the raw JSON of what it stores (`hearth export`, which writes events back byte for byte);
/// then `hearth serve --read-only` on it, one client over loopback sending each request once.
enum ScaleBench {
    static let freshEvents = 100_000

    static func run(events: Int, directory: String) async throws -> BenchTable {
        let sizes = events > freshEvents ? [freshEvents, events] : [events]
        var table = BenchTable("Scale: import and serve at \(sizes.map { formatted(Double($0)) }.joined(separator: " and ")) events (hearth in its own process)")
        progress("  … generating the fresh \(freshEvents)-event corpus (seed 99)")
        let fresh = BenchCorpus(events: freshEvents, seed: 99)
        VerifyRate.ensure(fresh.events)
        table.add("one-core verify rate (this run)", "\(formatted(VerifyRate.oneCore)) events/s")
        let freshFile = directory + "/fresh.jsonl"
        try write(fresh, to: freshFile)
        let empty = try importFile(freshFile, into: directory + "/fresh-empty.db")
        table.add("fresh 100k into an empty file", rate(empty, lines: fresh.lines.count))
        table.add("  written per event; peak memory", "\(perEvent(empty, fresh.lines.count)); \(megabytes(empty.peakResidentBytes))")
        remove(directory + "/fresh-empty.db")
        for size in sizes {
            try await measure(size: size, fresh: fresh, freshFile: freshFile, emptyRate: Double(fresh.lines.count) / empty.seconds,
                              directory: directory, into: &table)
        }
        return table
    }

    private static func measure(size: Int, fresh: BenchCorpus, freshFile: String, emptyRate: Double,
                                directory: String, into table: inout BenchTable) async throws {
        let label = formatted(Double(size))
        progress("  … generating a \(size)-event corpus (seed 21)")
        let corpus = BenchCorpus(events: size, seed: 21)
        let file = directory + "/corpus-\(size).jsonl"
        try write(corpus, to: file)
        let path = directory + "/scale-\(size).db"
        progress("  … importing \(size) events")
        let whole = try importFile(file, into: path)
        let fileBytes = try fileSize(path)
        table.add("\(label): whole import", rate(whole, lines: corpus.lines.count))
        table.add("  written: per event; ÷ final file", "\(perEvent(whole, corpus.lines.count)); \(format2(Double(whole.bytesWritten) / Double(fileBytes)))×",
                  target: size >= 1_000_000 ? "≤ 4×" : "")
        table.add("  peak memory, importing", megabytes(whole.peakResidentBytes), target: "≤ 300 MB")
        let exported = directory + "/export-\(size).jsonl"
        _ = try ChildProcess.hearth(["export", "--db", path], outputPath: exported)
        let stored = try lineCount(exported)
        let json = try fileSize(exported) - Int64(stored)
        remove(exported)
        table.add("  on disk ÷ raw JSON of the \(formatted(Double(stored))) stored events",
                  "\(format2(Double(fileBytes) / Double(json)))× (\(megabytes(fileBytes)) for \(megabytes(json)))", target: "≤ 1.5×")

        progress("  … importing the fresh 100k into a copy of the \(size) file")
        let copy = directory + "/scale-copy.db"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let into = try importFile(freshFile, into: copy)
        remove(copy)
        let intoRate = Double(fresh.lines.count) / into.seconds
        table.add("  fresh 100k into this file", "\(rate(into, lines: fresh.lines.count)); \(format2(intoRate / emptyRate))× into empty",
                  target: size >= 1_000_000 ? "≥ 0.7× into empty" : "")
        table.add("    written per event; peak memory", "\(perEvent(into, fresh.lines.count)); \(megabytes(into.peakResidentBytes))")

        progress("  … serving the \(size) file")
        try await serve(path: path, corpus: corpus, label: label, into: &table)
        remove(path)
        remove(file)
    }

    private static func serve(path: String, corpus: BenchCorpus, label: String, into table: inout BenchTable) async throws {
        let port = 20_000 + Int(getpid() % 1_000)
        let server = try ServerBench.launch(databasePath: path, port: port)
        defer { server.terminate(); server.waitUntilExit() }
        try await ServerBench.waitForHealth(port: port)
        let shapes = Self.shapes(corpus)
        let results = Shared<[(String, String, Latencies)]>([])
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/", configuration: .init(maxFrameSize: 64 << 20),
                                          logger: quietLogger("bench-scale")) { inbound, outbound, _ in
            var messages = inbound.messages(maxSize: 64 << 20).makeAsyncIterator()
            for shape in shapes {
                var latencies = Latencies()
                for (i, request) in shape.requests.enumerated() {
                    let start = monotonicNow()
                    try await outbound.write(.text("[\"REQ\",\"scale\",\(request)]"))
                    while let message = try await messages.next() {
                        if case .text(let text) = message, text.hasPrefix("[\"EOSE\"") { break }
                    }
                    if i >= 5 { latencies.add(monotonicNow() - start) }  // the first five warm up
                }
                results.update { $0.append((shape.name, shape.target, latencies)) }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        for (name, target, latencies) in results.value {
            table.add("  \(label): \(name), round trip", latencies.summary, target: target)
        }
        table.add("  peak memory, serving", megabytes(peakResident(pid: server.processIdentifier)), target: "≤ 300 MB")
    }

    /// Requests for each op, each subject once (the result cache never answers them).
    static func shapes(_ corpus: BenchCorpus) -> [CacheBench.Shape] {
        let count = 155
        let events = corpus.events
        let pubkeys = events.filter { $0.kind == 0 }.map(\.pubkey.hex)
        let notes = events.filter { $0.kind == 1 && ThreadReferences(event: $0).parent == nil }
        var replyCounts: [EventID: Int] = [:]
        for event in events where event.kind == 1 {
            if case .id(let parent)? = ThreadReferences(event: event).parent { replyCounts[parent, default: 0] += 1 }
        }
        let threads = notes.sorted { (replyCounts[$0.id] ?? 0) > (replyCounts[$1.id] ?? 0) }.prefix(count)
        let readers = events.filter { $0.kind == 3 }.map { ($0.pubkey.hex, $0.tags.filter { $0.first == "p" }.count) }
            .sorted { abs($0.1 - 150) < abs($1.1 - 150) }.prefix(count)
        let averageFollows = readers.isEmpty ? 0 : readers.map(\.1).reduce(0, +) / readers.count
        let authors = Array(Set(notes.map(\.pubkey.hex))).sorted().prefix(count)
        let words = Array(Set(notes.prefix(5_000).flatMap { $0.content.split(separator: " ") }
            .filter { $0.count > 4 && !$0.contains(":") }.map { $0.lowercased() })).sorted().prefix(count)
        let viewer = pubkeys.first ?? ""
        func quoted(_ items: some Sequence<String>) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
        func request(_ op: String, _ params: String) -> String { CacheBench.request(op, params) }
        let timeframes = ["latest", "popular", "trending", "mostzapped"]
        return [
            .init(name: "user_profile", target: "p99 ≤ 5 ms",
                  requests: pubkeys.prefix(count).map { request("user_profile", "{\"pubkey\":\"\($0)\",\"user_pubkey\":\"\(viewer)\"}") }),
            .init(name: "user_infos (50)", target: "p99 ≤ 5 ms",
                  requests: (0..<count).map { i in
                      request("user_infos", "{\"pubkeys\":\(quoted((0..<50).map { pubkeys[(i * 50 + $0 * 7) % pubkeys.count] }))}")
                  }),
            .init(name: "events (20)", target: "p99 ≤ 5 ms",
                  requests: (0..<count).map { i in
                      let group = (0..<20).map { notes[(i * 20 + $0 * 13) % notes.count].id.hex }
                      return request("events", "{\"event_ids\":\(quoted(group)),\"extended_response\":true,\"user_pubkey\":\"\(viewer)\"}")
                  }),
            .init(name: "thread_view", target: "p99 ≤ 5 ms",
                  requests: threads.map { request("thread_view", "{\"event_id\":\"\($0.id.hex)\",\"limit\":100,\"user_pubkey\":\"\(viewer)\"}") }),
            .init(name: "feed authored", target: "p99 ≤ 20 ms",
                  requests: authors.map { request("feed", "{\"pubkey\":\"\($0)\",\"notes\":\"authored\",\"limit\":20,\"user_pubkey\":\"\(viewer)\"}") }),
            .init(name: "home feed (\(averageFollows) follows)", target: "p99 ≤ 20 ms",
                  requests: readers.map { request("feed", "{\"pubkey\":\"\($0.0)\",\"user_pubkey\":\"\($0.0)\",\"limit\":20}") }),
            .init(name: "contact_list", target: "p99 ≤ 20 ms",
                  requests: readers.map { request("contact_list", "{\"pubkey\":\"\($0.0)\",\"extended_response\":true}") }),
            .init(name: "user_followers", target: "p99 ≤ 20 ms",
                  requests: pubkeys.suffix(count).map { request("user_followers", "{\"pubkey\":\"\($0)\",\"limit\":100}") }),
            .init(name: "get_notifications", target: "p99 ≤ 20 ms",
                  requests: CacheBench.notified(corpus).prefix(count).map {
                      request("get_notifications", "{\"pubkey\":\"\($0)\",\"limit\":100,\"user_pubkey\":\"\($0)\"}")
                  }),
            .init(name: "search", target: "p99 ≤ 20 ms",
                  requests: words.map { request("search", "{\"query\":\"\($0)\",\"limit\":20,\"user_pubkey\":\"\(viewer)\"}") }),
            .init(name: "explore", target: "p99 ≤ 20 ms",
                  requests: readers.enumerated().map { i, reader in
                      request("explore", "{\"timeframe\":\"\(timeframes[i % 4])\",\"scope\":\"global\",\"limit\":20,\"user_pubkey\":\"\(reader.0)\"}")
                  }),
        ]
    }

    // MARK: Helpers

    private static func importFile(_ file: String, into path: String) throws -> ChildRun {
        try ChildProcess.hearth(["import", "--db", path, file])
    }

    private static func write(_ corpus: BenchCorpus, to path: String) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(corpus.jsonBytes + corpus.lines.count)
        for line in corpus.lines {
            bytes += line
            bytes.append(0x0A)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    private static func rate(_ run: ChildRun, lines: Int) -> String {
        let perSecond = Double(lines) / run.seconds
        return "\(formatted(perSecond)) lines/s (\(format2(perSecond / VerifyRate.oneCore))× one-core verify)"
    }

    private static func perEvent(_ run: ChildRun, _ lines: Int) -> String {
        "\(formatted(Double(run.bytesWritten) / Double(lines) / 1024)) KiB"
    }

    private static func megabytes(_ bytes: Int64) -> String { "\(bytes / 1_000_000) MB" }

    private static func fileSize(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
    }

    private static func lineCount(_ path: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        return data.withUnsafeBytes { bytes in bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
    }

    private static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    private static func peakResident(pid: Int32) -> Int64 {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kilobytes * 1024
    }
}
