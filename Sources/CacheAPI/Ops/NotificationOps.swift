import Nostr
import Store

/// `get_notifications {pubkey, user_pubkey, limit (clamped to 50), since, until, offset,
/// type_group}`: NOTIFICATION rows newest first, USER_PROFILE {pubkey, followers_count} of
/// each actor, their profiles, and the bundle of every post the rows name.
struct GetNotifications: CacheOperation {
    static let name = "get_notifications"
    /// The web app's tabs (WA `lib/notifications.ts`).
    static let typeGroups: [String: Set<Int>?] = [
        "all": nil, "zaps": [3], "replies": [6, 601], "mentions": [7, 8], "reposts": [5],
    ]
    let pubkey: PublicKey
    let viewer: PublicKey?
    let types: Set<Int>?
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        viewer = try context.viewer(&params)
        let group = try params.string("type_group", default: "all")
        guard let types = Self.typeGroups[group] else {
            throw CacheError("unknown type_group: \(group) (all, zaps, replies, mentions, reposts)")
        }
        self.types = types
        page = try params.page(clampTo: 50, now: context.now)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let entries = try await context.store.notifications(for: pubkey, types: types, until: page.until,
                                                            limit: page.limit, offset: page.offset)
            .filter { $0.createdAt >= page.since }
        var out = BundleOutput()
        var posts: [FeedItem] = []
        var seenPosts = Set<EventID>()
        func post(_ id: EventID?, _ at: Int64) {
            if let id, seenPosts.insert(id).inserted { posts.append(FeedItem(id: id, sortValue: at)) }
        }
        for entry in entries {
            let yourPost = try await postID(entry.target, context)
            out.append(Synthetic.notification(entry, yourPost: yourPost))
            switch entry.type {
            case 3, 4, 5: post(yourPost, entry.createdAt)
            case 6, 8: post(yourPost, entry.createdAt); post(entry.cause, entry.createdAt)
            case 7: post(entry.cause, entry.createdAt)
            default: break
            }
        }
        var actors: [PublicKey] = []
        var seenActors = Set<PublicKey>()
        for entry in entries where seenActors.insert(entry.actor).inserted { actors.append(entry.actor) }
        let stats = try await context.models.userStats(actors, store: context.store)
        for actor in actors { out.append(Synthetic.followerCount(actor, stats[actor]?.followersCount ?? 0)) }
        try await context.addUserInfos(actors, to: &out, followerCounts: false)
        let kept = try await context.bundle(viewer: viewer ?? pubkey).add(posts, to: &out)
        out.append(Synthetic.range(kept, orderBy: "created_at"))
        return out.objects
    }

    /// The id a notification names for the post concerned (an article's current version).
    private func postID(_ target: EventReference?, _ context: CacheContext) async throws -> EventID? {
        switch target {
        case .id(let id): return id
        case .address(let address): return try await context.addressable(address)?.id
        case nil: return nil
        }
    }
}

/// `get_notifications_seen {pubkey}`: NOTIFICATIONS_SEEN_UNTIL (0 when never set).
struct GetNotificationsSeen: CacheOperation {
    static let name = "get_notifications_seen"
    let pubkey: PublicKey

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [Synthetic.notificationsSeenUntil(try await context.store.notificationsSeen(pubkey) ?? 0)]
    }
}

/// `set_notifications_seen {event_from_user}`: a kind 30078 signed by the user; its
/// created_at becomes the user's "seen until" and the unseen counts restart from it.
struct SetNotificationsSeen: CacheOperation {
    static let name = "set_notifications_seen"
    let proof: UserSignedEvent

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        proof = try UserSignedEvent(&params, now: context.now)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard context.service.pipeline != nil else { throw CacheError("this server is read-only; it stores nothing") }
        try await context.store.setNotificationsSeen(proof.pubkey, until: proof.event.createdAt)
        context.service.pushes.invalidateNotificationCounts(proof.pubkey)
        return []
    }
}
