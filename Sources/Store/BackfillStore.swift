import Nostr

/// Something answers need that the store may not hold: a pubkey's profile, contact list and
/// relay list (kinds 0, 3, 10002), or an event that stored events point at.
public enum BackfillTarget: Hashable, Sendable {
    case pubkey(PublicKey)
    case event(EventReference)

    /// The kinds of a pubkey's metadata, as the bits of `BackfillTarget.storedKinds`.
    public static let metadataKinds = [0, 3, 10002]
    /// All three stored.
    public static let allMetadata = 0b111

    /// The bit of one metadata kind; nil for other kinds.
    public static func metadataBit(_ kind: Int) -> Int? {
        metadataKinds.firstIndex(of: kind).map { 1 << $0 }
    }
}

/// How backfill stands (for /metrics, `hearth relays` and the status page).
public struct BackfillStatus: Sendable, Equatable {
    public var knownPubkeys = 0
    public var withProfile = 0
    public var withContactList = 0
    /// Pubkeys and events waiting to be asked for now (not those waiting for a retry).
    public var waitingPubkeys = 0
    public var waitingEvents = 0
    /// Referenced events not found yet (waiting, being asked, or waiting for a retry).
    public var missingEvents = 0

    public init() {}
}

/// The persistent side of backfill: what is wanted, what each relay was asked, and when to
/// ask again. The store keeps `BackfillTarget`s up to date from stored events itself (the
/// writer records authors, follow targets, `p` tags, zap parties and referenced events as it
/// stores events); the backfill loop in Ingest takes work and reports answers here.
///
/// Relays are named by a slot (0..<64) that `backfillSlot(for:)` keeps stable across
/// restarts: a target remembers which slots it was asked at in the current round.
public protocol BackfillStore: Sendable {
    /// Puts targets a client asked about at the front of the queue, due now.
    func requestBackfill(_ targets: [BackfillTarget], now: Int64) async throws

    /// Up to `limit` targets waiting to be asked, of pubkeys or of events, not yet asked at
    /// `slot` this round, most wanted first; `excluding` are being asked elsewhere already.
    func waitingBackfill(pubkeys: Bool, slot: Int, limit: Int, excluding: Set<BackfillTarget>) async throws -> [BackfillTarget]

    /// A relay at `slot` answered a batch, and what it sent is committed (so what was found
    /// is known from what is stored, never from what a relay claims). A target found whole
    /// leaves the queue; one asked at `relaysPerRound` relays waits `retry` seconds, doubling
    /// each fruitless round, up to 30 days.
    func recordBackfillAnswer(asked: [BackfillTarget], slot: Int, relaysPerRound: Int, retry: Int64, now: Int64) async throws

    /// Puts targets whose retry time came back in the queue, ends the round of those asked
    /// at `relaysPerRound` relays already (fewer relays work than when they were asked),
    /// and forgets the least wanted past `cap` per type (pubkeys, events).
    func maintainBackfill(cap: Int, relaysPerRound: Int, retry: Int64, now: Int64) async throws

    /// The stable slot of a relay (assigned on first use).
    func backfillSlot(for url: String) async throws -> Int

    func backfillStatus() async throws -> BackfillStatus
}

/// Where a reader notes what a client asked about and the store lacked, so that backfill
/// fetches it first. Called on the request path: must not wait on anything.
public protocol BackfillRequests: Sendable {
    func want(_ targets: [BackfillTarget])
}
