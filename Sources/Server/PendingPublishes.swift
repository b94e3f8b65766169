import Synchronization

/// A connection's EVENTs still being written. They are written side by side (the writer
/// commits whatever is waiting in one transaction, so a client that sends many at once
/// gets them group-committed), and the connection's next REQ or COUNT waits for them, so a
/// client always reads its own writes.
final class PendingPublishes: Sendable {
    private struct State {
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// EVENTs one connection may have in flight; the next waits for its own turn.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    /// Takes a slot; false when `limit` are running (write this one inline).
    func start() -> Bool {
        state.withLock { state in
            guard state.running < limit else { return false }
            state.running += 1
            return true
        }
    }

    func finished() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once every EVENT started so far is written.
    func drained() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.running == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
