/// Paging backwards through what a relay stored while Hearth was away.
///
/// Relays cap answers (often at 500), so one REQ for `since…until` may not hold it all:
/// each page asks `until` = the oldest created_at of the previous page (inclusive, so ties
/// at that second are not skipped; their repeats are dropped as copies), until a page brings
/// nothing older or reaches `since`. `until` strictly falls from page to page, so a relay
/// that ignores the filter cannot keep Hearth paging forever.
struct CatchUp: Sendable {
    let since: Int64
    private(set) var until: Int64
    private(set) var pages = 1
    private var oldest: Int64?
    private var count = 0
    let maxPages: Int

    init(since: Int64, until: Int64, maxPages: Int) {
        self.since = since
        self.until = until
        self.maxPages = maxPages
    }

    /// An event of the current page arrived.
    mutating func saw(createdAt: Int64) {
        count += 1
        oldest = min(oldest ?? createdAt, createdAt)
    }

    /// The page ended (EOSE): the `until` of the next page, or nil when caught up.
    mutating func nextPage() -> Int64? {
        defer {
            oldest = nil
            count = 0
        }
        guard count > 0, let oldest, oldest > since, pages < maxPages else { return nil }
        // A page entirely within one second: step past that second (NIP-01 cannot page
        // inside it).
        until = oldest < until ? oldest : until - 1
        guard until >= since else { return nil }
        pages += 1
        return until
    }
}

/// Reconnect delays: exponential with full jitter, capped.
struct Backoff: Sendable {
    let initial: Double
    let maximum: Double
    private var attempt = 0

    init(initial: Double, maximum: Double) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The next delay: a random point in the upper half of `initial · 2^attempt` (capped),
    /// so many relays failing together do not retry in step.
    mutating func next() -> Double {
        let ceiling = min(maximum, initial * Double(1 << min(attempt, 20)))
        attempt += 1
        return Double.random(in: (ceiling / 2)...ceiling)
    }

    mutating func reset() { attempt = 0 }
}
