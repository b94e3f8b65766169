import Nostr
import Store

/// `long_form_content_feed {pubkey, notes=follows|authored|zappedbyfollows, topic, curation,
/// minwords=0, limit, since, until, offset, user_pubkey}`: articles, latest version newest
/// first, as a bundle with LONG_FORM_METADATA and RANGE. Without `pubkey`: every article (of
/// a topic, when given).
///
/// primal-server orders by `published_at` and says so in RANGE, but the web app computes the
/// next page's offset only for `created_at`, `score` and `satszapped` (src/utils.ts,
/// `calculateReadsOffset`): with `published_at` its offset counts every article it holds and
/// page 2 skips that many. So the order, since/until and RANGE here are the version's
/// `created_at`, which the web app pages through exactly.
struct LongFormContentFeed: CacheOperation {
    static let name = "long_form_content_feed"
    enum Source: Sendable {
        case everyone
        case authors(follows: PublicKey)
        case author(PublicKey)
        case zappedByFollows(PublicKey)
        case curation(PublicKey, String)
    }

    let source: Source
    let topic: String?
    let minWords: Int
    let viewer: PublicKey?
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let pubkey = try params.pubkey("pubkey")
        let notes = try params.string("notes", default: "follows")
        let curation = try params.string("curation")
        switch (pubkey, notes, curation) {
        case (nil, _, _): source = .everyone
        case (let pubkey?, _, let curation?): source = .curation(pubkey, curation)
        case (let pubkey?, "follows", nil): source = .authors(follows: pubkey)
        case (let pubkey?, "authored", nil): source = .author(pubkey)
        case (let pubkey?, "zappedbyfollows", nil): source = .zappedByFollows(pubkey)
        default: throw CacheError("unknown notes: \(notes) (follows, authored, zappedbyfollows)")
        }
        topic = try params.string("topic").map { $0.lowercased() }
        minWords = Int(max(0, try params.int("minwords", default: 0)))
        viewer = try context.viewer(&params)
        page = try params.page(now: context.now)
    }

    init(source: Source, topic: String?, minWords: Int, viewer: PublicKey?, page: Page) {
        self.source = source
        self.topic = topic
        self.minWords = minWords
        self.viewer = viewer
        self.page = page
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let articles = try await context.service.reads.articles(context.store)
        let wanted = try await filter(context)
        let shown = articles.filter { article in
            article.createdAt >= page.since && article.createdAt <= page.until && article.words >= minWords
                && (topic.map { article.topics.contains($0) } ?? true) && wanted(article)
        }.sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }
            .dropFirst(page.offset).prefix(page.limit)
        var out = BundleOutput()
        let items = shown.map { FeedItem(id: $0.id, sortValue: $0.createdAt) }
        let kept = Set(try await context.bundle(viewer: viewer).add(items, to: &out).map(\.id))
        out.append(Synthetic.range(items.filter { kept.contains($0.id) }, orderBy: "created_at"))
        return out.objects
    }

    /// Which articles the source admits.
    private func filter(_ context: CacheContext) async throws -> @Sendable (ReadsIndex.Article) -> Bool {
        switch source {
        case .everyone:
            return { _ in true }
        case .author(let pubkey):
            return { $0.address.pubkey == pubkey }
        case .authors(let user):
            let follows = Set(try await context.follows(of: user))
            return { follows.contains($0.address.pubkey) }
        case .zappedByFollows(let user):
            let follows = try await context.follows(of: user)
            let zaps = try await context.store.zaps(.involving(follows), order: .createdAt, page: Page(limit: 10_000))
            let targets = Set(zaps.filter { follows.contains($0.sender) }.compactMap(\.target))
            return { targets.contains(.id($0.id)) || targets.contains(.address($0.address)) }
        case .curation(let pubkey, let identifier):
            let list = try await context.addressable(EventAddress(kind: 30_004, pubkey: pubkey, identifier: identifier))
            let listed = Set((try list?.parsed())?.tagValues("a").compactMap(EventAddress.init) ?? [])
            return { listed.contains($0.address) }
        }
    }
}

