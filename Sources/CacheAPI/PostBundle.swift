import Nostr
import Store

/// Primal's enriched post bundle (protocol §5), built once for every feed-like op.
///
/// For a list of posts in display order: the posts; the events they reference (reposted,
/// replied to, quoted, mentioned; nested two levels, as REFERENCED_EVENT); the profiles
/// of their authors and of the people they tag or mention; their largest zaps; their
/// stats; what the viewer did to them; media found in them; articles' word counts;
/// follower counts of the profiles; and RANGE last. Deleted posts are absent from the store already; posts by
/// authors the viewer muted are left out.
struct PostBundle {
    let store: any CacheStore
    let models: ReadModelCache
    let viewer: PublicKey?
    /// Zaps shown per post.
    static let topZapCount = 5
    /// Pubkeys tagged in one event whose profiles are included.
    static let taggedProfileLimit = 50

    /// The bundle for `posts`, which are in display order; RANGE carries `orderBy`.
    func build(_ posts: [FeedItem], orderBy: String, range: Bool = true) async throws -> [[UInt8]] {
        var out = BundleOutput()
        let kept = try await add(posts, to: &out)
        if range { out.append(Synthetic.range(kept, orderBy: orderBy)) }
        return out.objects
    }

    /// Adds everything for `posts` to `out` and returns the posts kept, in order.
    func add(_ posts: [FeedItem], to out: inout BundleOutput) async throws -> [FeedItem] {
        let muted = try await mutedPubkeys()
        let stored = try await eventsByID(posts.map(\.id))
        var kept: [FeedItem] = []
        var primary: [Event] = []
        for item in posts {
            guard let event = stored[item.id], !muted.contains(event.0.pubkey) else { continue }
            if event.0.kind == 6 || event.0.kind == 16,
               event.0.tagValues("p").contains(where: { PublicKey(hex: $0).map(muted.contains) ?? false }) { continue }
            kept.append(item)
            primary.append(event.0)
            out.appendEvent(event.1)
        }
        // Referenced events, two levels deep.
        var referenced: [Event] = []
        var level = primary
        for _ in 0..<2 {
            let found = try await references(of: level).filter { !muted.contains($0.0.pubkey) && !out.hasEvent($0.1.id) }
            for (event, json) in found {
                out.appendReferenced(json)
                referenced.append(event)
            }
            level = found.map(\.0)
        }
        let all = primary + referenced
        // Zaps, then every profile needed (authors, tagged, mentioned, zappers).
        let zaps = try await store.topZaps(on: all.map(Self.statsTargets).flatMap { $0 }, limit: Self.topZapCount)
            .filter { !muted.contains($0.sender) }
        let receipts = try await eventsByID(zaps.map(\.receipt))
        var pubkeys: [PublicKey] = []
        for event in all {
            pubkeys.append(event.pubkey)
            pubkeys += event.tags.lazy.filter { $0.count >= 2 && ($0[0] == "p" || $0[0] == "P") }
                .compactMap { PublicKey(hex: $0[1]) }.prefix(Self.taggedProfileLimit)
            if [1, 1111, 30023].contains(event.kind) { pubkeys += ContentReferences(content: event.content).mentionedPubkeys }
        }
        pubkeys += zaps.flatMap { [$0.sender, $0.receiver] }
        let profiles = try await models.profiles(pubkeys, store: store)
        let profileList = profiles.values.sorted { $0.event.pubkey < $1.event.pubkey }
        for profile in profileList { out.appendEvent(profile.event.id, json: profile.json) }
        for zap in zaps {
            guard let receipt = receipts[zap.receipt] else { continue }
            out.appendEvent(receipt.1)
            let zappedID: EventID? = if case .id(let id) = zap.target { id } else { nil }
            out.appendSynthetic("zap:\(zap.receipt.hex)", Synthetic.zapEvent(zap, eventID: zappedID))
        }
        try await addStats(all, to: &out)
        for event in all {
            if let media = Synthetic.media(event.id, Self.media(of: event)) { out.appendSynthetic("media:\(event.id.hex)", media) }
            if event.kind == 30_023 {
                out.appendSynthetic("words:\(event.id.hex)", Synthetic.longFormMetadata(event.id, words: ReadsIndex.wordCount(event.content)))
            }
        }
        for profile in profileList {
            if let media = profile.media { out.appendSynthetic("media:\(profile.event.id.hex)", media) }
        }
        let counts = try await models.userStats(Array(profiles.keys), store: store)
        if !profiles.isEmpty {
            out.append(Synthetic.pubkeyCounts(SyntheticKind.userScores,
                                              Dictionary(uniqueKeysWithValues: profiles.keys.map { ($0, counts[$0]?.followersCount ?? 0) })))
        }
        return kept
    }

    /// Kinds that always carry EVENT_STATS, zeros when nobody reacted: primal-server makes a
    /// zeroed row for each at import (notes, articles, polls, pictures, videos, comments).
    /// Here the zeros are written at answer time, which stores nothing.
    static let postKinds: Set<Int> = [1, 20, 1068, 1111, 6969, 30023, 34235, 34236]

