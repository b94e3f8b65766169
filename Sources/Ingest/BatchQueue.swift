import Synchronization
import Workers

/// A bounded hand-off between a socket reader and the task that submits to the pipeline.
///
/// The reader appends; once `capacity` items wait, `append` suspends until the consumer
/// takes them, so the reader stops reading its socket (back-pressure to the relay) instead
/// of buffering without end. The consumer takes everything waiting at once, so batches
/// grow by themselves while the writer is busy (the same idea as the writer's group commit).
final class BatchQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var finished = false
        var consumer: CheckedContinuation<[Element]?, Never>?
        var producers: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds an item; suspends while the queue is full. Returns how many items waited
    /// right after it was added (for the high-water mark).
    @discardableResult
    func append(_ item: Element) async -> Int {
        let (full, depth): (Bool, Int) = state.withLock { state in
            state.items.append(item)
            if let consumer = state.consumer {
                state.consumer = nil
                let items = state.items
                state.items = []
                consumer.resume(returning: items)
            }
            return (state.items.count >= capacity, state.items.count)
        }
        guard full else { return depth }
        await withCheckedContinuation { continuation in
            let resumeNow: Bool = state.withLock { state in
                guard state.items.count >= capacity, !state.finished else { return true }
                state.producers.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return depth
    }

    /// Everything waiting (at least one item), or nil once finished and drained.
    func take() async -> [Element]? {
        await withCheckedContinuation { continuation in
            let (ready, waking): ([Element]??, [CheckedContinuation<Void, Never>]) = state.withLock { state in
                if !state.items.isEmpty {
                    let (items, waking) = Self.takeAll(&state)
                    return (.some(items), waking)
                }
                if state.finished { return (.some(nil), []) }
                state.consumer = continuation
                return (nil, [])
            }
            for producer in waking { producer.resume() }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Everything waiting once at least `minimum` items are (or `window` seconds passed
    /// since the first one arrived, or the queue finished); nil once finished and drained.
    /// Fewer, larger batches cost the pipeline and the writer less per event.
    func take(minimum: Int, window: Double) async -> [Element]? {
        guard var items = await take() else { return nil }
        let deadline = monotonicNow() + window
        while items.count < minimum, monotonicNow() < deadline, !isFinished {
            try? await Task.sleep(for: .milliseconds(2))
            items += drain()
        }
        return items + drain()
    }

    private var isFinished: Bool { state.withLock { $0.finished } }

    /// Whatever waits right now, without suspending.
    private func drain() -> [Element] {
        let (items, waking) = state.withLock { Self.takeAll(&$0) }
        for producer in waking { producer.resume() }
        return items
    }

    /// Empties the queue: its items, and the producers waiting for room (to be resumed
    /// outside the lock).
    private static func takeAll(_ state: inout State) -> ([Element], [CheckedContinuation<Void, Never>]) {
        defer {
            state.items = []
            state.producers = []
        }
        return (state.items, state.producers)
    }

    /// No more items: the consumer gets what is left, then nil; waiting producers resume.
    func finish() {
        let (consumer, producers): (CheckedContinuation<[Element]?, Never>?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
            state.finished = true
            let consumer = state.consumer
            state.consumer = nil
            let producers = state.producers
            state.producers = []
            return (consumer, producers)
        }
        consumer?.resume(returning: nil)
        for producer in producers { producer.resume() }
    }
}
