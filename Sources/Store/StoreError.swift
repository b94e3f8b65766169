/// Why a store operation failed, as a sentence a user or operator can act on.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A query ran past its time budget and was interrupted.
    case timeout(seconds: Double)
    /// Too much work is queued; try again.
    case overloaded
    /// The store is shut down.
    case closed
    /// The store was opened read-only and cannot write.
    case readOnly
    /// The database file was made by a newer Hearth.
    case newerSchema(found: Int, supported: Int)
    /// The database engine reported an error.
    case database(String)
    /// A request the store cannot serve (bad arguments).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .timeout(let seconds): return "query took longer than \(seconds) s and was stopped"
        case .overloaded: return "server is overloaded, try again later"
        case .closed: return "the database is closed"
        case .readOnly: return "the database is open read-only"
        case .newerSchema(let found, let supported):
            return "the database has schema version \(found), but this Hearth supports up to \(supported); upgrade Hearth"
        case .database(let message): return "database error: \(message)"
        case .invalidRequest(let message): return message
        }
    }
}
