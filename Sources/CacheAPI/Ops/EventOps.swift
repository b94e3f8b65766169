import Ingest
import Nostr
import Store

/// `events {event_ids, extended_response=false, user_pubkey}`: the events, oldest first;
/// extended, as a post bundle with RANGE. Without ids: the newest events of the window
/// (`since`, `until`, `limit`, `offset`), oldest first.
struct Events: CacheOperation {
    static let name = "events"
    static let maxIDs = 1_000
    let ids: [EventID]?
    let extended: Bool
    let viewer: PublicKey?
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let ids = try params.eventIDs("event_ids")
        guard (ids?.count ?? 0) <= Self.maxIDs else { throw CacheError("too many event ids (at most \(Self.maxIDs))") }
        self.ids = ids?.isEmpty == true ? nil : ids
        extended = try params.bool("extended_response", default: false)
        viewer = try context.viewer(&params)
        page = try params.page(now: context.now)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let found: [StoredEvent]
        if let ids {
            found = try await context.store.events(ids: ids)
            context.models.missing(Set(ids).subtracting(found.map(\.id)).map { .event(.id($0)) })
        } else {
            found = Array(try await context.store.query([Filter(since: page.since, until: page.until, limit: page.limit + page.offset)])
                .dropFirst(page.offset))
        }
        let ascending = found.sorted { $0.createdAt != $1.createdAt ? $0.createdAt < $1.createdAt : $0.id < $1.id }
        guard extended else { return ascending.map(\.json) }
        var out = BundleOutput()
        // A zap receipt's sender is named only inside it: send the sender's profile along.
        let senders = ascending.filter { $0.kind == 9735 }.compactMap { try? $0.parsed() }
            .compactMap { ZapReceipt(event: $0)?.sender }
        try await context.addUserInfos(senders, to: &out, followerCounts: false)
        let items = ascending.reversed().map { FeedItem(id: $0.id, sortValue: $0.createdAt) }
        let kept = try await context.bundle(viewer: viewer).add(items, to: &out)
        out.append(Synthetic.range(kept, orderBy: "created_at"))
        return out.objects
    }
}

/// A post named by `event_id`, or an article by `pubkey` + `identifier` (kind 30023).
struct PostTarget: Sendable {
    let references: [EventReference]
    let primary: EventReference

    init(_ params: inout CacheParams) throws {
        let id = try params.eventID("event_id")
        let pubkey = try params.pubkey("pubkey")
        let identifier = try params.string("identifier")
        if let id {
            primary = .id(id)
            references = [primary]
        } else if let pubkey, let identifier {
            primary = .address(EventAddress(kind: 30_023, pubkey: pubkey, identifier: identifier))
            references = [primary]
        } else {
            throw CacheError("missing parameter: event_id (or pubkey and identifier)")
        }
    }

    /// The references with the current version's id added for an article (reactions may
    /// name either).
    func resolved(_ context: CacheContext) async throws -> [EventReference] {
        guard case .address(let address) = primary, let current = try await context.addressable(address) else { return references }
        return references + [.id(current.id)]
    }

    /// NIP-01 tag filter values for `#e` and `#a`.
    static func tagFilters(_ references: [EventReference], kinds: Set<Int>, limit: Int) -> [Filter] {
        references.map { reference in
            switch reference {
            case .id(let id): Filter(kinds: kinds, tags: ["e": [id.hex]], limit: limit)
            case .address(let address): Filter(kinds: kinds, tags: ["a": [address.description]], limit: limit)
            }
        }
    }
}

