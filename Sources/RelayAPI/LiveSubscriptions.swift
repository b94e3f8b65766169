import Nostr
import Synchronization

/// Open NIP-01 subscriptions, indexed so that matching a new event costs lookups by its
/// id, author, kind and tag values, not a pass over every subscription.
///
/// Each filter is filed under one key it requires (ids, else a tag value, else an author,
/// else a kind); filters that require none of these are the only ones tried on every event.
/// Candidates are then checked with `Filter.matches`.
public final class LiveSubscriptions<Subscriber: AnyObject & Sendable>: Sendable {
    /// One registered subscription: who gets matches, under which id, with which filters.
    public struct Entry: Sendable {
        public let subscriber: Subscriber
        public let subscription: String
        public let filters: [Filter]
    }

    private enum Key: Hashable {
        case id(EventID)
        case tag(String, TagValue)
        case author(PublicKey)
        case kind(Int)
    }

    private struct EntryID: Hashable {
        let subscriber: ObjectIdentifier
        let subscription: String
    }

    private struct State {
        var entries: [EntryID: Entry] = [:]
        var index: [Key: Set<EntryID>] = [:]
        var unindexed: Set<EntryID> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Registers (or replaces) a subscription.
    public func add(_ subscriber: Subscriber, subscription: String, filters: [Filter]) {
        let entryID = EntryID(subscriber: ObjectIdentifier(subscriber), subscription: subscription)
        state.withLock { state in
            Self.remove(entryID, from: &state)
            state.entries[entryID] = Entry(subscriber: subscriber, subscription: subscription, filters: filters)
            for filter in filters {
                let keys = Self.keys(for: filter)
                if keys.isEmpty {
                    state.unindexed.insert(entryID)
                } else {
                    for key in keys { state.index[key, default: []].insert(entryID) }
                }
            }
        }
    }

    public func remove(_ subscriber: Subscriber, subscription: String) {
        let entryID = EntryID(subscriber: ObjectIdentifier(subscriber), subscription: subscription)
        state.withLock { Self.remove(entryID, from: &$0) }
    }

    /// Removes every subscription of a subscriber (its connection closed).
    public func removeAll(of subscriber: Subscriber) {
        let owner = ObjectIdentifier(subscriber)
        state.withLock { state in
            for entryID in state.entries.keys where entryID.subscriber == owner { Self.remove(entryID, from: &state) }
        }
    }

    public var count: Int { state.withLock { $0.entries.count } }

    /// The subscriptions an event matches.
    public func matches(_ event: Event) -> [Entry] {
        state.withLock { state in
            var candidates = state.unindexed
            func look(_ key: Key) { if let ids = state.index[key] { candidates.formUnion(ids) } }
            look(.id(event.id))
            look(.author(event.pubkey))
            look(.kind(event.kind))
            for tag in event.tags where tag.count >= 2 && tag[0].utf8.count == 1 { look(.tag(tag[0], TagValue(tag[1]))) }
            return candidates.compactMap { entryID in
                guard let entry = state.entries[entryID], entry.filters.contains(where: { $0.matches(event) }) else { return nil }
                return entry
            }
        }
    }

    /// The keys a filter is filed under: every value of its most selective required field.
    private static func keys(for filter: Filter) -> [Key] {
        if let ids = filter.ids { return ids.map(Key.id) }
        if let (name, values) = filter.tags.min(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) }) {
            return values.map { Key.tag(name, $0) }
        }
        if let authors = filter.authors { return authors.map(Key.author) }
        if let kinds = filter.kinds { return kinds.map(Key.kind) }
        return []
    }

    private static func remove(_ entryID: EntryID, from state: inout State) {
        guard let entry = state.entries.removeValue(forKey: entryID) else { return }
        state.unindexed.remove(entryID)
        for filter in entry.filters {
            for key in keys(for: filter) {
                state.index[key]?.remove(entryID)
                if state.index[key]?.isEmpty == true { state.index[key] = nil }
            }
        }
    }
}
