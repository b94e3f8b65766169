import Nostr
import Store

extension SyntheticKind {
    static let recommendedReads = 10_000_145
    static let readsTopics = 10_000_146
    static let featuredAuthors = 10_000_148
    static let highlightGroups = 10_000_151
}

/// The reads sidebar: primal-server serves hand-made lists (recommended-reads,
/// reads-topics, featured-authors files); Hearth computes them from this community's own
/// articles of the last 30 days, best first: most sats zapped, then most interactions.
enum FeaturedArticles {
    static let window: Int64 = 30 * 86_400

    static func ranked(_ context: CacheContext) async throws -> [(article: ReadsIndex.Article, stats: EventStats)] {
        let recent = try await context.service.reads.articles(context.store).filter { $0.publishedAt >= context.now - window }
        let stats = try await context.models.eventStats(recent.flatMap { [.id($0.id), .address($0.address)] }, store: context.store)
        let rated = recent.map { article in
            var total = EventStats()
            for target: EventReference in [.id(article.id), .address(article.address)] {
                guard let s = stats[target] else { continue }
                total.likes += s.likes; total.replies += s.replies; total.reposts += s.reposts
                total.zaps += s.zaps; total.satsZapped += s.satsZapped
            }
            return (article: article, stats: total)
        }
        func interactions(_ s: EventStats) -> Int { s.likes + s.replies + s.reposts + s.zaps }
        return rated.filter { $0.stats.satsZapped > 0 || interactions($0.stats) > 0 }.sorted { a, b in
            if a.stats.satsZapped != b.stats.satsZapped { return a.stats.satsZapped > b.stats.satsZapped }
            if interactions(a.stats) != interactions(b.stats) { return interactions(a.stats) > interactions(b.stats) }
            return a.article.createdAt != b.article.createdAt ? a.article.createdAt > b.article.createdAt : a.article.id > b.article.id
        }
    }
}

/// `get_recommended_reads`: RECOMMENDED_READS `{"reads": [[naddr, title], …]}`, the three
/// best articles.
struct GetRecommendedReads: CacheOperation {
    static let name = "get_recommended_reads"
    static let count = 3

    init(_ params: inout CacheParams, _ context: CacheContext) throws {}

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let best = try await FeaturedArticles.ranked(context)
            .filter { $0.article.address.identifier.utf8.count <= 255 }  // an naddr holds at most 255 bytes
            .prefix(Self.count)
        let events = Dictionary(try await context.store.events(ids: best.map(\.article.id)).map { ($0.id, $0) }) { a, _ in a }
        return [Synthetic.object(SyntheticKind.recommendedReads) { w in
            w.object { o in
                o.array("reads") { list in
                    for (article, _) in best {
                        let address = article.address
                        let naddr = NIP19.naddr(identifier: address.identifier, pubkey: address.pubkey, kind: address.kind, relays: []).encoded
                        let title = (try? events[article.id]?.parsed())?.firstTagValue("title") ?? ""
                        list.array { pair in
                            pair.string(naddr)
                            pair.string(title)
                        }
                    }
                }
            }
        }]
    }
}

/// `get_reads_topics`: READS_TOPICS, a JSON array of the hashtags the best articles carry,
/// most used first.
struct GetReadsTopics: CacheOperation {
    static let name = "get_reads_topics"
    static let count = 12

    init(_ params: inout CacheParams, _ context: CacheContext) throws {}

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var uses: [String: Int] = [:]
        for (article, _) in try await FeaturedArticles.ranked(context) {
            for topic in article.topics where !topic.isEmpty { uses[topic, default: 0] += 1 }
        }
        let topics = uses.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(Self.count).map(\.key)
        return [Synthetic.object(SyntheticKind.readsTopics) { w in w.stringArray(Array(topics)) }]
    }
}

/// `get_featured_authors`: FEATURED_AUTHORS, a JSON array of the hex pubkeys of the authors
/// of the best articles (the web app shows one of them at random).
struct GetFeaturedAuthors: CacheOperation {
    static let name = "get_featured_authors"
    static let count = 10

    init(_ params: inout CacheParams, _ context: CacheContext) throws {}

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var seen = Set<PublicKey>()
        let authors = try await FeaturedArticles.ranked(context).map(\.article.address.pubkey)
            .filter { seen.insert($0).inserted }.prefix(Self.count)
        return [Synthetic.object(SyntheticKind.featuredAuthors) { w in w.stringArray(authors.map(\.hex)) }]
    }
}

/// `get_highlights {pubkey, identifier, kind=30023, user_pubkey}` (or `event_id`): the
/// highlights (kind 9802) of an article, their authors' profiles, HIGHLIGHT_GROUPS
/// `{highlighted text: [ids of the notes that quote the highlight]}`, and those notes as a
/// bundle with RANGE (created_at).
struct GetHighlights: CacheOperation {
    static let name = "get_highlights"
    static let limit = 1_000
    let target: EventReference
    let viewer: PublicKey?

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        if let id = try params.eventID("event_id") {
            target = .id(id)
        } else {
            let pubkey = try params.requiredPubkey("pubkey")
            let kind = Int(try params.int("kind", default: 30_023))
            guard KindClass(kind: kind) == .addressable else { throw CacheError("kind \(kind) is not addressable") }
            target = .address(EventAddress(kind: kind, pubkey: pubkey, identifier: try params.requiredString("identifier")))
        }
        viewer = try context.viewer(&params)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let tags: [String: [String]] = switch target {
        case .id(let id): ["e": [id.hex]]
        case .address(let address): ["a": [address.description]]
        }
        let highlights = try await context.store.query([Filter(kinds: [9_802], tags: tags, limit: Self.limit)])
            .compactMap { stored in (try? stored.parsed()).map { (stored, $0) } }
        var out = BundleOutput()
        for (stored, _) in highlights { out.appendEvent(stored) }
        try await context.addUserInfos(highlights.map(\.1.pubkey), to: &out, followerCounts: false)
        // Notes quoting a highlight (`q`), grouped by the highlighted text.
        let text = Dictionary(highlights.map { ($0.1.id, $0.1.content) }) { a, _ in a }
        let comments = highlights.isEmpty ? [] : try await context.store.query([
            Filter(kinds: [1], tags: ["q": highlights.map(\.1.id.hex)], limit: Self.limit),
        ]).compactMap { try? $0.parsed() }
        var groups: [String: [EventID]] = [:]
        for comment in comments {
            for quoted in Set(comment.tagValues("q").compactMap(EventID.init(hex:))) {
                if let content = text[quoted] { groups[content, default: []].append(comment.id) }
            }
        }
        out.append(Synthetic.object(SyntheticKind.highlightGroups) { w in
            w.object { o in
                for (content, ids) in groups.sorted(by: { $0.key < $1.key }) { o.stringArray(content, ids.map(\.hex)) }
            }
        })
        let items = comments.sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }
            .map { FeedItem(id: $0.id, sortValue: $0.createdAt) }
        let kept = try await context.bundle(viewer: viewer).add(items, to: &out)
        out.append(Synthetic.range(kept, orderBy: "created_at"))
        return out.objects
    }
}
