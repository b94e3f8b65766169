/// What corpus to generate. The same options always give the same events, byte for byte.
public struct CorpusOptions: Hashable, Sendable {
    /// Number of distinct users (key pairs).
    public var users: Int
    /// Number of top-level kind 1 notes; replies, reactions, reposts, zaps and the rest
    /// scale from it (see `plan`).
    public var notes: Int
    public var seed: UInt64
    /// The newest timestamp in the corpus; events spread over `days` before it.
    public var endTime: Int64
    public var days: Int

    /// 2026-01-01T00:00:00Z: a fixed default, so that output does not depend on the clock.
    public static let defaultEndTime: Int64 = 1_767_225_600

    public init(users: Int = 200, notes: Int = 2_000, seed: UInt64 = 1,
                endTime: Int64 = CorpusOptions.defaultEndTime, days: Int = 7) {
        self.users = max(2, users)
        self.notes = max(1, notes)
        self.seed = seed
        self.endTime = endTime
        self.days = max(1, days)
    }

    /// Options that give roughly `events` events, with one user per 50 events.
    public static func sized(events: Int, seed: UInt64 = 1, endTime: Int64 = defaultEndTime) -> CorpusOptions {
        let users = max(10, events / 50)
        let perUser = 3.45  // setup events per user (profiles, contacts, relay lists, lists, articles)
        let notes = max(10, Int((Double(events) - Double(users) * perUser) / CorpusPlan.eventsPerNote))
        return CorpusOptions(users: users, notes: notes, seed: seed, endTime: endTime)
    }

    public var plan: CorpusPlan { CorpusPlan(options: self) }
}

/// How many events of each sort a corpus holds.
public struct CorpusPlan: Hashable, Sendable {
    public var notes: Int
    public var replies: Int
    public var reactions: Int
    public var reposts: Int
    public var zaps: Int
    public var deletions: Int
    public var directMessages: Int
    public var articles: Int

    /// Timeline events per top-level note (notes, replies, reactions, reposts, zaps, …).
    static let eventsPerNote = 1 + 0.5 + 1.2 + 0.12 + 0.08 + 0.01 + 0.05

    init(options: CorpusOptions) {
        let n = options.notes
        notes = n
        replies = n / 2
        reactions = n * 6 / 5
        reposts = n * 3 / 25
        zaps = n * 2 / 25
        deletions = n / 100
        directMessages = n / 20
        articles = max(1, options.users / 10)
    }

    /// Events in the timeline (each zap counts its receipt only; the request is inside it).
    public var timelineCount: Int {
        notes + replies + reactions + reposts + zaps + deletions + directMessages + articles + articles / 5
    }
}
