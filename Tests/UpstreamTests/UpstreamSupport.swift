import Corpus
import Foundation
import Ingest
import Nostr
import Store
import TestRelay
@testable import SQLiteStore

/// A fresh database, a pipeline and a relay pool pointed at test relays.
struct Upstream: Sendable {
    let folder: URL
    let store: SQLiteStore
    let pipeline: IngestPipeline
    let pool: RelayPool
    let runner: Task<Void, Never>

    static func configuration() -> UpstreamConfiguration {
        var configuration = UpstreamConfiguration()
        configuration.horizon = 400 * 86_400  // the corpus lies in the past
        configuration.initialBackoff = 0.05
        configuration.maxBackoff = 0.4
        configuration.requestTimeout = 2
        configuration.connectTimeout = 2
        configuration.persistInterval = 0.2
        return configuration
    }

    /// Catch-up of the last two days only (what is older must come by backfill), and
    /// backfill paced for tests.
    static func backfillConfiguration(rate: Double = 50) -> UpstreamConfiguration {
        var configuration = Upstream.configuration()
        configuration.horizon = 2 * 86_400
        configuration.backfill.requestsPerSecond = rate
        configuration.backfill.maintenanceInterval = 0.2
        configuration.backfill.idleClose = 1
        return configuration
    }

    /// Starts ingesting from `urls` into the database in `folder` (a new one by default).
    /// With `backfill`, the pool also backfills into the store (see `backfillConfiguration`).
    static func start(_ urls: [String], folder: URL? = nil, configuration: UpstreamConfiguration = Upstream.configuration(),
                      backfill: Bool = false, wrap: ((SQLiteStore) -> any EventStore)? = nil) throws -> Upstream {
        let folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("hearth-upstream-\(UUID().uuidString)")
        var storeConfiguration = SQLiteStore.Configuration(path: folder.appendingPathComponent("hearth.db").path)
        storeConfiguration.readers = 2
        let store = try SQLiteStore(storeConfiguration)
        let pipeline = IngestPipeline(store: wrap?(store) ?? store, verifierThreads: 2)
        let pool = RelayPool(configuration: configuration, pipeline: pipeline, states: store, backfillStore: backfill ? store : nil)
        let runner = Task {
            await pool.apply(urls)
            await pool.run(path: nil)
        }
        return Upstream(folder: folder, store: store, pipeline: pipeline, pool: pool, runner: runner)
    }

    /// Stops the relays (states persisted), then the pipeline and the store.
    func stop(removeFiles: Bool = true) async {
        runner.cancel()
        await runner.value
        pipeline.shutdown()
        await store.close()
        if removeFiles { try? FileManager.default.removeItem(at: folder) }
    }


    /// Every stored event, parsed.
    func storedEvents() async throws -> [Event] {
        try await store.scanAll(Filter()).map { try $0.parsed() }
    }

    func storedCount() async throws -> Int { try await store.count([Filter()]) }
}

/// The ids a store holds when the given events are written to it directly: what any
/// ingestion of them must end with.
func directlyStored(_ events: [Event]) async throws -> Set<EventID> {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-direct-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try SQLiteStore(SQLiteStore.Configuration(path: folder.appendingPathComponent("hearth.db").path))
    _ = try await store.write(events.map { ValidatedEvent(event: $0) })
    let ids = Set(try await store.scanAll(Filter()).map(\.id))
    await store.close()
    return ids
}

