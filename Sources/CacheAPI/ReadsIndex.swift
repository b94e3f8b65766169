import Nostr
import Store
import Synchronization

/// Every stored long-form article (kind 30023, latest versions), with what reads feeds
/// filter and sort by. Articles are few next to notes, so they are held in memory and
/// re-read when one is committed (or deleted), never per request.
final class ReadsIndex: Sendable {
    struct Article: Sendable {
        let id: EventID
        let address: EventAddress
        /// The `published_at` tag, else created_at.
        let publishedAt: Int64
        /// Of this (the latest) version: what reads feeds sort and page by.
        let createdAt: Int64
        let words: Int
        let topics: Set<String>
    }

    private struct State {
        var articles: [Article]?
        var stale = true
    }

    private let state = Mutex(State())

    /// An article or deletion was committed: re-read on the next request.
    func markStale() { state.withLock { $0.stale = true } }

    func articles(_ store: any CacheStore) async throws -> [Article] {
        if let articles = state.withLock({ $0.stale ? nil : $0.articles }) { return articles }
        state.withLock { $0.stale = false }
        let found = try await store.scanAll(Filter(kinds: [30_023])).compactMap { try? Self.article($0.parsed()) }
        state.withLock { $0.articles = found }
        return found
    }

    static func article(_ event: Event) -> Article? {
        guard let address = event.address else { return nil }
        let published = event.firstTagValue("published_at").flatMap { Int64($0) } ?? event.createdAt
        return Article(id: event.id, address: address, publishedAt: published, createdAt: event.createdAt, words: wordCount(event.content),
                       topics: Set(event.tagValues("t").map { $0.lowercased() }))
    }

    static func wordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let space = scalar.properties.isWhitespace
            if !space && !inWord { count += 1 }
            inWord = !space
        }
        return count
    }
}

extension Synthetic {
    /// LONG_FORM_METADATA: `{event_id, words}`.
    static func longFormMetadata(_ id: EventID, words: Int) -> [UInt8] {
        object(SyntheticKind.longFormMetadata) { w in
            w.object { o in
                o.hex("event_id", id)
                o.int("words", words)
            }
        }
    }
}
