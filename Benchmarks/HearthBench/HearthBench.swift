import Foundation

/// `make bench`: measures Hearth on this machine and prints one table per area.
///
/// Usage: HearthBench [--events N] [--only nostr,store,server,cache,ingest,backfill,load,scale,writer] [--db PATH]
/// `--db` serves an existing database (made by `hearth generate` + `hearth import` with the
/// same N) to the server and cache benchmarks instead of building one in the store benchmark.
/// N (default 100,000) is the size of the generated corpus the store benchmarks use; the
/// scale table runs at 100,000 and at N (default there 1,000,000).
@main
struct HearthBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == RelayProcess.flag {
            return try await RelayProcess.serve(files: Array(arguments.dropFirst(2)))
        }
        var events = 100_000
        var scaleEvents = 1_000_000
        if let i = arguments.firstIndex(of: "--events"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
            events = n
            scaleEvents = n
        }
        var only: Set<String>?
        if let i = arguments.firstIndex(of: "--only"), i + 1 < arguments.count {
            only = Set(arguments[i + 1].split(separator: ",").map(String.init))
        }
        func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var tables: [BenchTable] = []
        if wanted("nostr") { tables.append(NostrBench.run(events: min(events, 60_000))) }
        var generated: BenchCorpus?
        func corpus() -> BenchCorpus {
            if let generated { return generated }
            progress("generating a \(events)-event corpus")
            let made = BenchCorpus(events: events)
            generated = made
            return made
        }
        var existing: String?
        if let i = arguments.firstIndex(of: "--db"), i + 1 < arguments.count { existing = arguments[i + 1] }
        if let existing {
            if wanted("server") { tables.append(try await ServerBench.run(corpus: corpus(), databasePath: existing)) }
            if wanted("cache") { tables.append(try await CacheBench.run(corpus: corpus(), databasePath: existing)) }
        } else if wanted("store") || wanted("server") || wanted("cache") {
            let (table, databasePath) = try await StoreBench.run(corpus: corpus(), directory: directory)
            tables.append(table)
            if wanted("server") { tables.append(try await ServerBench.run(corpus: corpus(), databasePath: databasePath)) }
            if wanted("cache") { tables.append(try await CacheBench.run(corpus: corpus(), databasePath: databasePath)) }
        }
        if wanted("ingest") { tables.append(try await IngestBench.run(corpus: corpus(), directory: directory)) }
        if wanted("load") { tables.append(try await LoadBench.run(directory: directory)) }
        if wanted("backfill") { tables.append(try await BackfillBench.run(members: min(events / 5, 20_000), directory: directory)) }
        if wanted("scale") { tables.append(try await ScaleBench.run(events: scaleEvents, directory: directory)) }
        if only == ["writer"] { tables.append(try await StoreBench.writerOnly(corpus: corpus(), directory: directory)) }
        for table in tables { table.print() }
    }
}
