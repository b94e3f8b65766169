import Nostr
import Store

/// `get_directmsg_contacts {user_pubkey, relation=any|follows|other, limit≤300, since, until,
/// offset}`: the user's conversations, latest first (since/until bound latest_at):
/// DIRECTMSG_COUNTS, each conversation's latest kind 4, the peers' profiles, RANGE over the
/// latest messages. Hearth counts kind 4 events; it never decrypts them.
struct GetDirectMessageContacts: CacheOperation {
    static let name = "get_directmsg_contacts"
    let user: PublicKey
    let relation: String
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        user = try params.requiredPubkey("user_pubkey")
        context.connection.remember(user: user)
        relation = try params.string("relation", default: "any")
        guard ["any", "follows", "other"].contains(relation) else { throw CacheError("unknown relation: \(relation) (any, follows, other)") }
        page = try params.page(defaultLimit: 300, clampTo: 300, now: context.now)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var contacts = try await context.store.directMessageContacts(of: user)
        if relation != "any" {
            let follows = Set(try await context.follows(of: user))
            contacts = contacts.filter { follows.contains($0.peer) == (relation == "follows") }
        }
        let shown = Array(contacts.filter { $0.latestAt >= page.since && $0.latestAt <= page.until }.dropFirst(page.offset).prefix(page.limit))
        var out = BundleOutput()
        out.append(Synthetic.directMessageCounts(shown))
        for event in try await context.store.events(ids: shown.map(\.latestEvent)) { out.appendEvent(event) }
        try await context.addUserInfos(shown.map(\.peer), to: &out, followerCounts: false)
        out.append(Synthetic.range(shown.map { FeedItem(id: $0.latestEvent, sortValue: $0.latestAt) }, orderBy: "latest_at"))
        return out.objects
    }
}

/// `get_directmsgs {receiver, sender, limit=20, since, until, offset}`: the kind 4 events
/// between two people, both ways, newest first, with both profiles and RANGE.
struct GetDirectMessages: CacheOperation {
    static let name = "get_directmsgs"
    let receiver: PublicKey
    let sender: PublicKey
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        receiver = try params.requiredPubkey("receiver")
        sender = try params.requiredPubkey("sender")
        page = try params.page(now: context.now)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard page.limit > 0 else { return [Synthetic.range([], orderBy: "created_at")] }
        let window = page.offset + page.limit
        let filters = [(sender, receiver), (receiver, sender)].map { from, to in
            Filter(authors: [from], kinds: [4], tags: ["p": [to.hex]], since: page.since, until: page.until, limit: window)
        }
        let messages = Array(try await context.store.query(filters)
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }
            .dropFirst(page.offset).prefix(page.limit))
        var out = BundleOutput()
        for message in messages { out.appendEvent(message) }
        try await context.addUserInfos([receiver, sender], to: &out, followerCounts: false)
        out.append(Synthetic.range(messages.map { FeedItem(id: $0.id, sortValue: $0.createdAt) }, orderBy: "created_at"))
        return out.objects
    }
}

/// `reset_directmsg_count {event_from_user, sender}`: marks the messages from `sender` read;
/// `reset_directmsg_counts {event_from_user}`: all of them. The user is whoever signed the
/// kind 30078. Nothing is answered but EOSE.
struct ResetDirectMessageCount: CacheOperation {
    static let name = "reset_directmsg_count"
    let proof: UserSignedEvent
    let sender: PublicKey?

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        proof = try UserSignedEvent(&params, now: context.now)
        sender = try params.requiredPubkey("sender")
    }

    init(allFrom params: inout CacheParams, _ context: CacheContext) throws {
        proof = try UserSignedEvent(&params, now: context.now)
        sender = nil
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard context.service.pipeline != nil else { throw CacheError("this server is read-only; it stores nothing") }
        try await context.store.markDirectMessagesRead(of: proof.pubkey, from: sender)
        return []
    }
}

struct ResetDirectMessageCounts: CacheOperation {
    static let name = "reset_directmsg_counts"
    let reset: ResetDirectMessageCount

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        reset = try ResetDirectMessageCount(allFrom: &params, context)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await reset.run(context) }
}
