import Nostr
import Store

/// `feed {pubkey, notes, include_replies, kinds, user_pubkey, limit, since, until, offset}`:
/// home and profile timelines as a post bundle with RANGE(created_at).
struct FeedOp: CacheOperation {
    static let name = "feed"
    static let defaultKinds: Set<Int> = [1, 6]

    enum Notes: String {
        case follows, authored, replies, bookmarks
        case mediaThumbnails = "user_media_thumbnails"
    }

    let pubkey: PublicKey
    let notes: Notes
    let includeReplies: Bool
    let kinds: Set<Int>
    let viewer: PublicKey?
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        guard let notes = Notes(rawValue: try params.string("notes", default: "follows")) else { throw CacheError.unsupportedNotes }
        self.notes = notes
        includeReplies = try params.bool("include_replies", default: false)
        kinds = try params.kinds("kinds", default: Self.defaultKinds)
        viewer = try context.viewer(&params)
        page = try params.page(now: context.now)
        guard try params.string("order", default: "desc") == "desc" else { throw CacheError("invalid order (only desc is served)") }
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let posts = try await items(context)
        return try await context.bundle(viewer: viewer).build(posts, orderBy: "created_at")
    }

    private func items(_ context: CacheContext) async throws -> [FeedItem] {
        let store = context.store
        switch notes {
        case .follows:
            let follows = try await context.follows(of: pubkey)
            guard !follows.isEmpty else { return [] }
            return try await store.posts(authors: follows, kinds: kinds, replies: includeReplies ? .included : .excluded, page: page)
        case .authored:
            // Primal: include_replies=true means only the replies.
            return try await store.posts(authors: [pubkey], kinds: kinds, replies: includeReplies ? .only : .excluded, page: page)
        case .replies:
            return try await store.posts(authors: [pubkey], kinds: kinds, replies: .only, page: page)
        case .mediaThumbnails:
            return try await store.mediaPosts(author: pubkey, page: page)
        case .bookmarks:
            return try await bookmarked(context)
        }
    }

    /// The notes of the newest kind 10003, newest first, paged like any feed.
    private func bookmarked(_ context: CacheContext) async throws -> [FeedItem] {
        guard let list = try await context.replaceable(pubkey, kind: 10_003), let event = try? list.parsed() else { return [] }
        var found: [StoredEvent] = try await context.store.events(ids: event.tagValues("e").compactMap(EventID.init(hex:)))
        for address in event.tagValues("a").compactMap(EventAddress.init).prefix(200) {
            if let stored = try await context.addressable(address) { found.append(stored) }
        }
        return found.filter { kinds.contains($0.kind) && $0.createdAt >= page.since && $0.createdAt <= page.until }
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }
            .dropFirst(page.offset).prefix(page.limit)
            .map { FeedItem(id: $0.id, sortValue: $0.createdAt) }
    }
}

/// Explore's "latest" for now: every note, newest first (`all-notes`).
struct LatestNotes {
    let kinds: Set<Int>
    let viewer: PublicKey?
    let page: Page

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let posts = try await context.store.recentPosts(kinds: kinds, replies: .excluded, page: page)
        return try await context.bundle(viewer: viewer).build(posts, orderBy: "created_at")
    }
}

/// `search {query, limit=20 (≤100), since, until, offset, user_pubkey, kind}`: notes
/// matching a full-text query, newest first, as a bundle with RANGE(created_at).
struct SearchNotes: CacheOperation {
    static let name = "search"
    let query: String
    let kinds: Set<Int>
    let viewer: PublicKey?
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        query = try params.string("query", default: "")
        guard query.contains(where: { !$0.isWhitespace }) else { throw CacheError.queryIsEmpty }
        let kind = try params.int("kind")
        kinds = try params.kinds("kinds", default: [kind.map(Int.init) ?? 1])
        guard kinds.isSubset(of: [1, 30023]) else { throw CacheError("search covers kinds 1 and 30023") }
        viewer = try context.viewer(&params)
        page = try params.page(clampTo: 100, now: context.now)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let posts = try await context.store.searchNotes(query, kinds: kinds, page: page)
        return try await context.bundle(viewer: viewer).build(posts, orderBy: "created_at")
    }
}
