import Synchronization

/// A limit on events handed to the pipeline but not yet answered by the writer, shared by
/// every relay of a pool: however many relays flood at once (a first catch-up of 20 relays),
/// at most `capacity` events wait for verification and the writer. A relay that must wait
/// stops taking from its own buffer, so its socket stops being read.
///
/// Waiters are served in arrival order, so a fast relay cannot starve a slow one.
final class EventBudget: Sendable {
    private struct Waiter {
        let count: Int
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var inUse = 0
        var waiters: [Waiter] = []
        var highWater = 0

        mutating func take(_ count: Int) {
            inUse += count
            highWater = max(highWater, inUse)
        }
    }

    let capacity: Int
    private let state: Mutex<State>

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        state = Mutex(State())
    }

    /// The most events ever admitted at once (never above `capacity`).
    var highWater: Int { state.withLock { $0.highWater } }
    /// Callers waiting for room.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Waits until `count` events fit (a batch larger than the whole budget waits for all of
    /// it); returns what was taken, to hand back to `release`.
    func acquire(_ count: Int) async -> Int {
        let wanted = min(max(0, count), capacity)
        guard wanted > 0 else { return 0 }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted: Bool = state.withLock { state in
                guard state.waiters.isEmpty, state.inUse + wanted <= capacity else {
                    state.waiters.append(Waiter(count: wanted, continuation: continuation))
                    return false
                }
                state.take(wanted)
                return true
            }
            if admitted { continuation.resume() }
        }
        return wanted
    }

    /// Returns events taken by `acquire`, admitting the waiters that now fit, in order.
    func release(_ count: Int) {
        let admitted: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.inUse -= count
            var admitted: [CheckedContinuation<Void, Never>] = []
            while let first = state.waiters.first, state.inUse + first.count <= capacity {
                state.waiters.removeFirst()
                state.take(first.count)
                admitted.append(first.continuation)
            }
            return admitted
        }
        for continuation in admitted { continuation.resume() }
    }
}
