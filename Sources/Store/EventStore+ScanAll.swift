import Nostr

extension EventStore {
    /// Every stored event matching `filter`, read page by page in storage order. For sets
    /// known to be small (articles, test stores); stream with `scan` otherwise.
    public func scanAll(_ filter: Filter, pageSize: Int = 1_000) async throws -> [StoredEvent] {
        var events: [StoredEvent] = []
        var cursor = ScanCursor.start
        while true {
            let (page, next) = try await scan(filter, after: cursor, limit: pageSize)
            if page.isEmpty { return events }
            events += page
            cursor = next
        }
    }
}
