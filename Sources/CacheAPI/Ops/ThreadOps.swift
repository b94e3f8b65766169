import Nostr
import Store

/// `thread_view {event_id, user_pubkey, limit, since, until, offset, include_parent_posts}`:
/// the direct replies (a bundle with RANGE), then the event and its ancestors (a second
/// bundle with RANGE).
struct ThreadView: CacheOperation {
    static let name = "thread_view"
    let eventID: EventID
    let viewer: PublicKey?
    let page: Page
    let includeParents: Bool
    /// nil: replies of any kind (thread_view); else only these (multi_kind_thread_view).
    let kinds: Set<Int>?
    /// How far up a parent chain is followed.
    static let maxDepth = 100

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        try self.init(&params, context, kinds: nil)
    }

    init(eventID: EventID, viewer: PublicKey?, page: Page) {
        self.eventID = eventID
        self.viewer = viewer
        self.page = page
        includeParents = true
        kinds = nil
    }

    init(_ params: inout CacheParams, _ context: CacheContext, kinds: Set<Int>?) throws {
        eventID = try params.requiredEventID("event_id")
        viewer = try context.viewer(&params)
        page = try params.page(now: context.now)
        includeParents = try params.bool("include_parent_posts", default: true)
        self.kinds = kinds
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let bundle = context.bundle(viewer: viewer)
        guard let root = try await bundle.eventsByID([eventID])[eventID] else { return [] }
        var targets: [EventReference] = [.id(eventID)]
        if let address = root.0.address { targets.append(.address(address)) }
        var replies: [FeedItem] = []
        for target in targets { replies += try await context.store.replies(to: target, kinds: kinds, page: page) }
        if targets.count > 1 {
            replies = Array(Set(replies)).sorted { $0.sortValue != $1.sortValue ? $0.sortValue > $1.sortValue : $0.id > $1.id }
            replies = Array(replies.prefix(page.limit))
        }
        // The chain goes in first: a reply's parent must arrive as a post of the thread,
        // not only as the reply's REFERENCED_EVENT.
        var out = BundleOutput()
        let chain = includeParents ? try await parentChain(root.0, bundle) : [root.0]
        let chainItems = chain.map { FeedItem(id: $0.id, sortValue: $0.createdAt) }
            .sorted { $0.sortValue != $1.sortValue ? $0.sortValue > $1.sortValue : $0.id > $1.id }
        let shown = try await bundle.add(chainItems, to: &out)
        let kept = try await bundle.add(replies, to: &out)
        out.append(Synthetic.range(kept, orderBy: "created_at"))
        out.append(Synthetic.range(shown, orderBy: "created_at"))
        return out.objects
    }

    /// The event and its ancestors through NIP-10 (NIP-22 for comments) parents, newest
    /// first, as far as they are stored.
    private func parentChain(_ event: Event, _ bundle: PostBundle) async throws -> [Event] {
        var chain = [event]
        var seen: Set<EventID> = [event.id]
        var current = event
        while chain.count < Self.maxDepth, let parent = ThreadReferences(event: current).parent {
            let next: Event?
            switch parent {
            case .id(let id): next = try await bundle.eventsByID([id])[id]?.0
            case .address(let address): next = try await (bundle.store.query([Filter(
                authors: [address.pubkey], kinds: [address.kind], tags: ["d": [address.identifier]], limit: 1)]).first?.parsed())
            }
            guard let next else {
                bundle.models.missing([.event(parent)])
                break
            }
            guard seen.insert(next.id).inserted else { break }
            chain.append(next)
            current = next
        }
        return chain
    }
}

/// `multi_kind_thread_view {…, kinds=[1]}`: thread_view with replies of these kinds.
struct MultiKindThreadView: CacheOperation {
    static let name = "multi_kind_thread_view"
    let view: ThreadView

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let kinds = try params.kinds("kinds", default: [1])
        view = try ThreadView(&params, context, kinds: kinds)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await view.run(context) }
}
