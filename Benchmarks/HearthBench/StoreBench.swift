import Foundation
import Ingest
import Nostr
import SQLiteStore
import Store
import Workers

/// The SQLite store: import through the pipeline, re-import of duplicates, disk use, and
/// query latencies for the shapes clients send most.
enum StoreBench {
    /// Returns the table and the path of the database with everything on, left in place for
    /// the server benchmark.
    static func run(corpus: BenchCorpus, directory: String) async throws -> (BenchTable, String) {
        var table = BenchTable("SQLite store (\(corpus.events.count) events)")
        VerifyRate.ensure(corpus.events)

        // Events only (derived tables off): the store issue's figures.
        let plainPath = directory + "/plain.db"
        removeDatabase(plainPath)
        var plainConfiguration = SQLiteStore.Configuration(path: plainPath)
        plainConfiguration.derivedData = false
        let plain = try SQLiteStore(plainConfiguration)
        let plainPipeline = IngestPipeline(store: plain, verifierThreads: 2)
        let plainSeconds = try await measureAsync { try await importAll(corpus.lines, plainPipeline) }
        let plainRate = Double(corpus.lines.count) / plainSeconds
        table.rate("import, events only (parse, verify, write, tags, FTS)", count: corpus.lines.count, seconds: plainSeconds, target: "≥ 10,000")
        table.add("  ÷ one-core verify", formatted(plainRate / VerifyRate.oneCore) + "×")
        let duplicateSeconds = try await measureAsync { try await importAll(corpus.lines, plainPipeline) }
        table.rate("duplicate re-import", count: corpus.lines.count, seconds: duplicateSeconds, unit: "lines/s", target: "≥ 100,000")
        try await plain.checkpoint()
        let plainStats = try await plain.statistics()
        table.add("disk ÷ raw JSON, events only", diskRatio(plainStats, corpus), target: "≤ 1.6×")
        plainPipeline.shutdown()
        await plain.close()
        removeDatabase(plainPath)

        // Everything on: derived read models in the writer's transaction.
        let path = directory + "/store-bench.db"
        removeDatabase(path)
        let store = try SQLiteStore(SQLiteStore.Configuration(path: path))
        let pipeline = IngestPipeline(store: store, verifierThreads: 2)
        let importSeconds = try await measureAsync { try await importAll(corpus.lines, pipeline) }
        let importRate = Double(corpus.lines.count) / importSeconds
        table.rate("import, all derived tables on", count: corpus.lines.count, seconds: importSeconds)
        table.add("  ÷ import with them off (same run)", formatted(importRate / plainRate) + "×", target: "≥ 0.7×")
        table.add("  ÷ one-core verify", formatted(importRate / VerifyRate.oneCore) + "×")
        try await store.checkpoint()
        table.add("disk ÷ raw JSON, with derived tables", diskRatio(try await store.statistics(), corpus))

        let reindex = try await store.reindex()
        table.rate("reindex (rebuild every derived table)", count: reindex.events, seconds: reindex.seconds, target: "≥ 20,000")

        for (name, target, filters) in QueryShapes(corpus: corpus).all {
            var latencies = Latencies()
            for round in 0..<400 {
                let filter = filters[round % filters.count]
                let start = monotonicNow()
                _ = try await store.query([filter])
                latencies.add(monotonicNow() - start)
            }
            table.add("query: \(name)", latencies.summary, target: target)
        }
        pipeline.shutdown()
        await store.close()
        return (table, path)
    }

    static func diskRatio(_ stats: StoreStatistics, _ corpus: BenchCorpus) -> String {
        "\(format2(Double(stats.fileBytes) / Double(corpus.jsonBytes)))× (\(stats.fileBytes / Int64(max(1, stats.events))) B/event)"
    }

    /// Seconds the writer takes for the corpus (events already verified), into a new file.
    static func writerSeconds(_ corpus: BenchCorpus, _ directory: String, batch: Int = 1_000, newestFirst: Bool = false) async throws -> Double {
        let path = directory + "/writer-bench.db"
        removeDatabase(path)
        let store = try SQLiteStore(SQLiteStore.Configuration(path: path))
        let events = newestFirst ? corpus.events.sorted { $0.createdAt > $1.createdAt } : corpus.events
        let validated = events.map { ValidatedEvent(event: $0) }
        let seconds = try await measureAsync {
            for start in stride(from: 0, to: validated.count, by: batch) {
                _ = try await store.write(Array(validated[start..<min(start + batch, validated.count)]))
            }
        }
        await store.close()
        removeDatabase(path)
        return seconds
    }

