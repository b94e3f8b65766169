/// A cache request that cannot be answered, with the message the client gets in the
/// `NOTICE` (Primal's wording where Primal has one).
public struct CacheError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    public static let unknownOp = CacheError("unknown api request")
    public static let limitTooBig = CacheError("limit too big")
    public static let invalidPubkey = CacheError("invalid pubkey")
    public static let invalidEventID = CacheError("invalid event id")
    public static let queryIsEmpty = CacheError("query is empty")
    public static let unsupportedNotes = CacheError("unsupported type of notes")
}
