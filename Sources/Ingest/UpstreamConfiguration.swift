import Workers

/// How Hearth reads its upstream relays.
public struct UpstreamConfiguration: Sendable {
    /// What a Primal-style cache needs: profiles, notes, contacts, deletions, reposts,
    /// reactions, comments, zaps, mute/relay/bookmark lists, articles.
    public static let defaultKinds: Set<Int> = [0, 1, 3, 5, 6, 7, 16, 1111, 9735, 9802, 10000, 10002, 10003, 30004, 30023, 30311]

    /// Kinds subscribed to (kind 4 only when direct messages are wanted).
    public var kinds = UpstreamConfiguration.defaultKinds
    /// How far back a relay never read before is caught up (seconds).
    public var horizon: Int64 = 2 * 86_400
    /// Catch-up restarts this far before the cursor, for events that reached the relay late.
    public var overlap: Int64 = 600
    /// `limit` of each catch-up page (relays often cap answers at 500 whatever is asked).
    public var pageLimit = 500
    /// Pages of one catch-up at most (a relay that ignores `until` cannot loop forever).
    public var maxPages = 2_000
    /// Seconds to connect, and to answer a catch-up page with EOSE, before the relay is
    /// treated as stalled and dropped.
    public var connectTimeout = 15.0
    public var requestTimeout = 30.0
    /// WebSocket pings while connected; a missing pong closes the connection.
    public var pingInterval = 30.0
    /// Reconnect delay: doubles from `initialBackoff` up to `maxBackoff`, with jitter, and
    /// starts over once a connection stayed up `healthyAfter` seconds.
    public var initialBackoff = 1.0
    public var maxBackoff = 60.0
    public var healthyAfter = 60.0
    /// Events read from one relay but not yet handed to the pipeline; when full, the relay's
    /// socket is not read until the writer catches up.
    public var bufferedEvents = 2_000
    /// Events handed to the pipeline together: up to `batchSize`, or what arrived within
    /// `batchWindow` seconds of the first (a live trickle waits at most that long).
    public var batchSize = 1_000
    public var batchWindow = 0.02
    /// Batches from one relay in the pipeline at once (some verifying while others wait for
    /// the writer, which commits everything waiting in one transaction).
    public var batchesInFlight = 4
    /// Events of all relays together in the pipeline at once. The writer's commits grow with
    /// what waits for it, and larger commits write fewer pages per event (with 1,000 × 4
    /// instead of 500 × 2 per relay: 12.7–13.3k → 13.3–14.6k events/s from three loopback
    /// relays, alternating runs); this bounds the memory that costs, however many relays.
    public var eventsInFlight = 16_000
    /// Largest frame accepted from a relay.
    public var maxFrameBytes = 4 << 20
    /// How often relay states are written to the database (seconds).
    public var persistInterval = 10.0
    /// Backfill: fetch, whatever their age, the profiles, contact lists and relay lists of
    /// the pubkeys stored events name, and the events they point at (see `Backfill`).
    public var backfill = BackfillSettings()
    /// The clock, unix seconds.
    public var now: @Sendable () -> Int64 = unixNow

    public init() {}
}

/// How backfill asks the relays, on a connection of its own per relay.
public struct BackfillSettings: Sendable {
    public var enabled = true
    /// Pubkeys kept in the queue at most (and as many referenced events); past it the least
    /// wanted are forgotten (client requests and most-named pubkeys win).
    public var cap = 500_000
    /// Backfill REQs open at once on one relay, and sent per second to one relay.
    public var requestsInFlight = 2
    public var requestsPerSecond = 2.0
    /// Pubkeys or ids per REQ (relays commonly accept 500 values in a filter).
    public var batchSize = 500
    /// Seconds before a target that no relay had (every relay that answers backfill is asked
    /// in a round) is asked again, doubling each round, at most 30 days.
    public var retry: Int64 = 86_400
    /// Pages of one batch at most, when a relay answers full pages.
    public var maxPages = 10
    /// Backfilled events handed to the pipeline together, and in the pipeline at once (all
    /// relays): live events never wait behind more (measured, 20,000 members beside a live
    /// stream: whole pages of 1,500 made live notes wait p99 0.9 s).
    public var submitChunk = 100
    public var eventsInFlight = 400
    /// Seconds without work before a relay's backfill connection is closed.
    public var idleClose = 30.0
    /// Seconds between queue upkeep rounds (retries coming due, the cap).
    public var maintenanceInterval = 30.0

    public init() {}
}
