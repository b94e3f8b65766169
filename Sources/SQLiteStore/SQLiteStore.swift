import Foundation
import Nostr
import Store
import Workers

/// The SQLite backend of `EventStore`: one file in WAL mode, one writer thread, a pool of
/// read-only connections.
public final class SQLiteStore: EventStore {
    /// How to open the store.
    public struct Configuration: Sendable {
        public var path: String
        /// Read-only connections serving queries.
        public var readers = 4
        /// Open without a writer (fixture files, read-only media). Writes fail.
        public var readOnly = false
        /// Seconds a query may run before it is interrupted.
        public var queryTimeBudget = 2.0
        /// The most events one filter returns, whatever its `limit` says.
        public var maxLimit = 5_000
        /// Events further than this in the future are refused (seconds).
        public var futureTolerance: Int64 = 900
        public var expirationSweepInterval = 60.0
        /// The write-ahead log is copied back into the file (on a thread of its own) once it
        /// holds this many 8 KiB pages.
        public var checkpointFrames: Int32 = 20_000
        /// Bulk loading (`hearth import`): events applied per commit, each write answered
        /// before its commit; 0 (serving) commits every batch before answering it.
        public var bulkCommitEvents = 0
        /// SQLite's page caches and memory map (see `Memory`).
        public var memory = Memory()
        /// Maintain the derived read models (counts, follows, threads, notifications…).
        /// Off only for a plain relay, or to measure their cost.
        public var derivedData = true
        /// The clock, in unix seconds (tests move it).
        public var now: @Sendable () -> Int64 = unixNow

        public init(path: String) { self.path = path }
    }

    /// What SQLite may hold in memory. Page caches are private memory. The memory map is the
    /// file's pages in the OS page cache, shared and evictable, but each connection maps the
    /// file on its own and RSS counts every mapping: with 4 readers a 64 MiB map made a
    /// 100k-event server 377 MB instead of 139 MB, and answered no faster (`make bench`,
    /// scale table). So it is off unless asked for. With 4 readers: 32 + 4 × 16 MiB of cache.
    public struct Memory: Sendable, Equatable {
        public var writerCacheMiB = 32
        public var readerCacheMiB = 16
        public var mmapMiB = 0

        public init() {}
    }

    public let configuration: Configuration
    let writer: Writer?
    let readers: ReaderPool
    private let broadcaster = CommittedEventsBroadcaster()

