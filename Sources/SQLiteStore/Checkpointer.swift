import CSQLite
import Synchronization
import Workers

/// Copies the write-ahead log back into the database file on a thread of its own, so the
/// writer never stalls in a checkpoint.
///
/// With SQLite's automatic checkpoint, the commit that pushed the log past its limit copied
/// the whole log (160 MB at our limit) before returning: measured, live events then waited up
/// to 0.9 s behind it. Here the writer's WAL hook only notes the log's size; past
/// `threshold` frames this thread checkpoints (PASSIVE: it never blocks the writer or a
/// reader), again and again while the writer appends, until what is left is small. The
/// writer then copies that tail itself between two transactions (`finishIfReady`), so the
/// log is wholly copied and its next transaction starts it over from the beginning; without
/// that last step a log written to without pause would never restart and would grow forever.
final class Checkpointer: @unchecked Sendable {
    /// Frames in the log that start a background checkpoint, and the tail the writer copies.
    let threshold: Int32
    let tail: Int32
    private let lock = ConditionLock()
    private var requested = false
    private var stopping = false
    private var thread: JoinableThread?
    /// Set by this thread when only the tail is left; taken by the writer.
    private let tailReady = Atomic<Bool>(false)
    private let busy = Atomic<Bool>(false)
    /// Checkpoints run by this thread (for tests and /metrics).
    let completed = Atomic<Int>(0)

    init(path: String, threshold: Int32 = 20_000, tail: Int32 = 1_000) throws {
        self.threshold = threshold
        self.tail = tail
        let connection = try SQLiteConnection(path: path, mode: .readWrite)
        // Reading the header puts this connection in WAL mode; before that a checkpoint on it
        // does nothing (and reports nothing to do).
        try connection.execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL")
        let owned = UncheckedBox(connection)
        thread = spawnThread(name: "hearth-checkpoint") { [self] in self.run(owned.value) }
    }

    /// Frames in the log after the writer's last commit.
    private let logFrames = Atomic<Int32>(0)

    /// From the writer's WAL hook: the log now holds `frames` frames.
    func logGrew(to frames: Int32) {
        logFrames.store(frames, ordering: .relaxed)
        guard frames >= threshold, !busy.load(ordering: .relaxed), !tailReady.load(ordering: .relaxed) else { return }
        busy.store(true, ordering: .relaxed)
        lock.withLock {
            requested = true
            lock.signal()
        }
    }

    /// On the writer, between transactions: copies the tail once the background checkpoint
    /// left only that, so the next transaction restarts the log.
    func finishIfReady(_ writer: SQLiteConnection) {
        guard tailReady.exchange(false, ordering: .relaxed) else { return }
        try? writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy.store(false, ordering: .relaxed)
    }

    /// Stops the thread (the writer's final checkpoint follows).
    func close() {
        let thread = lock.withLock { () -> JoinableThread? in
            stopping = true
            lock.signal()
            defer { self.thread = nil }
            return self.thread
        }
        thread?.join()
    }

    /// Each pass copies what the log held when it began; the writer appends meanwhile, so
    /// passes repeat (each shorter than the last, copying being faster than writing) until
    /// what the last pass missed is within `tail`.
    private func run(_ connection: SQLiteConnection) {
        while let _ = nextRequest() {
            for _ in 0..<20 where !isStopping {
                guard let (log, copied) = Self.checkpoint(connection) else { break }
                if copied < log {
                    // A reader still needs older pages: look again shortly.
                    lock.withLock { _ = lock.wait(seconds: 0.05) }
                    continue
                }
                if logFrames.load(ordering: .relaxed) - log <= tail { break }
            }
            completed.add(1, ordering: .relaxed)
            tailReady.store(true, ordering: .relaxed)
        }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func nextRequest() -> Void? {
        lock.withLock {
            while !requested && !stopping { lock.wait() }
            if stopping { return nil }
            requested = false
            return ()
        }
    }

    /// One PASSIVE checkpoint: the frames the log held, and how many are copied (nil on
    /// error, or when the connection is not in WAL mode).
    private static func checkpoint(_ connection: SQLiteConnection) -> (log: Int32, copied: Int32)? {
        var log: Int32 = 0, copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        guard rc == SQLITE_OK, log >= 0 else { return nil }
        return (log, copied)
    }
}

/// SQLite calls this on the writer's thread after each commit, with the log's size.
let walHook: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = { context, _, _, frames in
    if let context { Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().logGrew(to: frames) }
    return SQLITE_OK
}
