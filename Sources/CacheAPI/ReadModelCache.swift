import Nostr
import Store

/// The result cache: profiles, user stats and event stats, the read models almost every
/// response carries, kept in memory with a TTL and invalidated by each commit.
///
/// Invalidation runs on the writer's commit (`EventStore.observeCommits`), before the
/// writer's callers hear back, so a client that publishes a like and then asks again sees
/// it. What an event can change:
/// - its author's stats and the stats of everyone it tags (followers, zaps received);
/// - the stats of every event it references by tag or by `nostr:` quote;
/// - its author's profile (kind 0).
/// A contact list can unfollow people it no longer names, and a deletion can remove any
/// action; both clear their whole cache rather than miss one.
public final class ReadModelCache: Sendable {
    /// Lookups that hit and missed, per model (for /metrics).
    public typealias Recorder = @Sendable (_ model: String, _ hits: Int, _ misses: Int) -> Void

    private let userStatsCache: ExpiringLRU<PublicKey, UserStats?>
    private let eventStatsCache: ExpiringLRU<EventReference, EventStats?>
    private let profileCache: ExpiringLRU<PublicKey, CachedProfile?>
    private let record: Recorder
    /// Told of every profile or event a lookup did not find, so that backfill fetches it.
    let backfill: (any BackfillRequests)?

    /// `capacity` entries per model, each kept at most `ttl` seconds.
    public init(capacity: Int = 100_000, ttl: Double = 60, backfill: (any BackfillRequests)? = nil,
                record: @escaping Recorder = { _, _, _ in }) {
        userStatsCache = ExpiringLRU(capacity: capacity, ttl: ttl)
        eventStatsCache = ExpiringLRU(capacity: capacity, ttl: ttl)
        profileCache = ExpiringLRU(capacity: capacity, ttl: ttl)
        self.backfill = backfill
        self.record = record
    }

    /// A client asked about these and the store lacks them: fetch them first.
    func missing(_ targets: [BackfillTarget]) {
        if !targets.isEmpty { backfill?.want(targets) }
    }

    // MARK: Lookups

    func userStats(_ pubkeys: [PublicKey], store: some ReadModelStore) async throws -> [PublicKey: UserStats] {
        let found = try await cached(Set(pubkeys), userStatsCache, "user_stats") { missing in
            let loaded = try await store.userStats(Array(missing))
            return Dictionary(uniqueKeysWithValues: missing.map { ($0, loaded[$0]) })
        }
        return found.compactMapValues { $0 }
    }

    func eventStats(_ targets: [EventReference], store: some ReadModelStore) async throws -> [EventReference: EventStats] {
        let found = try await cached(Set(targets), eventStatsCache, "event_stats") { missing in
            let loaded = try await store.eventStats(Array(missing))
            return Dictionary(uniqueKeysWithValues: missing.map { ($0, loaded[$0]) })
        }
        return found.compactMapValues { $0 }
    }

    /// The kind 0 of each pubkey that has one, with its MEDIA_METADATA built once.
    func profiles(_ pubkeys: [PublicKey], store: some EventStore) async throws -> [PublicKey: CachedProfile] {
        let found = try await cached(Set(pubkeys), profileCache, "profiles") { missing in
            var loaded: [PublicKey: CachedProfile?] = Dictionary(uniqueKeysWithValues: missing.map { ($0, nil) })
            let keys = Array(missing)
            for start in stride(from: 0, to: keys.count, by: 500) {
                let chunk = Set(keys[start..<min(start + 500, keys.count)])
                for stored in try await store.query([Filter(authors: chunk, kinds: [0], limit: chunk.count)]) {
                    if let event = try? stored.parsed() { loaded[event.pubkey] = CachedProfile(event: event, json: stored.json) }
                }
            }
            return loaded
        }
        let profiles = found.compactMapValues { $0 }
        missing(Set(pubkeys).subtracting(profiles.keys).map(BackfillTarget.pubkey))
        return profiles
    }

    /// Cached values for `keys`, loading the missing ones with `load` (which returns an
    /// entry for every key it was given) and caching them.
    private func cached<Key: Hashable & Sendable, Value: Sendable>(
        _ keys: Set<Key>, _ cache: ExpiringLRU<Key, Value>, _ model: String,
        load: (Set<Key>) async throws -> [Key: Value]
    ) async throws -> [Key: Value] {
        guard !keys.isEmpty else { return [:] }
        var found = cache.values(keys)
        let missing = keys.subtracting(found.keys)
        record(model, found.count, missing.count)
        guard !missing.isEmpty else { return found }
        let generation = cache.generation
        let loaded = try await load(missing)
        cache.insert(loaded, readAt: generation)
        found.merge(loaded) { cached, _ in cached }
        return found
    }

    // MARK: Invalidation

    /// Forgets what a committed batch may have changed.
    public func invalidate(_ batch: [CommittedEvent]) {
        var pubkeys = Set<PublicKey>()
        var targets = Set<EventReference>()
        var profiles = Set<PublicKey>()
        var clearUsers = false
        var clearAll = false
        for committed in batch where committed.outcome.isStored {
            let event = committed.event
            pubkeys.insert(event.pubkey)
            targets.insert(.id(event.id))
            if let address = event.address { targets.insert(.address(address)) }
            switch event.kind {
            case 0: profiles.insert(event.pubkey)
            case 3: clearUsers = true
            case 5: clearAll = true
            default: break
            }
            for tag in event.tags where tag.count >= 2 {
                switch tag[0] {
                case "p", "P": if let key = PublicKey(hex: tag[1]) { pubkeys.insert(key) }
                case "e", "E", "q":
                    if let id = EventID(hex: tag[1]) { targets.insert(.id(id)) } else if let address = EventAddress(tag[1]) { targets.insert(.address(address)) }
                case "a", "A": if let address = EventAddress(tag[1]) { targets.insert(.address(address)) }
                default: break
                }
            }
            if [1, 1111, 30023].contains(event.kind) {
                let references = ContentReferences(content: event.content)
                targets.formUnion(references.quotedEvents)
                pubkeys.formUnion(references.mentionedPubkeys)
            }
        }
        if clearAll {
            userStatsCache.removeAll()
            eventStatsCache.removeAll()
            profileCache.removeAll()
            return
        }
        if clearUsers { userStatsCache.removeAll() } else if !pubkeys.isEmpty { userStatsCache.invalidate(pubkeys) }
        if !targets.isEmpty { eventStatsCache.invalidate(targets) }
        if !profiles.isEmpty { profileCache.invalidate(profiles) }
    }
}

/// A profile as responses need it: the kind 0, its JSON, and its MEDIA_METADATA object.
struct CachedProfile: Sendable {
    let event: Event
    let json: [UInt8]
    let media: [UInt8]?

    init(event: Event, json: [UInt8]) {
        self.event = event
        self.json = json
        media = Synthetic.media(event.id, PostBundle.media(of: event))
    }
}
