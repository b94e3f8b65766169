import Nostr
import Store

/// The zap bundle every zap list answers with (PS `response_messages_for_zaps`): per zap the
/// receipt, the zapped post and ZAP_EVENT; then the senders' and receivers' profiles with
/// USER_SCORES; RANGE last, over receipt ids, by `created_at` or `amount_sats`.
struct ZapList {
    let selection: ZapSelection
    let order: ZapOrder
    let page: Page

    /// Amount bounds default to everything (Primal's `until` of 10^11 sats).
    static let maxAmount: Int64 = 100_000_000_000

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let zaps = try await context.store.zaps(selection, order: order, page: page)
        var out = BundleOutput()
        let ids = zaps.map(\.receipt) + zaps.compactMap { zap -> EventID? in if case .id(let id) = zap.target { id } else { nil } }
        let events = Dictionary(try await context.store.events(ids: ids).map { ($0.id, $0) }) { a, _ in a }
        for zap in zaps {
            if let receipt = events[zap.receipt] { out.appendEvent(receipt) }
            var zapped: StoredEvent?
            switch zap.target {
            case .id(let id): zapped = events[id]
            case .address(let address): zapped = try await context.addressable(address)
            case nil: break
            }
            if let zapped { out.appendEvent(zapped) }
            out.appendSynthetic("zap:\(zap.receipt.hex)", Synthetic.zapEvent(zap, eventID: zapped?.id))
        }
        try await context.addUserInfos(zaps.flatMap { [$0.sender, $0.receiver] }, to: &out, followerCounts: false)
        let items = zaps.map { FeedItem(id: $0.receipt, sortValue: order == .amount ? $0.amountSats : $0.createdAt) }
        out.append(Synthetic.range(items, orderBy: order == .amount ? "amount_sats" : "created_at"))
        return out.objects
    }
}

/// `event_zaps_by_satszapped {event_id | pubkey+identifier[+kind], limit=20, offset, since,
/// until, user_pubkey}`: a post's zaps, largest first; since/until bound the amount.
struct EventZapsBySatsZapped: CacheOperation {
    static let name = "event_zaps_by_satszapped"
    let target: PostTarget
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        target = try PostTarget(&params)
        if let kind = try params.int("kind"), kind != 30_023, case .address = target.primary {
            throw CacheError("only articles (kind 30023) are addressed by pubkey and identifier here")
        }
        _ = try context.viewer(&params)
        page = try params.page(now: ZapList.maxAmount)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        try await ZapList(selection: .targets(try await target.resolved(context)), order: .amount, page: page).run(context)
    }
}

/// `user_zaps {sender | receiver, limit (clamped to 50), since, until, offset}`: zaps a user
/// sent or received, newest first.
struct UserZaps: CacheOperation {
    static let name = "user_zaps"
    let list: ZapList

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let sender = try params.pubkey("sender"), receiver = try params.pubkey("receiver")
        let selection: ZapSelection
        if let sender { selection = .sent(by: sender) } else if let receiver { selection = .received(by: receiver) } else {
            throw CacheError("either sender or receiver must be given")
        }
        list = ZapList(selection: selection, order: .createdAt, page: try params.page(clampTo: 50, now: context.now))
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await list.run(context) }
}

/// `user_zaps_sent {sender, limit, since, until, offset}`: newest first.
struct UserZapsSent: CacheOperation {
    static let name = "user_zaps_sent"
    let list: ZapList

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        list = ZapList(selection: .sent(by: try params.requiredPubkey("sender")), order: .createdAt, page: try params.page(now: context.now))
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await list.run(context) }
}

/// `user_zaps_by_satszapped {receiver, limit, since, until, offset}`: largest first;
/// since/until bound the amount.
struct UserZapsBySatsZapped: CacheOperation {
    static let name = "user_zaps_by_satszapped"
    let list: ZapList

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        list = ZapList(selection: .received(by: try params.requiredPubkey("receiver")), order: .amount,
                       page: try params.page(now: ZapList.maxAmount))
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await list.run(context) }
}

/// `zaps_feed {pubkeys, limit (clamped to 50), since, until, offset}`: zaps sent or received
/// by any of them, newest first.
struct ZapsFeed: CacheOperation {
    static let name = "zaps_feed"
    static let maxPubkeys = 1_000
    let list: ZapList

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        guard let pubkeys = try params.pubkeys("pubkeys") else { throw CacheError("missing parameter: pubkeys") }
        guard pubkeys.count <= Self.maxPubkeys else { throw CacheError("too many pubkeys (at most \(Self.maxPubkeys))") }
        list = ZapList(selection: .involving(pubkeys), order: .createdAt, page: try params.page(clampTo: 50, now: context.now))
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await list.run(context) }
}
