import Nostr

/// An event a user signs to show a request is theirs (`event_from_user`, `settings_event`):
/// a valid id and signature, the expected kind, not more than five minutes in the future,
/// and by the expected key when the op names one. Anything else is refused before any work.
struct UserSignedEvent: Sendable {
    static let futureSlack: Int64 = 300
    let event: Event
    let json: [UInt8]

    var pubkey: PublicKey { event.pubkey }

    init(_ params: inout CacheParams, key: String = "event_from_user", kind: Int = 30_078, now: Int64,
         by expected: PublicKey? = nil) throws {
        guard let raw = params.raw(key) else { throw CacheError("missing parameter: \(key)") }
        guard raw.objectValue != nil else { throw CacheError("\(key) must be a signed event object") }
        json = raw.jsonBytes
        do {
            event = try EventParser.parse(json)
        } catch {
            throw CacheError("\(key) is not a valid event: \(error)")
        }
        if let problem = event.validate() { throw CacheError("\(key) is refused: \(problem)") }
        guard event.kind == kind else { throw CacheError("\(key) must be kind \(kind), not \(event.kind)") }
        guard event.createdAt <= now + Self.futureSlack else {
            throw CacheError("\(key) is refused: created_at is more than 5 minutes in the future")
        }
        if let expected, event.pubkey != expected {
            throw CacheError("\(key) is refused: it is signed by another key than the request names")
        }
    }
}
