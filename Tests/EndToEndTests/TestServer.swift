import Foundation
import Ingest
import Logging
import SQLiteStore
import Server
import ServiceLifecycle
import StoreConformance

/// A real Hearth server on a free loopback port over a fresh database file.
final class TestServer: Sendable {
    let folder: URL
    let store: SQLiteStore
    let pipeline: IngestPipeline?
    let server: HearthServer
    let group: ServiceGroup
    let task: Task<Void, Error>
    let port: Int
    /// Ingestion from upstream relays (with backfill), when started with relays.
    let relayPool: RelayPool?
    let poolTask: Task<Void, Never>?

    var url: String { "ws://127.0.0.1:\(port)/" }
    var http: String { "http://127.0.0.1:\(port)" }

    /// `relays`: upstream relays to ingest from, with backfill on (paced for tests), caught
    /// up over the last two days.
    static func start(configure: (inout ServerConfiguration) -> Void = { _ in }, readOnly: Bool = false,
                      clock: TestClock? = nil, relays: [String]? = nil,
                      seed: ((SQLiteStore) async throws -> Void)? = nil) async throws -> TestServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-e2e-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("hearth.db").path
        var storeConfiguration = SQLiteStore.Configuration(path: path)
        storeConfiguration.readers = 2
        if let clock { storeConfiguration.now = clock.function }
        if readOnly {
            let writable = try SQLiteStore(storeConfiguration)
            try await seed?(writable)
            await writable.close()
            storeConfiguration.readOnly = true
        }
        let store = try SQLiteStore(storeConfiguration)
        if !readOnly { try await seed?(store) }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.readOnly = readOnly
        configuration.messagesPerSecond = 10_000
        configuration.messageBurst = 10_000
        if let clock { configuration.now = clock.function }
        configure(&configuration)
        let pipeline = readOnly ? nil : IngestPipeline(store: store, verifierThreads: 2)
        var logger = Logger(label: "test-server")
        logger.logLevel = .error
        var pool: RelayPool?
        if let relays, let pipeline {
            var upstream = UpstreamConfiguration()
            upstream.horizon = 2 * 86_400
            upstream.initialBackoff = 0.05
            upstream.maxBackoff = 0.4
            upstream.requestTimeout = 2
            upstream.backfill.requestsPerSecond = 50
            upstream.backfill.maintenanceInterval = 0.2
            upstream.backfill.idleClose = 1
            pool = RelayPool(configuration: upstream, pipeline: pipeline, states: store, backfillStore: store, logger: logger)
            await pool?.apply(relays)
        }
        let poolTask = pool.map { pool in Task { await pool.run(path: nil) } }
        let server = HearthServer(configuration: configuration, store: store, pipeline: pipeline, relays: pool, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let task = Task { try await group.run() }
        let port = await server.listeningPort()
        return TestServer(folder: folder, store: store, pipeline: pipeline, server: server, group: group, task: task, port: port,
                          relayPool: pool, poolTask: poolTask)
    }

    private init(folder: URL, store: SQLiteStore, pipeline: IngestPipeline?, server: HearthServer, group: ServiceGroup,
                 task: Task<Void, Error>, port: Int, relayPool: RelayPool?, poolTask: Task<Void, Never>?) {
        self.folder = folder
        self.store = store
        self.pipeline = pipeline
        self.server = server
        self.group = group
        self.task = task
        self.port = port
        self.relayPool = relayPool
        self.poolTask = poolTask
    }

    /// Graceful shutdown, then the pipeline and store close (the writer drains its queue).
    func stop(removeFiles: Bool = true) async {
        poolTask?.cancel()
        await poolTask?.value
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        pipeline?.shutdown()
        await store.close()
        if removeFiles { try? FileManager.default.removeItem(at: folder) }
    }

    /// A plain HTTP GET: status, content type and body.
    func get(_ path: String, accept: String? = nil) async throws -> (Int, String, Data) {
        var request = URLRequest(url: URL(string: http + path)!)
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type") ?? "", data)
    }
}

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
