import CSQLite
import Nostr
import Store
import Workers

/// The one thread that writes. It owns the only read-write connection, drains a queue of
/// jobs, and commits event batches in one `BEGIN IMMEDIATE` transaction each (group commit:
/// everything that arrived while the previous batch was committing, up to `maxBatch`).
/// Callers get outcomes after the commit; listeners get the committed events after that.
final class Writer: @unchecked Sendable {
    struct Settings: Sendable {
        var maxBatch = 1_000
        var backlogFactor = 16
        var derivedData = true
        var futureTolerance: Int64 = 900
        var expirationSweepInterval = 60.0
        /// Log frames (8 KiB pages) that start a background checkpoint.
        var checkpointFrames: Int32 = 20_000
        var memory = SQLiteStore.Memory()
        /// Bulk loading: events applied before one commit (0: every batch commits on its own).
        var bulkCommitEvents = 0
        var now: @Sendable () -> Int64 = unixNow
    }

    private enum Job {
        case events([ValidatedEvent], CheckedContinuation<[WriteOutcome], Error>)
        case task((SQLiteConnection) throws -> Void)
    }

    private let lock = ConditionLock()
    private var queue: [Job] = []
    private var queuedEvents = 0
    private var stopping = false
    private var thread: JoinableThread?
    private let settings: Settings
    private let broadcaster: CommittedEventsBroadcaster
    private let checkpointer: Checkpointer
    private var lastSweep = 0.0
    /// Bulk loading: events applied in the open transaction, what listeners will hear at its
    /// commit, and why a bulk commit failed (reported by `finishBulkLoad`).
    private var bulkOpen = 0
    private var bulkCommitted: [CommittedEvent] = []
    private var bulkFailure: String?

    /// Opens (or creates) the database, migrates it, and starts the writer thread.
    init(path: String, settings: Settings, broadcaster: CommittedEventsBroadcaster) throws {
        self.settings = settings
        self.broadcaster = broadcaster
        let connection = try SQLiteConnection(path: path, mode: .readWrite)
        try connection.execute(Pragmas.writer(settings.memory))
        try Migrator.migrate(connection)
        checkpointer = try Checkpointer(path: path, threshold: settings.checkpointFrames, tail: max(1, settings.checkpointFrames / 20))
        // Replaces SQLite's automatic checkpoint (which would run inside a commit).
        sqlite3_wal_hook(connection.handle, walHook, Unmanaged.passUnretained(checkpointer).toOpaque())
        let owned = UncheckedBox(connection)
        thread = spawnThread(name: "hearth-writer") { [self] in self.run(owned.value) }
    }

    /// Background checkpoints so far.
    var checkpoints: Int { checkpointer.completed.load(ordering: .relaxed) }

    /// Events waiting to be written (for /metrics and back-pressure decisions).
    var queueDepth: Int { lock.withLock { queuedEvents } }

    func write(_ events: [ValidatedEvent]) async throws -> [WriteOutcome] {
        if events.isEmpty { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            let refused = lock.withLock { () -> Bool in
                if stopping { return true }
                queue.append(.events(events, continuation))
                queuedEvents += events.count
                lock.signal()
                return false
            }
            if refused { continuation.resume(throwing: StoreError.closed) }
        }
    }