    /// `--only writer`: just the writer, for profiling.
    static func writerOnly(corpus: BenchCorpus, directory: String) async throws -> BenchTable {
        var table = BenchTable("SQLite writer (\(corpus.events.count) events)")
        for batch in [500, 1_000, 5_000, 20_000] {
            table.rate("writer alone, batches of \(batch)", count: corpus.events.count, seconds: try await writerSeconds(corpus, directory, batch: batch))
        }
        // A relay catch-up pages backwards: replies and reactions come before their posts.
        table.rate("writer alone, newest first, batches of 5000", count: corpus.events.count,
                   seconds: try await writerSeconds(corpus, directory, batch: 5_000, newestFirst: true))
        return table
    }

    static func importAll(_ lines: [[UInt8]], _ pipeline: IngestPipeline) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for start in stride(from: 0, to: lines.count, by: 5_000) {
                let batch = Array(lines[start..<min(start + 5_000, lines.count)])
                group.addTask { _ = await pipeline.submit(json: batch, from: .importFile) }
                inFlight += 1
                if inFlight >= 2 { try await group.next(); inFlight -= 1 }
            }
            try await group.waitForAll()
        }
    }

    static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

func measureAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = monotonicNow()
    try await body()
    return monotonicNow() - start
}

/// Realistic filters drawn from the corpus: each shape with many different arguments.
struct QueryShapes {
    let all: [(String, String, [Filter])]

    init(corpus: BenchCorpus) {
        var rng = SplitMixForBench(seed: 99)
        let notes = corpus.events.filter { $0.kind == 1 }
        var reactionsPerNote: [EventID: Int] = [:]
        var mentionsPerKey: [PublicKey: Int] = [:]
        for event in corpus.events {
            if event.kind == 7, let target = event.firstTagValue("e").flatMap(EventID.init(hex:)) { reactionsPerNote[target, default: 0] += 1 }
            for value in event.tagValues("p") { if let key = PublicKey(hex: value) { mentionsPerKey[key, default: 0] += 1 } }
        }
        let popularNotes = reactionsPerNote.sorted { $0.value > $1.value }.prefix(50).map(\.key)
        let popularKeys = mentionsPerKey.sorted { $0.value > $1.value }.prefix(50).map(\.key)
        let authors = Array(Set(notes.map(\.pubkey))).sorted()
        let contactLists = corpus.events.filter { $0.kind == 3 && $0.tags.count >= 150 }
        let homeFeeds = contactLists.prefix(20).map { list in
            Filter(authors: Set(list.tagValues("p").prefix(150).compactMap(PublicKey.init(hex:))), kinds: [1, 6], limit: 50)
        }
        let hashtags = ["nostr", "bitcoin", "zapathon", "art", "music", "gm", "dev", "foodstr"]
        let words = ["coffee", "bitcoin relay", "garden", "lightning zap", "morning", "music festival"]
        all = [
            ("by id", "p99 ≤ 5 ms", (0..<200).map { _ in Filter(ids: [notes[rng.below(notes.count)].id]) }),
            ("author newest 50", "p99 ≤ 5 ms", (0..<200).map { _ in Filter(authors: [authors[rng.below(authors.count)]], limit: 50) }),
            ("kind newest 50", "p99 ≤ 5 ms", [Filter(kinds: [1], limit: 50), Filter(kinds: [7], limit: 50), Filter(kinds: [1, 6], limit: 50)]),
            ("#e newest 100", "p99 ≤ 5 ms", popularNotes.map { Filter(tags: ["e": [$0.hex]], limit: 100) }),
            ("#p newest 100", "p99 ≤ 5 ms", popularKeys.map { Filter(tags: ["p": [$0.hex]], limit: 100) }),
            ("#t newest 50", "p99 ≤ 5 ms", hashtags.map { Filter(tags: ["t": [$0]], limit: 50) }),
            ("home feed (150 authors, kinds 1/6, newest 50)", "p99 ≤ 10 ms", homeFeeds.isEmpty ? [Filter(kinds: [1], limit: 50)] : homeFeeds),
            ("search newest 20", "p99 ≤ 5 ms", words.map { Filter(limit: 20, search: $0) }),
        ]
    }
}

/// SplitMix64 again (the Corpus one is public; this keeps the bench self-explanatory).
struct SplitMixForBench {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
