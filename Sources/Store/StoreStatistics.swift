/// Counts for `hearth stats` and the status page.
public struct StoreStatistics: Sendable {
    public var events: Int
    public var eventsByKind: [Int: Int]
    public var distinctAuthors: Int
    /// Bytes on disk (database plus its write-ahead log).
    public var fileBytes: Int64
    /// Bytes of event JSON as received.
    public var jsonBytes: Int64

    public init(events: Int, eventsByKind: [Int: Int], distinctAuthors: Int, fileBytes: Int64, jsonBytes: Int64) {
        self.events = events
        self.eventsByKind = eventsByKind
        self.distinctAuthors = distinctAuthors
        self.fileBytes = fileBytes
        self.jsonBytes = jsonBytes
    }
}

/// Where an export scan stopped; pass it back to continue. Opaque to callers.
public struct ScanCursor: Sendable, Hashable {
    public let position: Int64
    public init(position: Int64) { self.position = position }
    public static let start = ScanCursor(position: 0)
}

/// Cheap facts for /health and /metrics (no table scans).
public struct StoreStatus: Sendable {
    /// Stored events (from a maintained counter, not a count).
    public var events: Int64
    /// Bytes on disk.
    public var databaseBytes: Int64
    /// Events waiting for the writer.
    public var pendingWrites: Int

    public init(events: Int64, databaseBytes: Int64, pendingWrites: Int) {
        self.events = events
        self.databaseBytes = databaseBytes
        self.pendingWrites = pendingWrites
    }
}
