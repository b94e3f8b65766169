import Foundation
import Ingest
import Nostr
import SQLiteStore
import Store
import TestRelay
import Synchronization
import Workers

/// Backfill: three loopback relays (in a child process) hold a community's old profiles
/// and contact lists, and nothing recent; Hearth knows the pubkeys (as after an import) and
/// fetches their metadata with the default pacing (2 REQs a second and 2 in flight per
/// relay). Beside it, a fourth relay streams live notes; the writer's CPU with and without
/// backfill gives the share backfill takes.
enum BackfillBench {
    static let liveRate = 200.0

    static func run(members: Int, directory: String) async throws -> BenchTable {
        var table = BenchTable("Backfill from 3 loopback relays (\(members) members' profiles, contact lists, relay lists; relays in a child process)")
        let now = Int64(Date().timeIntervalSince1970)
        progress("  … signing a \(members)-member community")
        let community = Community(members: members, now: now, seed: "bench")
        VerifyRate.ensure(community.profiles)
        let (relayProcess, urls) = try RelayProcess.start(TestRelay.overlapping(community.metadata, relays: 3), directory: directory)
        defer { relayProcess.stop() }
        let liveRelay = TestRelay()
        try await liveRelay.start()
        defer { Task { await liveRelay.stop() } }

        let path = directory + "/backfill-bench.db"
        StoreBench.removeDatabase(path)
        let store = try SQLiteStore(SQLiteStore.Configuration(path: path))
        let pipeline = IngestPipeline(store: store, verifierThreads: 2)
        // Each live note's delay from publication to commit, by phase.
        let delays = Mutex<(phase: Int, alone: Latencies, beside: Latencies)>((0, Latencies(), Latencies()))
        var configuration = UpstreamConfiguration()
        configuration.horizon = 60
        configuration.requestTimeout = 60

        // The live stream alone: the writer's CPU per second for it.
        let live = LiveStream(relay: liveRelay, rate: liveRate, author: community.members[0])
        store.observeCommits { batch in
            let now = monotonicNow()
            delays.withLock { delays in
                for committed in batch where committed.event.kind == 1 {
                    guard let n = Int(committed.event.content.dropFirst(5)) else { continue }
                    let delay = now - live.publishTime(n)
                    if delays.phase == 1 { delays.alone.add(delay) } else if delays.phase == 2 { delays.beside.add(delay) }
                }
            }
        }
        let liveOnly = RelayPool(configuration: configuration, pipeline: pipeline, states: store, logger: quietLogger("bench-live"))
        await liveOnly.apply([liveRelay.url])
        let streaming = Task { await live.run() }
        try await Task.sleep(for: .seconds(2))
        delays.withLock { $0.phase = 1 }
        let liveBefore = ThreadCPU.now()
        let liveStart = monotonicNow()
        try await Task.sleep(for: .seconds(5))
        let liveWriterPerSecond = (ThreadCPU.now() - liveBefore).writer / (monotonicNow() - liveStart)
        await liveOnly.stop()

        // Backfill beside it.
        try await store.requestBackfill(community.members.map { .pubkey($0.publicKey) }, now: now)
        let expected = community.profiles.count + community.contactLists.count
        progress("  … backfilling \(community.profiles.count) profiles and \(community.contactLists.count) contact lists")
        let pool = RelayPool(configuration: configuration, pipeline: pipeline, states: store, backfillStore: store,
                             logger: quietLogger("bench-backfill"))
        delays.withLock { $0.phase = 2 }
        let cpuBefore = ThreadCPU.now()
        let start = monotonicNow()
        await pool.apply(urls + [liveRelay.url])
        var lastReport = start
        while true {
            let status = try await store.backfillStatus()
            if status.withProfile + status.withContactList >= expected { break }
            if monotonicNow() - lastReport > 10 {
                lastReport = monotonicNow()
                progress("    \(status.withProfile) profiles, \(status.withContactList) contact lists, \(status.waitingPubkeys) waiting")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let seconds = monotonicNow() - start
        let cpu = ThreadCPU.now() - cpuBefore
        let requests = pool.snapshot.map(\.backfillRequests).reduce(0, +)
        await pool.stop()
        streaming.cancel()

        let rate = Double(expected) / seconds
        table.rate("profiles + contact lists resolved", count: expected, seconds: seconds, unit: "/s")
        table.add("  ÷ one-core verify (same run)", formatted(rate / VerifyRate.oneCore) + "×")
        table.add("  backfill REQs (2 a second per relay at most)", "\(requests) in \(format2(seconds)) s")
        table.add("  CPU per resolved event, by thread", cpu.perEvent(expected))
        let backfillShare = max(0, 1 - liveWriterPerSecond * seconds / max(cpu.writer, 1e-9))
        table.add("  writer's time taken by backfill (live \(Int(liveRate)) notes/s beside)", "\(Int((backfillShare * 100).rounded())) %")
        table.add("  writer busy during backfill", "\(Int((cpu.writer / seconds * 100).rounded())) % of a core")
        let (alone, beside) = delays.withLock { ($0.alone, $0.beside) }
        table.add("  live notes, relay to commit: alone", alone.summary)
        table.add("  live notes, relay to commit: beside backfill", beside.summary, target: "p99 ≤ 2× alone + 50 ms")
        pipeline.shutdown()
        await store.close()
        StoreBench.removeDatabase(path)
        return table
    }
}

/// Publishes fresh signed notes to a relay at a steady rate until cancelled.
struct LiveStream: Sendable {
    let relay: TestRelay
    let rate: Double
    let author: KeyPair
    let start = monotonicNow()

    /// When note `n` ("live n") was due to be published.
    func publishTime(_ n: Int) -> Double { start + Double(n - 1) / rate }

    func run() async {
        var n = 0
        while !Task.isCancelled {
            n += 1
            relay.publish(Event.signed(by: author, createdAt: Int64(Date().timeIntervalSince1970), kind: 1, content: "live \(n)"))
            let due = publishTime(n + 1)
            let wait = due - monotonicNow()
            if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
        }
    }
}
