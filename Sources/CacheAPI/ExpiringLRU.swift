import Synchronization
import Workers

/// A bounded map whose entries expire after `ttl` seconds; when full, the least recently
/// used entry goes. All operations are O(1) under one lock.
///
/// Invalidation races: a value read from the database before an invalidation must not be
/// cached after it. Callers take `generation` before reading and pass it to `insert`, which
/// drops the value when anything was invalidated in between.
final class ExpiringLRU<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Node {
        var key: Key
        var value: Value
        var expires: Double
        var newer = -1
        var older = -1
    }

    private struct State {
        var index: [Key: Int] = [:]
        var nodes: [Node] = []
        var free: [Int] = []
        var newest = -1
        var oldest = -1
        var generation: UInt64 = 0

        mutating func unlink(_ i: Int) {
            let (newer, older) = (nodes[i].newer, nodes[i].older)
            if newer >= 0 { nodes[newer].older = older } else { newest = older }
            if older >= 0 { nodes[older].newer = newer } else { oldest = newer }
            nodes[i].newer = -1
            nodes[i].older = -1
        }

        mutating func pushNewest(_ i: Int) {
            nodes[i].older = newest
            nodes[i].newer = -1
            if newest >= 0 { nodes[newest].newer = i }
            newest = i
            if oldest < 0 { oldest = i }
        }

        mutating func remove(_ key: Key) {
            guard let i = index.removeValue(forKey: key) else { return }
            unlink(i)
            free.append(i)
        }
    }

    let capacity: Int
    let ttl: Double
    private let state = Mutex(State())

    init(capacity: Int, ttl: Double) {
        self.capacity = max(1, capacity)
        self.ttl = ttl
    }

    /// Changes whenever something is invalidated.
    var generation: UInt64 { state.withLock { $0.generation } }

    var count: Int { state.withLock { $0.index.count } }

    /// The live values of `keys` that are cached (a hit refreshes recency, not expiry).
    func values(_ keys: some Sequence<Key>, now: Double = monotonicNow()) -> [Key: Value] {
        state.withLock { state in
            var found: [Key: Value] = [:]
            for key in keys {
                guard let i = state.index[key] else { continue }
                guard state.nodes[i].expires > now else {
                    state.remove(key)
                    continue
                }
                state.unlink(i)
                state.pushNewest(i)
                found[key] = state.nodes[i].value
            }
            return found
        }
    }

    /// Caches values read at `generation`, unless something was invalidated since.
    func insert(_ values: [Key: Value], readAt generation: UInt64, now: Double = monotonicNow()) {
        state.withLock { state in
            guard state.generation == generation else { return }
            for (key, value) in values {
                if let i = state.index[key] {
                    state.nodes[i].value = value
                    state.nodes[i].expires = now + ttl
                    state.unlink(i)
                    state.pushNewest(i)
                    continue
                }
                if state.index.count >= capacity, state.oldest >= 0 { state.remove(state.nodes[state.oldest].key) }
                let node = Node(key: key, value: value, expires: now + ttl)
                let i: Int
                if let reused = state.free.popLast() {
                    state.nodes[reused] = node
                    i = reused
                } else {
                    state.nodes.append(node)
                    i = state.nodes.count - 1
                }
                state.index[key] = i
                state.pushNewest(i)
            }
        }
    }

    func invalidate(_ keys: some Sequence<Key>) {
        state.withLock { state in
            state.generation &+= 1
            for key in keys { state.remove(key) }
        }
    }

    func removeAll() {
        state.withLock { state in
            state.generation &+= 1
            state = State(generation: state.generation)
        }
    }
}
