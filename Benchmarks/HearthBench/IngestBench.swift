import Foundation
import Ingest
import Nostr
import SQLiteStore
import Store
import TestRelay
import Workers

/// End-to-end ingestion: three test relays on loopback (in a child process) hold overlapping
/// copies of the corpus, about a third of the events on two relays; Hearth's relay pool
/// catches up from all three into a new database with every derived table on.
enum IngestBench {
    static func run(corpus: BenchCorpus, directory: String) async throws -> BenchTable {
        VerifyRate.ensure(corpus.events)
        var table = BenchTable("Ingestion from 3 loopback relays (\(corpus.events.count) events, overlapping copies, relays in a child process)")
        let parts = TestRelay.overlapping(corpus.events, relays: 3)
        let (relayProcess, relays) = try RelayProcess.start(parts, directory: directory)
        defer { relayProcess.stop() }

        let path = directory + "/ingest-bench.db"
        StoreBench.removeDatabase(path)
        let store = try SQLiteStore(SQLiteStore.Configuration(path: path))
        let pipeline = IngestPipeline(store: store, verifierThreads: 2)
        var configuration = UpstreamConfiguration()
        configuration.kinds = Set(corpus.events.map(\.kind))
        configuration.horizon = Int64(Date().timeIntervalSince1970)  // everything
        configuration.requestTimeout = 120

        // 1. Everything new.
        progress("  … ingesting \(corpus.events.count) events from 3 relays")
        let copies = parts.map(\.count).reduce(0, +)
        // Done when every relay is live (caught up); progress is read from the pipeline's
        // counters, not the database (a count(*) every 20 ms would steal a reader's CPU).
        let relayPID = relayProcess.process.processIdentifier
        let cpuBefore = ThreadCPU.now()
        let relayCPUBefore = ThreadCPU.process(relayPID)
        let (seconds, _) = try await ingest(relays, store, pipeline, configuration, until: { pool, _ in
            pool.snapshot.allSatisfy { $0.status == "live" } ? 0 : nil
        })
        let cpu = ThreadCPU.now() - cpuBefore
        let relayCPU = ThreadCPU.process(relayPID) - relayCPUBefore
        let stored = try await store.count([Filter()])
        let uniqueRate = Double(stored) / seconds
        table.rate("unique events stored, end to end", count: stored, seconds: seconds, target: "≥ 10,000 (moonshot 15,000)")
        table.add("  ÷ one-core verify (same run)", formatted(uniqueRate / VerifyRate.oneCore) + "×")
        table.add("  frames received, of which copies", "\(copies), \(copies - corpus.events.count)")
        table.add("  CPU per stored event, by thread", cpu.perEvent(stored))
        table.add("  cores busy (of \(ProcessInfo.processInfo.activeProcessorCount)): Hearth + relays", "\(format2(cpu.total / seconds)) + \(format2(relayCPU / seconds))")

        // 2. Everything a copy: the same relays read again from the start (cursor reset).
        progress("  … reading them all again (copies only)")
        try await store.saveRelayStates(relays.map { RelayState(url: $0, status: "reset") })
        let copyCPUBefore = ThreadCPU.now()
        let copyRelayCPUBefore = ThreadCPU.process(relayPID)
        let (copySeconds, received) = try await ingest(relays, store, pipeline, configuration, until: { pool, _ in
            let states = pool.snapshot
            return states.allSatisfy({ $0.status == "live" }) ? Int(states.map(\.duplicates).reduce(0, +)) : nil
        })
        table.rate("copies dropped (all stored already)", count: received, seconds: copySeconds, target: "≥ 200,000")
        let copyCPU = ThreadCPU.now() - copyCPUBefore
        let copyRelayCPU = ThreadCPU.process(relayPID) - copyRelayCPUBefore
        table.add("  frames read again, of \(copies)", "\(received)")
        table.add("  CPU per copy (Hearth's process)", String(format: "%.1f µs", copyCPU.total / Double(max(1, received)) * 1_000_000))
        table.add("  cores busy (of \(ProcessInfo.processInfo.activeProcessorCount)): Hearth + relays", "\(format2(copyCPU.total / copySeconds)) + \(format2(copyRelayCPU / copySeconds))")
        pipeline.shutdown()
        await store.close()
        StoreBench.removeDatabase(path)
        return table
    }

    /// Runs a relay pool until `done` returns a count; returns the seconds taken and it.
    private static func ingest(_ relays: [String], _ store: SQLiteStore, _ pipeline: IngestPipeline,
                               _ configuration: UpstreamConfiguration,
                               until done: @escaping @Sendable (RelayPool, SQLiteStore) async throws -> Int?) async throws -> (Double, Int) {
        let pool = RelayPool(configuration: configuration, pipeline: pipeline, states: store, logger: quietLogger("bench-upstream"))
        let start = monotonicNow()
        await pool.apply(relays)
        var result = 0
        while true {
            if let count = try await done(pool, store) {
                result = count
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let seconds = monotonicNow() - start
        await pool.stop()
        return (seconds, result)
    }
}
