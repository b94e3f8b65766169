import Synchronization

/// Open live subscriptions by connection and subscription id, at most `limit` per
/// connection (LivePushes, LiveEventWatchers).
final class ConnectionSubscriptions<Entry: Sendable>: Sendable {
    private struct Key: Hashable {
        let client: ObjectIdentifier
        let subscription: String
    }

    private let entries = Mutex<[Key: Entry]>([:])

    /// Adds (or replaces) a subscription; false when the connection already has `limit`.
    func add(_ entry: Entry, client: any CacheClient, subscription: String, limit: Int) -> Bool {
        let key = Key(client: ObjectIdentifier(client), subscription: subscription)
        return entries.withLock { all in
            if all[key] == nil, all.keys.lazy.filter({ $0.client == key.client }).count >= limit { return false }
            all[key] = entry
            return true
        }
    }

    /// Stops one subscription (CLOSE, or the id reused by another request).
    func remove(_ client: any CacheClient, subscription: String) {
        entries.withLock { _ = $0.removeValue(forKey: Key(client: ObjectIdentifier(client), subscription: subscription)) }
    }

    /// Stops every subscription of a connection that closed.
    func removeAll(_ client: any CacheClient) {
        let id = ObjectIdentifier(client)
        entries.withLock { all in all = all.filter { $0.key.client != id } }
    }

    var count: Int { entries.withLock { $0.count } }

    var all: [Entry] { entries.withLock { Array($0.values) } }
}