    /// EVENT_STATS of every post and of every other event with counters (articles add
    /// their address's), and EVENT_ACTIONS_COUNT where the viewer acted.
    private func addStats(_ events: [Event], to out: inout BundleOutput) async throws {
        let targets = events.flatMap(Self.statsTargets)
        let stats = try await models.eventStats(targets, store: store)
        var actions: [EventReference: ViewerActions] = [:]
        if let viewer { actions = try await store.viewerActions(viewer, on: targets) }
        for event in events {
            var total = EventStats()
            var acted = ViewerActions()
            var any = false
            for target in Self.statsTargets(event) {
                if let s = stats[target] {
                    any = true
                    total.likes += s.likes; total.replies += s.replies; total.reposts += s.reposts
                    total.zaps += s.zaps; total.satsZapped += s.satsZapped; total.score += s.score; total.score24h += s.score24h
                }
                if let a = actions[target] {
                    acted.liked = acted.liked || a.liked; acted.replied = acted.replied || a.replied
                    acted.reposted = acted.reposted || a.reposted; acted.zapped = acted.zapped || a.zapped
                }
            }
            if any || Self.postKinds.contains(event.kind) {
                out.appendSynthetic("stats:\(event.id.hex)", Synthetic.eventStats(event.id, total))
            }
            if acted.any { out.appendSynthetic("actions:\(event.id.hex)", Synthetic.eventActions(event.id, acted)) }
        }
    }

    /// The keys an event's counters are filed under: its id, and its address when it is
    /// addressable (reactions to an article may name either).
    static func statsTargets(_ event: Event) -> [EventReference] {
        var targets: [EventReference] = [.id(event.id)]
        if event.kindClass == .addressable, let address = event.address { targets.append(.address(address)) }
        return targets
    }

    static func media(of event: Event) -> [MediaReference] {
        switch event.kind {
        case 0:
            let profile = ProfileMetadata(content: event.content)
            return [profile.picture, profile.banner].filter { !$0.isEmpty }.map {
                MediaReference(url: $0, mime: MediaReference.mime(forURL: $0) ?? "image")
            }
        case 1, 20, 30023:
            return MediaReference.media(of: event, content: ContentReferences(content: event.content))
        default:
            return []
        }
    }

    // MARK: Lookups

    /// Events by id, parsed, with their stored JSON.
    func eventsByID(_ ids: [EventID]) async throws -> [EventID: (Event, StoredEvent)] {
        var result: [EventID: (Event, StoredEvent)] = [:]
        for stored in try await store.events(ids: Array(Set(ids))) {
            if let event = try? stored.parsed() { result[stored.id] = (event, stored) }
        }
        models.missing(Set(ids).subtracting(result.keys).map { .event(.id($0)) })
        return result
    }

    /// The events these events point at: `e` and `q` tags, addresses in `a` tags, and
    /// `nostr:` entities in the text.
    private func references(of events: [Event]) async throws -> [(Event, StoredEvent)] {
        var ids: [EventID] = []
        var addresses: [EventAddress] = []
        for event in events {
            for tag in event.tags where tag.count >= 2 {
                switch tag[0] {
                case "e", "q": if let id = EventID(hex: tag[1]) { ids.append(id) } else if let a = EventAddress(tag[1]) { addresses.append(a) }
                case "a": if let address = EventAddress(tag[1]), address.kind >= 30_000 { addresses.append(address) }
                default: break
                }
            }
            if [1, 1111, 30023].contains(event.kind) {
                for reference in ContentReferences(content: event.content).quotedEvents {
                    switch reference {
                    case .id(let id): ids.append(id)
                    case .address(let address): addresses.append(address)
                    }
                }
            }
        }
        var found = Array(try await eventsByID(ids).values)
        if !addresses.isEmpty {
            let filters = Set(addresses).prefix(50).map { address in
                Filter(authors: [address.pubkey], kinds: [address.kind], tags: ["d": [address.identifier]], limit: 1)
            }
            var absent = Set(addresses)
            for stored in try await store.query(Array(filters)) {
                if let event = try? stored.parsed() {
                    found.append((event, stored))
                    if let address = event.address { absent.remove(address) }
                }
            }
            models.missing(absent.map { .event(.address($0)) })
        }
        var seen = Set<EventID>()
        return found.filter { seen.insert($0.0.id).inserted }
            .sorted { $0.0.createdAt != $1.0.createdAt ? $0.0.createdAt > $1.0.createdAt : $0.0.id < $1.0.id }
    }

    /// Whom the viewer muted (their kind 10000 `p` tags).
    func mutedPubkeys() async throws -> Set<PublicKey> {
        guard let viewer else { return [] }
        guard let list = try await store.query([Filter(authors: [viewer], kinds: [10_000], limit: 1)]).first,
              let event = try? list.parsed() else { return [] }
        return Set(event.tagValues("p").compactMap(PublicKey.init(hex:)))
    }
}

/// The objects of a response, each event and each synthetic object once.
struct BundleOutput {
    private(set) var objects: [[UInt8]] = []
    private var events = Set<EventID>()
    private var synthetic = Set<String>()

    func hasEvent(_ id: EventID) -> Bool { events.contains(id) }

    mutating func appendEvent(_ stored: StoredEvent) {
        guard events.insert(stored.id).inserted else { return }
        objects.append(stored.json)
    }

    mutating func appendEvent(_ id: EventID, json: [UInt8]) {
        guard events.insert(id).inserted else { return }
        objects.append(json)
    }

    mutating func appendReferenced(_ stored: StoredEvent) {
        guard events.insert(stored.id).inserted else { return }
        objects.append(Synthetic.referenced(stored))
    }

    mutating func appendSynthetic(_ key: String, _ object: [UInt8]) {
        guard synthetic.insert(key).inserted else { return }
        objects.append(object)
    }

    mutating func append(_ object: [UInt8]) { objects.append(object) }

    mutating func append(contentsOf more: [[UInt8]]) { objects += more }
}
