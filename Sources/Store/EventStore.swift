import Nostr

/// The storage protocol: everything Hearth asks of a database, backend-neutral.
///
/// One writer commits batches of validated events and reports an outcome per event; reads
/// run concurrently. SQLite (`SQLiteStore`) implements it; PostgreSQL will too. Nothing
/// above this protocol knows which one it talks to.
public protocol EventStore: Sendable {
    /// Writes events through the single writer. Returns after commit, one outcome per event
    /// in input order. Throws only when the batch could not be committed at all.
    func write(_ events: [ValidatedEvent]) async throws -> [WriteOutcome]

    /// NIP-01 query: the union of the filters' results, each filter limited by its own
    /// `limit`, newest first (ties: lowest id first). A filter with `search` is answered by
    /// the full-text index, ranked by relevance and recency.
    func query(_ filters: [Filter]) async throws -> [StoredEvent]

    /// NIP-45: how many distinct events the filters match (limits ignored).
    func count(_ filters: [Filter]) async throws -> Int

    /// Events by id, in no particular order; missing ids are skipped.
    func events(ids: [EventID]) async throws -> [StoredEvent]

    /// Which of these ids are stored (for dropping duplicates before verification).
    func storedIDs(_ ids: [EventID]) async throws -> Set<EventID>

    /// Events in storage order after `cursor` that match `filter` (limit and search
    /// ignored), at most `limit` of them, and the cursor to continue from.
    func scan(_ filter: Filter, after cursor: ScanCursor, limit: Int) async throws -> ([StoredEvent], ScanCursor)

    /// Events committed from now on, in commit order (for live subscriptions and caches).
    func committedEvents() -> AsyncStream<[CommittedEvent]>

    /// Calls `observer` with each committed batch, synchronously, before the writers of
    /// that batch get their outcomes (cache invalidation). The observer must be quick.
    func observeCommits(_ observer: @escaping @Sendable ([CommittedEvent]) -> Void)

    func statistics() async throws -> StoreStatistics

    /// Cheap status for health checks; throws when the database is unusable.
    func status() async throws -> StoreStatus

    /// Finishes queued writes and closes the database.
    func close() async
}