/// `long_form_content_thread_view {pubkey, kind=30023, identifier, limit, since, until,
/// offset, user_pubkey}`: the article, its parents, and its replies (to any version or to
/// its address), newest first.
struct LongFormContentThreadView: CacheOperation {
    static let name = "long_form_content_thread_view"
    let address: EventAddress
    let viewer: PublicKey?
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let pubkey = try params.requiredPubkey("pubkey")
        let kind = Int(try params.int("kind", default: 30_023))
        guard KindClass(kind: kind) == .addressable else { throw CacheError("kind \(kind) is not addressable") }
        address = EventAddress(kind: kind, pubkey: pubkey, identifier: try params.requiredString("identifier"))
        viewer = try context.viewer(&params)
        page = try params.page(now: context.now)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard let article = try await context.addressable(address) else { return [] }
        // The bundle carries the article's LONG_FORM_METADATA.
        return try await ThreadView(eventID: article.id, viewer: viewer, page: page).run(context)
    }
}

extension SyntheticKind {
    static let articlesStats = 10_000_174
}

/// An author's articles with their counters (an article's id and address both count).
private func articlesWithStats(_ pubkey: PublicKey, _ context: CacheContext) async throws -> [(ReadsIndex.Article, EventStats)] {
    let articles = try await context.service.reads.articles(context.store).filter { $0.address.pubkey == pubkey }
    let stats = try await context.models.eventStats(articles.flatMap { [.id($0.id), .address($0.address)] }, store: context.store)
    return articles.map { article in
        var total = EventStats()
        for target: EventReference in [.id(article.id), .address(article.address)] {
            guard let s = stats[target] else { continue }
            total.likes += s.likes; total.replies += s.replies; total.reposts += s.reposts
            total.zaps += s.zaps; total.satsZapped += s.satsZapped
        }
        return (article, total)
    }
}

/// `articles_stats {pubkey, kind=30023}`: ARTICLES_STATS `{articles, drafts, satszapped}`
/// (drafts: kind 31234 events of the author naming the kind in a `k` tag).
struct ArticlesStats: CacheOperation {
    static let name = "articles_stats"
    let pubkey: PublicKey
    let kind: Int

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        kind = Int(try params.int("kind", default: 30_023))
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let articles = try await articlesWithStats(pubkey, context)
        let drafts = try await context.store.count([Filter(authors: [pubkey], kinds: [31_234], tags: ["k": [String(kind)]])])
        return [Synthetic.object(SyntheticKind.articlesStats) { w in
            w.object { o in
                o.int("articles", kind == 30_023 ? articles.count : 0)
                o.int("drafts", drafts)
                o.int("satszapped", kind == 30_023 ? articles.reduce(0) { $0 + $1.1.satsZapped } : 0)
            }
        }]
    }
}

/// `top_article {pubkey, by=satszapped|interactions}`: the author's article with the most
/// sats (or likes + zaps + replies + reposts), and its EVENT_STATS.
struct TopArticle: CacheOperation {
    static let name = "top_article"
    let pubkey: PublicKey
    let bySats: Bool

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        let by = try params.requiredString("by")
        guard by == "satszapped" || by == "interactions" else { throw CacheError("unknown by: \(by) (satszapped, interactions)") }
        bySats = by == "satszapped"
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        func value(_ stats: EventStats) -> Int64 {
            bySats ? stats.satsZapped : Int64(stats.likes + stats.zaps + stats.replies + stats.reposts)
        }
        let best = try await articlesWithStats(pubkey, context).max { a, b in
            value(a.1) != value(b.1) ? value(a.1) < value(b.1) : a.0.publishedAt < b.0.publishedAt
        }
        guard let (article, stats) = best, let event = try await context.store.events(ids: [article.id]).first else { return [] }
        return [event.json, Synthetic.eventStats(article.id, stats)]
    }
}

/// `drafts {pubkey, kind=30023, since, until, limit=20 (at most 100), offset}`: the author's
/// drafts (kind 31234) of that kind (a `k` tag), newest first, as stored: NIP-37 drafts are
/// encrypted to their author, and only their author's client can read them.
struct Drafts: CacheOperation {
    static let name = "drafts"
    let pubkey: PublicKey
    let kind: Int
    let page: Page

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        // The web app sends the kind as a number; primal-server compares it as text.
        switch params.raw("kind") {
        case nil: kind = 30_023
        case .string(let text)? where Int(text) != nil: kind = Int(text)!
        case let value?:
            guard let number = value.intValue else { throw CacheError("kind must be an integer") }
            kind = Int(number)
        }
        page = try params.page(clampTo: 100, now: context.now)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard page.limit > 0 else { return [] }
        let drafts = try await context.store.query([Filter(authors: [pubkey], kinds: [31_234], tags: ["k": [String(kind)]],
                                                           since: page.since, until: page.until, limit: page.offset + page.limit)])
        return drafts.dropFirst(page.offset).map(\.json)
    }
}