/// `event_actions {event_id | pubkey+identifier, kind, limit=100, offset}`: the events of
/// `kind` (reactions, reposts, zap receipts…) that point at a post, newest first, with
/// their authors' user_infos.
struct EventActions: CacheOperation {
    static let name = "event_actions"
    let target: PostTarget
    let kind: Int
    let limit: Int
    let offset: Int

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        target = try PostTarget(&params)
        kind = try params.requiredKind("kind")
        let limit = try params.int("limit", default: 100)
        guard limit <= 1_000 else { throw CacheError.limitTooBig }
        self.limit = Int(max(0, limit))
        offset = Int(max(0, min(100_000, try params.int("offset", default: 0))))
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard limit > 0 else { return [] }
        let references = try await target.resolved(context)
        let filters = PostTarget.tagFilters(references, kinds: [kind], limit: offset + limit)
        let found = Array(try await context.store.query(filters).dropFirst(offset).prefix(limit))
        var out = BundleOutput()
        for event in found { out.appendEvent(event) }
        // The actor of a zap is the zap request's author, not the receipt's signer.
        let actors = found.map { stored in
            stored.kind == 9735 ? ((try? stored.parsed()).flatMap { ZapReceipt(event: $0)?.sender } ?? stored.pubkey) : stored.pubkey
        }
        try await context.addUserInfos(actors, to: &out)
        return out.objects
    }
}

/// `note_mentions {event_id | pubkey+identifier, limit=100, offset, user_pubkey}`: notes
/// that quote the post, as a bundle with RANGE.
struct NoteMentions: CacheOperation {
    static let name = "note_mentions"
    let target: PostTarget
    let viewer: PublicKey?
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        target = try PostTarget(&params)
        viewer = try context.viewer(&params)
        page = try params.page(defaultLimit: 100, now: context.now)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var posts: [FeedItem] = []
        for reference in try await target.resolved(context) { posts += try await context.store.quotes(of: reference, page: page) }
        posts = Array(Set(posts)).sorted { $0.sortValue != $1.sortValue ? $0.sortValue > $1.sortValue : $0.id > $1.id }
        return try await context.bundle(viewer: viewer).build(Array(posts.prefix(page.limit)), orderBy: "created_at")
    }
}

/// `note_mentions_count {event_id}`: how many notes quote it (NOTE_MENTIONS_COUNT).
struct NoteMentionsCount: CacheOperation {
    static let name = "note_mentions_count"
    let eventID: EventID

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        eventID = try params.requiredEventID("event_id")
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [Synthetic.noteMentionsCount(eventID, try await context.store.quoteCount(of: .id(eventID)))]
    }
}

/// `import_events {events}`: signed events written through the one ingest door, so the
/// cache has them at once; EVENT_IMPORT_STATUS says how many it holds now and how many
/// were refused.
struct ImportEvents: CacheOperation {
    static let name = "import_events"
    static let maxEvents = 500
    let events: [[UInt8]]

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let raw = params.raw("events")
        guard raw == nil || raw?.arrayValue != nil else { throw CacheError("events must be an array of events") }
        let items = raw?.arrayValue ?? []
        guard items.count <= Self.maxEvents else { throw CacheError("too many events (at most \(Self.maxEvents))") }
        _ = try params.bool("replicated", default: false)
        events = items.map(\.jsonBytes)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard !events.isEmpty else { return [Synthetic.importStatus(imported: 0, errors: 0)] }
        guard let pipeline = context.service.pipeline else { throw CacheError("this server is read-only; it imports nothing") }
        let outcomes = await pipeline.submit(json: events, from: .cacheImport)
        let imported = outcomes.filter(Self.holds).count
        return [Synthetic.importStatus(imported: imported, errors: outcomes.count - imported)]
    }

    /// Whether the cache holds (or delivered) the event after this outcome.
    static func holds(_ outcome: IngestOutcome) -> Bool {
        switch outcome {
        case .written(let written): return written.isStored || written == .duplicate || written == .ephemeral
        case .seen: return true
        case .invalid, .blocked: return false
        }
    }
}

/// `find_reposts {pubkey, event_id}`: the user's own reposts (kind 6 and 16) of a post.
struct FindReposts: CacheOperation {
    static let name = "find_reposts"
    let pubkey: PublicKey
    let eventID: EventID

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        eventID = try params.requiredEventID("event_id")
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        try await context.store.query([Filter(authors: [pubkey], kinds: [6, 16], tags: ["e": [eventID.hex]], limit: 100)]).map(\.json)
    }
}
