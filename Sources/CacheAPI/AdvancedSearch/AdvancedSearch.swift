import Nostr
import Store

/// Runs a `SearchQuery`: candidates from the store (the full-text index when the query has
/// words every result needs, else the newest events of the kinds), then every term checked
/// on each candidate, then sorted and paged (protocol §5) and sent as a bundle with RANGE.
///
/// Candidates are the newest `candidateLimit` events that can match, so a search ordered by
/// a count (`orderby:likes`) ranks within those; time-ordered searches page exactly, as
/// each page asks again below the last one's `until`.
struct AdvancedSearch: Sendable {
    static let candidateLimit = 5_000
    /// Candidates read first for a time-ordered page.
    static let firstLook = 500
    /// Authors the store is asked for by name at most.
    static let maxListedAuthors = 1_000
    /// Notes and polls (primal-server's default).
    static let defaultKinds: Set<Int> = [1, 1068, 6969]
    /// Follows whose own follows make up "my network" (the most followed first).
    static let networkFollows = 1_000

    let query: SearchQuery
    let viewer: PublicKey?
    let page: Page

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var ignored = query.ignored
        defer {
            if !ignored.isEmpty {
                let shown = ignored.prefix(20).joined(separator: " ") + (ignored.count > 20 ? " …" : "")
                context.remark("search terms ignored: " + shown)
            }
        }
        if query.kind == 0 { return try await people(context) }
        let kinds = query.kind.map { [$0] } ?? Self.defaultKinds
        var scope = query.scope
        if scope != nil && viewer == nil || scope == .mynotifications {
            ignored.append("scope:" + (scope?.rawValue ?? ""))
            scope = nil
        }
        let people = try await ScopePeople(scope, viewer: viewer, context)
        // Newest first, a page needs only the newest few hundred candidates when the terms
        // are common; the whole window is read when they are not (or for a count order).
        let wanted = page.offset + page.limit
        var limit = query.order == .createdAt ? min(Self.candidateLimit, max(Self.firstLook, 10 * wanted)) : Self.candidateLimit
        var matched: [(Event, Int64)] = []
        while true {
            let (events, indexed) = try await candidates(kinds: kinds, people: people, limit: limit, context)
            matched = try await self.matched(events, indexed: indexed, people: people, context)
            if matched.count >= wanted || events.count < limit || limit >= Self.candidateLimit { break }
            limit = Self.candidateLimit
        }
        let items = matched.dropFirst(page.offset).prefix(page.limit).map { FeedItem(id: $0.0.id, sortValue: $0.1) }
        return try await context.bundle(viewer: viewer).build(Array(items), orderBy: query.order.name)
    }

    /// The candidates every term admits, with their sort values, best first.
    private func matched(_ events: [Event], indexed: Bool, people: ScopePeople, _ context: CacheContext) async throws -> [(Event, Int64)] {
        let facts = try await SearchFacts(events, query: query, people: people, context)
        let expression = indexed ? query.expression.withoutIndexedText : query.expression
        var matched: [(Event, Int64)] = []
        for event in events where people.admits(event, facts: facts) && facts.matches(expression, event) {
            let value: Int64 = switch query.order {
            case .createdAt: event.createdAt
            case .stat(let stat): facts.value(stat, event.id)
            }
            // A count order lists only what has some (primal-server: the field > 0).
            if case .stat = query.order, value <= 0 { continue }
            if value >= page.since && value <= page.until { matched.append((event, value)) }
        }
        return matched.sorted { a, b in
            if a.1 != b.1 { return a.1 > b.1 }
            return a.0.createdAt != b.0.createdAt ? a.0.createdAt > b.0.createdAt : a.0.id > b.0.id
        }
    }

    /// The newest `limit` events that can match, and whether the full-text index chose them
    /// (it does when the query has words every result needs).
    private func candidates(kinds: Set<Int>, people: ScopePeople, limit: Int, _ context: CacheContext) async throws -> ([Event], indexed: Bool) {
        var since: Int64 = 0, until = Int64.max
        if query.order == .createdAt { (since, until) = (page.since, page.until) }
        var groups: [[[String]]] = []
        var authors: Set<PublicKey>? = people.authors
        for term in query.expression.required {
            switch term {
            case .term(.phrase(let words)): groups.append([words])
            case .any(let options):
                let phrases = options.compactMap { if case .term(.phrase(let words)) = $0 { words } else { nil } }
                if phrases.count == options.count { groups.append(phrases) }
                let keys = options.compactMap { if case .term(.from(let key)) = $0 { key } else { nil } }
                if keys.count == options.count { authors = authors.map { $0.intersection(keys) } ?? Set(keys) }
            case .term(.from(let key)): authors = authors.map { $0.intersection([key]) } ?? [key]
            case .term(.since(let time)): since = max(since, time)
            case .term(.until(let time)): until = min(until, time)
            default: break
            }
        }
        let text = TextMatch(groups: groups)
        // A network can hold tens of thousands of pubkeys: past `maxListedAuthors` the store
        // is not asked for them by name, and `ScopePeople.admits` checks each candidate.
        if let listed = authors, listed.count > Self.maxListedAuthors { authors = nil }
        let stored: [StoredEvent]
        if !text.isEmpty {
            // Only notes and articles are indexed: other kinds have no text to match.
            stored = try await context.store.textMatches(text, kinds: kinds.intersection([1, 30_023]), authors: authors,
                                                         since: since, until: until, limit: limit)
        } else {
            stored = try await context.store.query([Filter(authors: authors, kinds: kinds, since: since,
                                                           until: until == Int64.max ? nil : until, limit: limit)])
        }
        return (stored.compactMap { try? $0.parsed() }, !text.isEmpty)
    }

    /// `kind:0 words`: profiles whose names match, most followed first (the web app's
    /// people search), with their user infos and RANGE over the profiles' event ids.
    private func people(_ context: CacheContext) async throws -> [[UInt8]] {
        let words = query.expression.required.compactMap { if case .term(.phrase(let words)) = $0 { words.joined(separator: " ") } else { nil } }
        var among: Set<PublicKey>?
        if query.scope == .myfollows, let viewer { among = Set(try await context.follows(of: viewer)) }
        let found = try await context.store.searchProfiles(words.joined(separator: " "), limit: page.offset + page.limit, among: among)
        let shown = Array(found.dropFirst(page.offset))
        var out = BundleOutput()
        try await context.addUserInfos(shown, to: &out)
        let profiles = try await context.models.profiles(shown, store: context.store)
        let counts = try await context.models.userStats(shown, store: context.store)
        let items = shown.compactMap { key in
            profiles[key].map { FeedItem(id: $0.event.id, sortValue: Int64(counts[key]?.followersCount ?? 0)) }
        }
        out.append(Synthetic.range(items, orderBy: "followers_count"))
        return out.objects
    }
}

