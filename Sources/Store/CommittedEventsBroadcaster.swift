import Synchronization

/// Fans committed batches out to every listener's `AsyncStream`.
///
/// The writer calls `publish` after each commit; listeners (live subscriptions, caches)
/// each get their own stream. A listener that stops iterating is dropped.
public final class CommittedEventsBroadcaster: Sendable {
    private let listeners = Mutex<[Int: AsyncStream<[CommittedEvent]>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)
    private let observers = Mutex<[@Sendable ([CommittedEvent]) -> Void]>([])

    public init() {}

    public func stream() -> AsyncStream<[CommittedEvent]> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<[CommittedEvent]>.makeStream(bufferingPolicy: .unbounded)
        continuation.onTermination = { [weak self] _ in
            _ = self?.listeners.withLock { $0.removeValue(forKey: id) }
        }
        listeners.withLock { $0[id] = continuation }
        return stream
    }

    /// Calls `observer` synchronously on every publish, before `publish` returns (for
    /// cache invalidation, which must not lag behind the commit). It must be quick.
    public func observe(_ observer: @escaping @Sendable ([CommittedEvent]) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// True when anyone listens or observes (a bulk load keeps nothing for nobody).
    public var isObserved: Bool {
        !listeners.withLock { $0.isEmpty } || !observers.withLock { $0.isEmpty }
    }

    public func publish(_ batch: [CommittedEvent]) {
        guard !batch.isEmpty else { return }
        for observer in observers.withLock({ $0 }) { observer(batch) }
        let current = listeners.withLock { Array($0.values) }
        for continuation in current { continuation.yield(batch) }
    }

    public func finish() {
        let current = listeners.withLock { listeners in
            defer { listeners.removeAll() }
            return Array(listeners.values)
        }
        for continuation in current { continuation.finish() }
    }
}