    /// Opens the database, creating it (and its folder) when missing and migrating it to the
    /// current schema. A file from a newer Hearth is refused with `StoreError.newerSchema`.
    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        var writer: Writer?
        do {
            if configuration.readOnly {
                guard FileManager.default.fileExists(atPath: configuration.path) else {
                    throw StoreError.database("\(configuration.path) does not exist")
                }
            } else {
                let folder = URL(fileURLWithPath: configuration.path).deletingLastPathComponent().path
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                var settings = Writer.Settings()
                settings.futureTolerance = configuration.futureTolerance
                settings.expirationSweepInterval = configuration.expirationSweepInterval
                settings.now = configuration.now
                settings.derivedData = configuration.derivedData
                settings.checkpointFrames = configuration.checkpointFrames
                settings.memory = configuration.memory
                settings.bulkCommitEvents = configuration.bulkCommitEvents
                writer = try Writer(path: configuration.path, settings: settings, broadcaster: broadcaster)
            }
            readers = try ReaderPool(path: configuration.path, count: configuration.readers,
                                     immutable: false, timeBudget: configuration.queryTimeBudget, memory: configuration.memory)
            self.writer = writer
        } catch {
            writer?.close()
            throw error.asStoreError()
        }
    }

    /// Commits what a bulk load applied; throws when any of its commits failed (the events
    /// it answered as written since the last good commit are then not stored).
    public func finishBulkLoad() async throws {
        try await writer?.finishBulkLoad()
    }

    public func close() async {
        writer?.close()
        readers.close()
        broadcaster.finish()
    }

    /// Copies the write-ahead log into the database file and truncates the log. Waits (up
    /// to the busy timeout) for readers still on older snapshots; aborts none of them.
    public func checkpoint() async throws {
        guard let writer else { return }
        try await writer.perform(transaction: false) { db in try db.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// Events waiting for the writer.
    public var writeQueueDepth: Int { writer?.queueDepth ?? 0 }

    // MARK: Writing

    public func write(_ events: [ValidatedEvent]) async throws -> [WriteOutcome] {
        guard let writer else { throw StoreError.readOnly }
        return try await writer.write(events)
    }

    public func committedEvents() -> AsyncStream<[CommittedEvent]> { broadcaster.stream() }

    public func observeCommits(_ observer: @escaping @Sendable ([CommittedEvent]) -> Void) { broadcaster.observe(observer) }

    // MARK: Reading

    public func query(_ filters: [Filter]) async throws -> [StoredEvent] {
        let now = configuration.now()
        let maxLimit = configuration.maxLimit
        return try await readers.read { db in
            var seen = Set<Int64>()
            var listed: [StoredEvent] = []
            var ranked: [StoredEvent] = []
            for filter in filters where !filter.isEmptyByConstruction {
                let limit = min(filter.limit ?? maxLimit, maxLimit)
                guard limit > 0 else { continue }
                if filter.search != nil {
                    for (rowID, event) in try Self.search(filter, limit: limit, now: now, db) where seen.insert(rowID).inserted {
                        ranked.append(event)
                    }
                } else {
                    for (rowID, event) in try Self.select(filter, limit: limit, now: now, db) where seen.insert(rowID).inserted {
                        listed.append(event)
                    }
                }
            }
            return listed.sorted(by: StoredEvent.newestFirst) + ranked
        }
    }

    public func count(_ filters: [Filter]) async throws -> Int {
        let now = configuration.now()
        return try await readers.read { db in
            let active = filters.filter { !$0.isEmptyByConstruction }
            if active.count == 1, active[0].search == nil {
                let planner = FilterPlanner(filter: active[0], now: now)
                if planner.followsPart == nil {
                    let plan = planner.count()
                    return Int(try db.scalar(built: plan.sql, plan.values) ?? 0)
                }
            }
            var rowIDs = Set<Int64>()
            for filter in active {
                if filter.search != nil {
                    for (rowID, _) in try Self.search(filter, limit: SearchPlanner.candidates, now: now, db) { rowIDs.insert(rowID) }
                } else {
                    let planner = FilterPlanner(filter: filter, now: now)
                    for part in [planner, planner.followsPart].compactMap({ $0 }) {
                        let plan = part.rowIDs()
                        try db.run(built: plan.sql, plan.values) { rowIDs.insert($0.int64(0)) }
                    }
                }
            }
            return rowIDs.count
        }
    }

    public func events(ids: [EventID]) async throws -> [StoredEvent] {
        guard !ids.isEmpty else { return [] }
        return try await query([Filter(ids: Set(ids), limit: ids.count)])
    }

    public func storedIDs(_ ids: [EventID]) async throws -> Set<EventID> {
        guard !ids.isEmpty else { return [] }
        return try await readers.read { db in
            var found = Set<EventID>()
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ ids[$0..<min($0 + 500, ids.count)] }) {
                let sql = "SELECT id FROM events WHERE id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))"
                try db.run(built: sql, chunk.map(SQLiteValue.id)) { row in
                    if let id = row.bytes32(0) { found.insert(id) }
                }
            }
            return found
        }
    }

    public func scan(_ filter: Filter, after cursor: ScanCursor, limit: Int) async throws -> ([StoredEvent], ScanCursor) {
        let now = configuration.now()
        return try await readers.read { db in
            var events: [StoredEvent] = []
            var last = cursor.position
            let plan = FilterPlanner(filter: filter, now: now).scan(after: cursor.position, limit: limit)
            try db.run(built: plan.sql, plan.values) { row in
                last = row.int64(0)
                events.append(Self.storedEvent(row))
            }
            return (events, ScanCursor(position: last))
        }
    }

    public func statistics() async throws -> StoreStatistics {
        let path = configuration.path
        return try await readers.read { db in
            var byKind: [Int: Int] = [:]
            try db.run("SELECT kind, count(*) FROM events GROUP BY kind") { byKind[$0.int(0)] = $0.int(1) }
            let authors = Int(try db.scalar("SELECT count(*) FROM (SELECT DISTINCT pubkey FROM events INDEXED BY events_author)") ?? 0)
            // Stored JSON lacks the 256 hex characters and has a 16-byte header instead.
            let jsonBytes = try db.scalar(
                "SELECT total(length(json) + CASE WHEN substr(json, 1, 1) = x'01' THEN 240 ELSE 0 END) FROM events") ?? 0
            let fileBytes = [path, path + "-wal"].reduce(Int64(0)) { total, file in
                total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
            }
            return StoreStatistics(events: byKind.values.reduce(0, +), eventsByKind: byKind, distinctAuthors: authors,
                                   fileBytes: fileBytes, jsonBytes: jsonBytes)
        }
    }

    public func status() async throws -> StoreStatus {
        let path = configuration.path
        let derived = configuration.derivedData
        let events: Int64 = try await readers.read { db in
            // The maintained counter when there is one; else the count (fixture-sized files).
            if derived, let counted = try db.scalar("SELECT value FROM counters WHERE name = 'any'") { return counted }
            return try db.scalar("SELECT count(*) FROM events") ?? 0
        }
        let bytes = [path, path + "-wal"].reduce(Int64(0)) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
        return StoreStatus(events: events, databaseBytes: bytes, pendingWrites: writeQueueDepth)
    }

    // MARK: Helpers

    /// A row of `FilterPlanner.columns` as an event, its JSON reassembled.
    static func storedEvent(_ row: SQLiteStatement) -> StoredEvent {
        let id = row.bytes32(1)!, pubkey = row.bytes32(2)!
        let sig = row.bytes(6).withUnsafeBytes { Signature(bytes: $0) } ?? Signature(r: .zero, s: .zero)
        let json = CompactEventJSON.decode(row.bytes(5), id: id, pubkey: pubkey, sig: sig)
        return StoredEvent(id: id, pubkey: pubkey, createdAt: row.int64(3), kind: row.int(4), json: json)
    }
}

extension SQLiteStore {
    /// `PRAGMA integrity_check`, as a list of problems (empty: the file is sound).
    ///
    /// SQLite 3.40 (Debian 12) wrongly reports "NULL value in T.C" for a NOT NULL column of a
    /// WITHOUT ROWID table whose primary key is not its first columns; each such line is
    /// checked with a query and dropped when no such NULL exists.
    public func integrityCheck() async throws -> [String] {
        try await readers.read { db in
            var lines: [String] = []
            try db.run("PRAGMA integrity_check") { lines.append($0.text(0) ?? "") }
            return try lines.filter { line in
                guard line != "ok" else { return false }
                guard line.hasPrefix("NULL value in "), let dot = line.lastIndex(of: ".") else { return true }
                let table = line.dropFirst("NULL value in ".count)[..<dot], column = line[line.index(after: dot)...]
                guard table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                      column.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return true }
                return try db.scalar(built: "SELECT count(*) FROM \(table) WHERE \(column) IS NULL") != 0
            }
        }
    }
}
