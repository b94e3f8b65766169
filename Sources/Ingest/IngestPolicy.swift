import Nostr

/// What this cache accepts, checked before an event costs a signature verification.
public struct IngestPolicy: Sendable {
    /// Kinds accepted; nil accepts every kind.
    public var allowedKinds: Set<Int>?
    public var blockedPubkeys: Set<PublicKey> = []
    /// Lowercased words; an event whose content contains one is refused.
    public var blockedWords: [String] = []
    /// Largest event JSON accepted, in bytes.
    public var maxEventBytes = 128 * 1024
    /// How far in the future created_at may be, in seconds.
    public var futureTolerance: Int64 = 900

    public init() {}

    /// The reason the event is refused, or nil when it may be stored.
    public func refusal(for event: Event, size: Int, now: Int64) -> String? {
        if size > maxEventBytes { return "event is larger than \(maxEventBytes) bytes" }
        if let allowedKinds, !allowedKinds.contains(event.kind) { return "kind \(event.kind) is not accepted here" }
        if blockedPubkeys.contains(event.pubkey) { return "pubkey is blocked" }
        if event.createdAt > now + futureTolerance {
            return "created_at is more than \(futureTolerance / 60) minutes in the future"
        }
        if !blockedWords.isEmpty {
            let content = event.content.lowercased()
            if blockedWords.contains(where: { content.contains($0) }) { return "content is blocked" }
        }
        return nil
    }
}
