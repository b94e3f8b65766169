import Foundation
import Logging
import Store
import Synchronization
import Workers

/// Every upstream relay of `relays.txt`, each in its own task.
///
/// `apply` reconciles with a new list: added relays connect, removed ones disconnect,
/// unchanged ones are untouched. `run` keeps the states persisted and, when given a path,
/// reloads the file when it changes (and on `reload()`, which `hearth serve` calls on
/// SIGHUP). Cancelling `run` stops every relay after it handed over what it read.
public final class RelayPool: Sendable {
    private struct Running {
        let client: RelayClient
        let task: Task<Void, Never>
        /// The relay's backfill connection, when backfill is on.
        let backfill: Task<Void, Never>?

        func cancel() {
            task.cancel()
            backfill?.cancel()
        }

        func wait() async {
            await task.value
            await backfill?.value
        }
    }

    let configuration: UpstreamConfiguration
    let pipeline: IngestPipeline
    /// Shared by every relay of the pool (`UpstreamConfiguration.eventsInFlight`).
    let budget: EventBudget
    let states: any RelayStateStore
    /// Fetches old metadata and referenced events (nil: backfill off).
    public let backfill: Backfill?
    let logger: Logger
    private let running = Mutex<[String: Running]>([:])
    /// States of relays removed from the list, kept until persisted once more.
    private let retired = Mutex<[RelayState]>([])
    private let reloadRequests: AsyncStream<Void>.Continuation
    private let reloads: AsyncStream<Void>

    /// `backfillStore` is where backfill keeps its queue; without it (or with backfill turned
    /// off in the configuration) nothing is backfilled.
    public init(configuration: UpstreamConfiguration, pipeline: IngestPipeline, states: any RelayStateStore,
                backfillStore: (any BackfillStore)? = nil, logger: Logger = Logger(label: "hearth.upstream")) {
        self.configuration = configuration
        self.pipeline = pipeline
        budget = EventBudget(capacity: configuration.eventsInFlight)
        self.states = states
        backfill = backfillStore.flatMap { store in
            configuration.backfill.enabled
                ? Backfill(store: store, pipeline: pipeline, settings: configuration.backfill, now: configuration.now) : nil
        }
        self.logger = logger
        (reloads, reloadRequests) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The relays' current states, sorted by url.
    public var snapshot: [RelayState] {
        running.withLock { $0.values.map(\.client.snapshot) }.sorted { $0.url < $1.url }
    }

    /// The client of one relay of the list.
    public func client(for url: String) -> RelayClient? { running.withLock { $0[url]?.client } }

    /// Connects relays new to the list and disconnects those no longer in it.
    public func apply(_ urls: [String]) async {
        let persisted = Dictionary((try? await states.relayStates())?.map { ($0.url, $0) } ?? [], uniquingKeysWith: { a, _ in a })
        let wanted = Set(urls)
        let removed: [Running] = running.withLock { running in
            let gone = running.keys.filter { !wanted.contains($0) }
            return gone.compactMap { running.removeValue(forKey: $0) }
        }
        for relay in removed {
            logger.info("relay removed from the list: \(relay.client.url)")
            relay.cancel()
        }
        for relay in removed {
            await relay.wait()
            var state = relay.client.snapshot
            state.status = "removed"
            retired.withLock { $0.append(state) }
        }
        for url in urls {
            let started: Bool = running.withLock { running in
                guard running[url] == nil else { return false }
                let client = RelayClient(url: url, configuration: configuration, pipeline: pipeline, budget: budget,
                                          initial: persisted[url], logger: logger)
                let backfillClient = backfill.map { BackfillClient(relay: client, backfill: $0) }
                running[url] = Running(client: client, task: Task { await client.run() },
                                       backfill: backfillClient.map { backfillClient in Task { await backfillClient.run() } })
                return true
            }
            if started { logger.info("relay added: \(url)") }
        }
        backfill?.relaysChanged(running.withLock { Array($0.keys) })
        await persist()
    }

    /// Asks `run` to read the relays file again.
    public func reload() { reloadRequests.yield() }

    /// Runs until cancelled: persists states every `persistInterval` seconds, reloads the
    /// file at `path` when it changes or `reload()` is called. On cancellation every relay
    /// stops and the final states are persisted.
    public func run(path: String?) async {
        if let path { await load(path) }
        await withTaskGroup(of: Void.self) { group in
            if let backfill { group.addTask { await backfill.run() } }
            group.addTask { [reloads] in
                for await _ in reloads {
                    guard let path else { continue }
                    await self.load(path)
                }
            }
            group.addTask {
                var fingerprint = path.flatMap(Self.fingerprint)
                while true {
                    do { try await Task.sleep(for: .seconds(self.configuration.persistInterval)) } catch { break }
                    await self.persist()
                    if let path, let now = Self.fingerprint(path), now != fingerprint {
                        fingerprint = now
                        await self.load(path)
                    }
                }
            }
            await withTaskCancellationHandler {
                await group.waitForAll()
            } onCancel: {
                self.reloadRequests.finish()
            }
        }
        await stop()
    }

    /// Stops every relay (each hands over what it read) and persists their states.
    public func stop() async {
        let all = running.withLock { running in
            defer { running.removeAll() }
            return Array(running.values)
        }
        for relay in all { relay.cancel() }
        for relay in all { await relay.wait() }
        retired.withLock { $0 += all.map(\.client.snapshot) }
        await persist()
    }

    private func load(_ path: String) async {
        do {
            let list = try RelayList(contentsOf: path)
            for problem in list.problems { logger.warning("\(path) \(problem)") }
            await apply(list.urls)
        } catch {
            logger.error("relays file \(path): \(error); keeping the current relays")
        }
    }

    private func persist() async {
        let states = snapshot + retired.withLock { retired in
            defer { retired.removeAll() }
            return retired
        }
        do {
            try await self.states.saveRelayStates(states)
        } catch {
            logger.warning("could not save relay states: \(error)")
        }
    }

    /// Size and modification time: enough to notice an edited file.
    static func fingerprint(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return "\(attributes[.size] ?? 0)|\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
    }
}
