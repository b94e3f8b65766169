#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a pool refused work.
public enum WorkerPoolError: Error, Sendable, CustomStringConvertible {
    /// More work is waiting than the pool accepts; try again later.
    case overloaded
    /// The pool has been shut down.
    case closed

    public var description: String {
        switch self {
        case .overloaded: return "server is overloaded, try again later"
        case .closed: return "server is shutting down"
        }
    }
}

/// A fixed set of threads, each owning a `State` (a read-only database connection, say),
/// that run blocking jobs handed over from async code.
///
/// Blocking work never runs on an event loop or on Swift's cooperative pool: async callers
/// enqueue a job and suspend until a worker thread finishes it. The queue is bounded; past
/// `maxPending` jobs a call fails fast with `.overloaded` instead of growing memory.
public final class WorkerPool<State>: @unchecked Sendable {
    private typealias Job = (inout State) -> Void

    private let lock = ConditionLock()
    /// Waiting jobs from `head` on; a taken job's slot is cleared at once, so what its
    /// closure captured (a batch of events to verify, say) is freed when it finishes, not
    /// when the array is next compacted.
    private var jobs: [Job?] = []
    private var head = 0
    private var closed = false
    private var threads: [pthread_t] = []
    private let maxPending: Int
    public let name: String
    public let count: Int

    /// Starts `count` threads; `makeState` runs once on each thread, first.
    public init(name: String, count: Int, maxPending: Int = 10_000, makeState: @escaping @Sendable (Int) -> State) {
        self.name = name
        self.count = max(1, count)
        self.maxPending = maxPending
        for index in 0..<self.count {
            let box = ThreadStart { [self] in self.workerLoop(state: makeState(index)) }
            threads.append(ThreadStart.spawn(name: "\(name)-\(index)", box))
        }
    }

    /// Runs `body` on a worker thread with that thread's state and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable (inout State) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let accepted: WorkerPoolError? = lock.withLock {
                if closed { return .closed }
                if jobs.count - head >= maxPending { return .overloaded }
                jobs.append { state in continuation.resume(with: Result { try body(&state) }) }
                lock.signal()
                return nil
            }
            if let accepted { continuation.resume(throwing: accepted) }
        }
    }

    /// Jobs waiting for a thread.
    public var pending: Int { lock.withLock { jobs.count - head } }

    /// Finishes queued jobs, then stops the threads and waits for them.
    public func shutdown() {
        lock.withLock {
            closed = true
            lock.broadcast()
        }
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
    }

    private func workerLoop(state initial: State) {
        var state = initial
        while let job = nextJob() { job(&state) }
    }

    private func nextJob() -> Job? {
        lock.withLock {
            while head == jobs.count && !closed { lock.wait() }
            guard head < jobs.count else { return nil }
            let job = jobs[head].take()
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }
}

/// Starts a named pthread running a closure (Foundation's Thread is not needed for this).
final class ThreadStart {
    let body: () -> Void
    var name = ""

    init(_ body: @escaping () -> Void) { self.body = body }

    /// The name shows in `top -H`, `ps -L` and profilers (Linux keeps 15 bytes of it).
    static func spawn(name: String, _ start: ThreadStart) -> pthread_t {
        start.name = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let context = Unmanaged.passRetained(start).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let start = Unmanaged<ThreadStart>.fromOpaque(context!).takeRetainedValue()
            setCurrentThreadName(start.name)
            start.body()
            return nil
        }, context)
        precondition(result == 0, "pthread_create failed: \(result)")
        return thread
    }
}

/// Names the calling thread (Linux: through /proc, as Glibc's module map leaves out the
/// GNU pthread_setname_np).
func setCurrentThreadName(_ name: String) {
    #if os(Linux)
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    _ = name.withCString { write(fd, $0, strlen($0)) }
    close(fd)
    #else
    _ = pthread_setname_np(name)
    #endif
}

/// Runs `body` on a new dedicated thread and returns a handle to join it.
public func spawnThread(name: String, _ body: @escaping @Sendable () -> Void) -> JoinableThread {
    JoinableThread(thread: ThreadStart.spawn(name: name, ThreadStart(body)))
}

/// A started thread that can be waited for.
public struct JoinableThread: @unchecked Sendable {
    let thread: pthread_t

    public func join() { pthread_join(thread, nil) }
}

/// Lowers the calling thread's scheduling priority (raises its nice value by `steps`):
/// for work that has slack, so that the thread that is the bottleneck gets a core first.
/// Linux only; elsewhere nothing happens.
public func lowerCurrentThreadPriority(by steps: Int32) {
    #if os(Linux)
    // On Linux the nice value belongs to the thread, and `who` 0 is the calling thread.
    let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, current + steps)
    #endif
}
