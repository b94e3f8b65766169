import Nostr
import Store

/// What checking a search's terms needs beyond the events themselves, read once for all
/// candidates: their counters, who zapped them, who of the scope interacted with them, and
/// the score percentiles.
struct SearchFacts: Sendable {
    private var stats: [EventID: EventStats] = [:]
    private var zapped: [PublicKey: Set<EventID>] = [:]
    /// Candidates that people of the scope replied to, reposted or reacted to.
    private(set) var touchedByScope = Set<EventID>()
    /// Score at each percentile asked (`minscore:` / `maxscore:`).
    private var percentiles: [Int: Int64] = [:]
    /// Interactions are looked up this many candidates at a time.
    static let chunk = 500

    init(_ events: [Event], query: SearchQuery, people: ScopePeople, _ context: CacheContext) async throws {
        let terms = query.expression.terms
        let ids = events.map(\.id)
        let needsStats = terms.contains { if case .stat = $0 { true } else if case .scorePercentile = $0 { true } else { false } }
        if needsStats || query.order != .createdAt {
            let found = try await context.models.eventStats(ids.map { .id($0) }, store: context.store)
            for id in ids { stats[id] = found[.id(id)] ?? EventStats() }
        }
        for case .zappedBy(let sender) in terms where zapped[sender] == nil {
            let zaps = try await context.store.zaps(.sent(by: sender), order: .createdAt, page: Page(limit: 10_000))
            zapped[sender] = Set(zaps.compactMap { if case .id(let id)? = $0.target { id } else { nil } })
        }
        if people.needsInteractions {
            for start in stride(from: 0, to: ids.count, by: Self.chunk) {
                let chunk = ids[start..<min(start + Self.chunk, ids.count)].map(\.hex)
                for stored in try await context.store.query([Filter(kinds: [1, 6, 7], tags: ["e": chunk])]) where people.people.contains(stored.pubkey) {
                    guard let event = try? stored.parsed() else { continue }
                    touchedByScope.formUnion(event.tagValues("e").compactMap(EventID.init(hex:)))
                }
            }
        }
        let asked = terms.compactMap { if case .scorePercentile(let p, _) = $0 { p } else { nil } }
        if !asked.isEmpty {
            let snapshot = try await context.service.explore.snapshot(context.store, now: context.now)
            let ascending = snapshot.posts.map(\.score).sorted()
            for p in asked {
                percentiles[p] = ascending.isEmpty ? 0 : ascending[(ascending.count - 1) * p / 100]
            }
        }
    }

    func value(_ stat: SearchStat, _ id: EventID) -> Int64 {
        let s = stats[id] ?? EventStats()
        switch stat {
        case .score: return s.score
        case .likes: return Int64(s.likes)
        case .zaps: return Int64(s.zaps)
        case .replies: return Int64(s.replies)
        case .reposts: return Int64(s.reposts)
        case .satszapped: return s.satsZapped
        case .interactions: return Int64(s.likes + s.replies + s.reposts + s.zaps)
        }
    }

    func matches(_ expression: SearchExpression, _ event: Event) -> Bool {
        matches(expression, event, EventWords(event))
    }

    /// An event's words, split once however many phrases are checked.
    private final class EventWords {
        let event: Event
        lazy var words: [String] = TextMatch.words(SearchText.text(of: event))
        init(_ event: Event) { self.event = event }
    }

    private func matches(_ expression: SearchExpression, _ event: Event, _ words: EventWords) -> Bool {
        switch expression {
        case .all(let terms): return terms.allSatisfy { matches($0, event, words) }
        case .any(let options): return options.contains { matches($0, event, words) }
        case .not(let inner): return !matches(inner, event, words)
        case .term(let term): return matches(term, event, words)
        }
    }

    private func matches(_ term: SearchTerm, _ event: Event, _ text: EventWords) -> Bool {
        switch term {
        case .phrase(let words): return SearchText.contains(text.words, phrase: words)
        case .hashtag(let tag):
            return event.tagValues("t").contains { $0.lowercased() == tag } || ContentReferences(content: event.content).hashtags.contains(tag)
        case .from(let key): return event.pubkey == key
        case .to(let key): return ThreadReferences(event: event).isReply && event.tagValues("p").contains(key.hex)
        case .mention(let key):
            return event.tagValues("p").contains(key.hex) || ContentReferences(content: event.content).mentionedPubkeys.contains(key)
        case .zappedBy(let key): return zapped[key]?.contains(event.id) ?? false
        case .since(let time): return event.createdAt >= time
        case .until(let time): return event.createdAt <= time
        case .repliesToKind(let kind):
            let thread = ThreadReferences(event: event)
            if kind == 1, case .id? = thread.parent { return true }
            return [thread.parent, thread.root].contains { if case .address(let a)? = $0 { a.kind == kind } else { false } }
        case .filter(let filter): return Self.matches(filter, event)
        case .orientation(let vertical):
            // From `imeta` dimensions; media without them match neither.
            return Self.media(event).contains { m in m.width > 0 && m.height > 0 && (vertical ? m.height > m.width : m.width > m.height) }
        case .language(let code): return event.tags.contains { $0.count >= 2 && $0[0] == "l" && $0[1].lowercased() == code }
        case .minWords(let n): return ReadsIndex.wordCount(event.content) >= n
        case .maxWords(let n): return ReadsIndex.wordCount(event.content) <= n
        case .maxChars(let n): return event.content.count <= n
        case .stat(let stat, let atLeast, let n): return atLeast ? value(stat, event.id) >= n : value(stat, event.id) <= n
        case .scorePercentile(let p, let atLeast):
            let threshold = percentiles[p] ?? 0
            return atLeast ? value(.score, event.id) >= threshold : value(.score, event.id) <= threshold
        case .event(let id): return event.id == id
        case .address(let address): return event.address == address
        case .referencesEvent(let id): return event.tagValues("e").contains(id.hex) || event.tagValues("q").contains(id.hex)
        }
    }

    private static func media(_ event: Event) -> [MediaReference] {
        MediaReference.media(of: event, content: ContentReferences(content: event.content))
    }

    private static func matches(_ filter: SearchFilter, _ event: Event) -> Bool {
        switch filter {
        case .image, .video, .audio:
            return media(event).contains { $0.mime.hasPrefix(filter.rawValue) }
        case .link:
            let content = ContentReferences(content: event.content)
            return !MediaReference.links(content: content, media: MediaReference.media(of: event, content: content)).isEmpty
        case .replies:
            return ThreadReferences(event: event).isReply
        }
    }
}

extension SearchExpression {
    /// Every term, at any depth.
    var terms: [SearchTerm] {
        switch self {
        case .all(let list), .any(let list): return list.flatMap(\.terms)
        case .not(let inner): return inner.terms
        case .term(let term): return [term]
        }
    }

    /// This expression without the words the full-text index already required (the index
    /// folds accents; checking them again here would drop what it found).
    var withoutIndexedText: SearchExpression {
        let kept = required.filter { term in
            switch term {
            case .term(.phrase): return false
            case .any(let options): return !options.allSatisfy { if case .term(.phrase) = $0 { true } else { false } }
            default: return true
            }
        }
        return .all(kept)
    }
}