    /// Runs `body` on the writer thread, in its own transaction unless `transaction` is
    /// false (a checkpoint, say, which cannot run inside one).
    func perform<T: Sendable>(transaction: Bool = true, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let refused = lock.withLock { () -> Bool in
                if stopping { return true }
                queue.append(.task { connection in
                    do {
                        if transaction { try connection.execute("BEGIN IMMEDIATE") }
                        let result = try body(connection)
                        if transaction { try connection.execute("COMMIT") }
                        continuation.resume(returning: result)
                    } catch {
                        if transaction { try? connection.execute("ROLLBACK") }
                        continuation.resume(throwing: error.asStoreError())
                    }
                })
                lock.signal()
                return false
            }
            if refused { continuation.resume(throwing: StoreError.closed) }
        }
    }

    /// Finishes every queued job, checkpoints, closes the connection and stops the thread.
    func close() {
        let thread = lock.withLock { () -> JoinableThread? in
            stopping = true
            lock.signal()
            defer { self.thread = nil }
            return self.thread
        }
        thread?.join()
    }

    // MARK: The thread

    private func run(_ connection: SQLiteConnection) {
        lastSweep = monotonicNow()
        while let jobs = nextJobs() {
            var eventJobs: [([ValidatedEvent], CheckedContinuation<[WriteOutcome], Error>)] = []
            for job in jobs {
                switch job {
                case .events(let events, let continuation): eventJobs.append((events, continuation))
                case .task(let body):
                    commitBulk(connection)
                    try? body(connection)
                }
            }
            if settings.bulkCommitEvents > 0 {
                applyBulk(eventJobs, on: connection)
                // Commit when enough is applied, or when the queue ran dry (an idle tick).
                if bulkOpen >= settings.bulkCommitEvents || jobs.isEmpty { commitBulk(connection) }
                if bulkOpen > 0 { continue }
            } else if !eventJobs.isEmpty {
                commit(eventJobs, on: connection)
            }
            checkpointer.finishIfReady(connection)
            maintain(connection)
        }
        commitBulk(connection)
        checkpointer.close()
        try? connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try? connection.execute("PRAGMA optimize")
    }

    /// Waits for work; returns nil once stopping and drained. Takes whole jobs up to
    /// `maxBatch` events (a larger single job is taken alone); with a backlog, up to
    /// `backlogFactor` times that. Each commit writes every page it touched to the WAL, and
    /// inserts into the random-keyed indexes touch ~2–5 pages per event: measured, 500-event
    /// commits ran at 5.4k events/s and 20,000-event commits at 10.5k/s. Small batches keep
    /// latency low when traffic is light; large ones keep up with a flood.
    private func nextJobs() -> [Job]? {
        lock.withLock {
            while queue.isEmpty && !stopping {
                if !lock.wait(seconds: 1) { return [] }  // idle tick for maintenance
            }
            if queue.isEmpty { return nil }
            let limit = queuedEvents > 2 * settings.maxBatch ? settings.maxBatch * settings.backlogFactor : settings.maxBatch
            var taken: [Job] = []
            var events = 0
            while let job = queue.first {
                if case .events(let batch, _) = job {
                    if events > 0 && events + batch.count > limit { break }
                    events += batch.count
                }
                taken.append(queue.removeFirst())
            }
            queuedEvents -= events
            return taken
        }
    }

    /// An applier for one transaction, with the clock read once.
    private func applier(_ connection: SQLiteConnection) throws -> EventApplier {
        let now = settings.now()
        let cutoff: Int64
        if let stored = try DerivedData.currentScoreCutoff(connection) {
            cutoff = stored
        } else {
            cutoff = now - 86_400
            try DerivedData.setScoreCutoff(connection, cutoff)
        }
        return EventApplier(db: connection, now: now, futureTolerance: settings.futureTolerance,
                            derived: settings.derivedData ? DerivedData(db: connection, scoreCutoff: cutoff) : nil)
    }

    private func commit(_ jobs: [([ValidatedEvent], CheckedContinuation<[WriteOutcome], Error>)], on connection: SQLiteConnection) {
        var outcomes: [[WriteOutcome]] = []
        do {
            try connection.execute("BEGIN IMMEDIATE")
            let applier = try applier(connection)
            for (events, _) in jobs { outcomes.append(try events.map(applier.apply)) }
            try applier.derived?.flush()
            try connection.execute("COMMIT")
        } catch {
            // Something unexpected (a full disk, say): undo the batch, then write each
            // event on its own so one failure cannot take the others down with it.
            try? connection.execute("ROLLBACK")
            outcomes = jobs.map { events, _ in events.map { applyAlone($0, connection) } }
        }
        var committed: [CommittedEvent] = []
        for ((events, _), results) in zip(jobs, outcomes) {
            for (incoming, outcome) in zip(events, results) where outcome.isLive {
                committed.append(CommittedEvent(event: incoming.event, json: incoming.json, outcome: outcome))
            }
        }
        // Observers (caches) learn of the commit before any writer hears back, so a
        // client's next request after its OK never sees a stale cached answer.
        broadcaster.publish(committed)
        for ((_, continuation), results) in zip(jobs, outcomes) { continuation.resume(returning: results) }
    }

    private func applyAlone(_ incoming: ValidatedEvent, _ connection: SQLiteConnection) -> WriteOutcome {
        do {
            try connection.execute("BEGIN IMMEDIATE")
            let applier = try applier(connection)
            let outcome = try applier.apply(incoming)
            try applier.derived?.flush()
            try connection.execute("COMMIT")
            return outcome
        } catch {
            try? connection.execute("ROLLBACK")
            return .failed("could not store the event: \(error)")
        }
    }

    // MARK: Bulk loading

    /// Applies each job in one long transaction and answers it at once; the transaction
    /// commits every `bulkCommitEvents` events (`commitBulk`). A commit writes every page it
    /// touched, and at a million events one event touches several pages of random-keyed
    /// indexes: measured, 100k events into a 1M file wrote 16 GB in 5,000-event commits.
    /// The caller is told "stored" before the commit, so only a load that can simply be run
    /// again (`hearth import`) uses this. (No savepoint per job: SQLite's in-memory
    /// sub-journal made each one cost more the longer the transaction, 6× slower in all.)
    /// A job that fails (a full disk, say) rolls back everything since the last commit:
    /// that loss is kept for `finishBulkLoad`, and the job's events are retried alone.
    private func applyBulk(_ jobs: [([ValidatedEvent], CheckedContinuation<[WriteOutcome], Error>)], on connection: SQLiteConnection) {
        for (events, continuation) in jobs {
            var results: [WriteOutcome]
            do {
                if bulkOpen == 0 { try connection.execute("BEGIN IMMEDIATE") }
                let applier = try applier(connection)
                results = try events.map(applier.apply)
                try applier.derived?.flush()
                bulkOpen += events.count
            } catch {
                abandonBulk(connection, error)
                results = events.map { applyAlone($0, connection) }
            }
            if broadcaster.isObserved {
                for (incoming, outcome) in zip(events, results) where outcome.isLive {
                    bulkCommitted.append(CommittedEvent(event: incoming.event, json: incoming.json, outcome: outcome))
                }
            }
            continuation.resume(returning: results)
        }
    }

    /// Rolls the open bulk transaction back and remembers what was lost.
    private func abandonBulk(_ connection: SQLiteConnection, _ error: Error) {
        try? connection.execute("ROLLBACK")
        if bulkOpen > 0 {
            bulkFailure = bulkFailure ?? "\(bulkOpen) events answered as written were not committed: \(error)"
        }
        bulkOpen = 0
        bulkCommitted = []
    }

    /// Commits the open bulk transaction, if any; a failure is kept for `finishBulkLoad`.
    private func commitBulk(_ connection: SQLiteConnection) {
        guard bulkOpen > 0 else { return }
        do {
            try connection.execute("COMMIT")
        } catch {
            abandonBulk(connection, error)
            return
        }
        bulkOpen = 0
        broadcaster.publish(bulkCommitted)
        bulkCommitted = []
    }

    /// Commits what a bulk load applied; throws when any of its commits failed.
    func finishBulkLoad() async throws {
        let failure = try await perform(transaction: false) { _ in self.bulkFailure }
        if let failure { throw StoreError.database(failure) }
    }

    /// Periodic work between batches: the NIP-40 sweep and the score24h decay.
    private func maintain(_ connection: SQLiteConnection) {
        guard monotonicNow() - lastSweep >= settings.expirationSweepInterval else { return }
        lastSweep = monotonicNow()
        do {
            try connection.execute("BEGIN IMMEDIATE")
            let applier = try applier(connection)
            _ = try applier.sweepExpired()
            try applier.derived?.flush()
            _ = try DerivedData.advanceScoreCutoff(connection, to: applier.now - 86_400)
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
        }
    }
}

/// Moves a non-Sendable value to the one thread that will own it from then on.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