extension SearchExpression {
    /// The terms every match needs (the top level of an `all`).
    var required: [SearchExpression] {
        switch self {
        case .all(let terms): return terms
        default: return [self]
        }
    }
}

/// The people a `scope:` names, looked up once per search.
struct ScopePeople: Sendable {
    let scope: SearchScope?
    let viewer: PublicKey?
    /// Authors the candidates are limited to (myfollows, mynetwork).
    var authors: Set<PublicKey>?
    /// Whose posts are left out (notmyfollows), or whose interactions count.
    var people = Set<PublicKey>()

    init(_ scope: SearchScope?, viewer: PublicKey?, _ context: CacheContext) async throws {
        self.scope = scope
        self.viewer = viewer
        guard let scope, let viewer else { return }
        let follows = try await context.follows(of: viewer)
        switch scope {
        case .myfollows:
            authors = Set(follows)
        case .mynetwork, .mynetworkinteractions:
            var network = Set(follows)
            for follow in try await context.mostFollowed(Set(follows)).prefix(AdvancedSearch.networkFollows) {
                network.formUnion(try await context.follows(of: follow))
            }
            if scope == .mynetwork { authors = network } else { people = network }
        case .myfollowsinteractions, .notmyfollows:
            people = Set(follows)
        case .mynotifications:
            break
        }
    }

    /// Whether the scope admits an event.
    func admits(_ event: Event, facts: SearchFacts) -> Bool {
        if let authors, !authors.contains(event.pubkey) { return false }
        switch scope {
        case .notmyfollows?: return !people.contains(event.pubkey) && event.pubkey != viewer
        case .myfollowsinteractions?:
            return people.contains(event.pubkey) || event.pubkey == viewer || facts.touchedByScope.contains(event.id)
        case .mynetworkinteractions?: return facts.touchedByScope.contains(event.id)
        default: return true
        }
    }

    /// Whether events touched by `people` matter.
    var needsInteractions: Bool { scope == .myfollowsinteractions || scope == .mynetworkinteractions }
}
