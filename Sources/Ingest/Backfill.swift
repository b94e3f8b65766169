import Logging
import Nostr
import Store
import Synchronization
import Workers

/// Backfill: fetches what answers need whatever its age — the profiles, contact lists and
/// relay lists of the pubkeys stored events name, and the events they point at (thread
/// roots and parents, quotes, repost and zap targets).
///
/// The queue lives in the store (`BackfillStore`), which the writer keeps filled from the
/// events it stores; clients' requests for what is missing go first (`want`). Each relay has
/// a `BackfillClient` with a connection of its own, a few REQs in flight and a rate limit, so
/// live ingestion never waits for it. Everything fetched enters through the pipeline like any
/// other event; what was found is read back from the store, never taken from a relay's word.
public final class Backfill: BackfillRequests, Sendable {
    let store: any BackfillStore
    let pipeline: IngestPipeline
    let settings: BackfillSettings
    let now: @Sendable () -> Int64
    let logger: Logger
    /// Backfilled events in the pipeline at once, for all relays together.
    let budget: EventBudget
    /// Targets being asked at some relay now: no two relays ask the same at once.
    private let leases = Mutex<Set<BackfillTarget>>([])
    /// Client requests already passed on, and when (a popular missing profile is asked for
    /// by every page view; the store hears of it once every few minutes).
    private let recentWants = Mutex<[BackfillTarget: Double]>([:])
    /// Bumped when work may have appeared; idle relays look again at once.
    private let generation = Atomic<Int>(0)
    private let cachedStatus = Mutex(BackfillStatus())
    /// Relays in the list, and whether their backfill connection works: a round asks every
    /// working relay (a relay that cannot be reached does not hold a round open).
    private let relays = Mutex<[String: Bool]>([:])

    static let wantMemory = 300.0
    static let wantMemoryEntries = 20_000

    public init(store: any BackfillStore, pipeline: IngestPipeline, settings: BackfillSettings, now: @escaping @Sendable () -> Int64 = unixNow,
                logger: Logger = Logger(label: "hearth.backfill")) {
        self.store = store
        self.pipeline = pipeline
        self.settings = settings
        self.now = now
        self.logger = logger
        budget = EventBudget(capacity: settings.eventsInFlight)
    }

    /// The last status read (refreshed by `run`).
    public var status: BackfillStatus { cachedStatus.withLock { $0 } }

    // MARK: Client requests

    public func want(_ targets: [BackfillTarget]) {
        let time = monotonicNow()
        let fresh: [BackfillTarget] = recentWants.withLock { recent in
            if recent.count > Self.wantMemoryEntries { recent = recent.filter { time - $0.value < Self.wantMemory } }
            return targets.filter { target in
                guard (recent[target].map { time - $0 >= Self.wantMemory }) ?? true else { return false }
                recent[target] = time
                return true
            }
        }
        guard !fresh.isEmpty else { return }
        Task {
            do {
                try await store.requestBackfill(fresh, now: now())
                wake()
            } catch {
                logger.debug("backfill request not recorded: \(error)")
            }
        }
    }

    // MARK: Work for the relays

    func wake() { generation.add(1, ordering: .relaxed) }
    var currentGeneration: Int { generation.load(ordering: .relaxed) }

    /// The next batch for the relay at `slot`, leased until `finish`; nil when nothing waits.
    func take(slot: Int, events: Bool) async throws -> [BackfillTarget]? {
        let busy = leases.withLock { $0 }
        let waiting = try await store.waitingBackfill(pubkeys: !events, slot: slot, limit: settings.batchSize, excluding: busy)
        let taken: [BackfillTarget] = leases.withLock { leased in waiting.filter { leased.insert($0).inserted } }
        return taken.isEmpty ? nil : taken
    }

    /// The relay list changed.
    func relaysChanged(_ urls: [String]) {
        relays.withLock { relays in
            relays = Dictionary(uniqueKeysWithValues: urls.map { ($0, relays[$0] ?? true) })
        }
    }

    /// A relay's backfill connection came up, or could not be made.
    func relay(_ url: String, working: Bool) {
        let changed = relays.withLock { relays in
            defer { if relays[url] != nil { relays[url] = working } }
            return relays[url] != working
        }
        if changed { logger.info("backfill from \(url) \(working ? "works" : "does not work"): rounds ask \(relaysPerRound) relays") }
    }

    /// Relays a round asks.
    var relaysPerRound: Int { max(1, relays.withLock { $0.values.filter { $0 }.count }) }

    /// A batch was answered (or failed) at `slot`, and what it brought is committed.
    func finish(_ targets: [BackfillTarget], slot: Int) async {
        let perRound = relaysPerRound
        do {
            try await store.recordBackfillAnswer(asked: targets, slot: slot, relaysPerRound: perRound,
                                                 retry: settings.retry, now: now())
        } catch {
            logger.warning("backfill answer not recorded: \(error)")
        }
        release(targets)
    }

    /// Gives targets back without recording an answer (they were not asked).
    func release(_ targets: [BackfillTarget]) {
        leases.withLock { leased in for target in targets { leased.remove(target) } }
        wake()
    }

    // MARK: Upkeep

    /// Runs until cancelled: retries coming due, the cap, the status.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await store.maintainBackfill(cap: settings.cap, relaysPerRound: relaysPerRound, retry: settings.retry, now: now())
                let status = try await store.backfillStatus()
                cachedStatus.withLock { $0 = status }
                wake()
            } catch {
                logger.debug("backfill upkeep: \(error)")
            }
            do { try await Task.sleep(for: .seconds(settings.maintenanceInterval)) } catch { break }
        }
    }
}
