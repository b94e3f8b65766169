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

    /// Starts ingesting from `urls` into the database in `folder` (a new one by default).
    static func start(_ urls: [String], folder: URL? = nil, configuration: UpstreamConfiguration = Upstream.configuration(),
                      wrap: ((SQLiteStore) -> any EventStore)? = nil) throws -> Upstream {
        let folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("hearth-upstream-\(UUID().uuidString)")
        var storeConfiguration = SQLiteStore.Configuration(path: folder.appendingPathComponent("hearth.db").path)
        storeConfiguration.readers = 2
        let store = try SQLiteStore(storeConfiguration)
        let pipeline = IngestPipeline(store: wrap?(store) ?? store, verifierThreads: 2)
        let pool = RelayPool(configuration: configuration, pipeline: pipeline, states: store)
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

    /// Waits until `condition` holds, up to `timeout` seconds; false if it never did.
    static func eventually(timeout: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
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

