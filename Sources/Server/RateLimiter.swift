/// A token bucket: `rate` messages a second sustained, up to `burst` at once.
///
/// A client that goes on sending past it is flooding, not bursting: each refusal is a
/// strike, strikes fade at twice the rate, and past `burst` strikes the connection is
/// closed. A client that waits for its answers and so sends at up to about three times the
/// rate keeps its connection; a flood of any speed does not.
struct RateLimiter {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var strikes = 0.0
    private var updated: Double
    private var disconnected = false

    enum Verdict: Equatable {
        case allowed
        case refused
        /// Refused, and the client keeps on: close the connection.
        case disconnect
        /// After `disconnect`: the connection is closing, nothing more is read.
        case ignored
    }

    init(rate: Double, burst: Double, now: Double) {
        self.rate = rate
        self.burst = burst
        tokens = burst
        updated = now
    }

    /// Takes a token when there is one.
    mutating func take(now: Double) -> Verdict {
        guard !disconnected else { return .ignored }
        let elapsed = now - updated
        updated = now
        tokens = min(burst, tokens + elapsed * rate)
        strikes = max(0, strikes - elapsed * 2 * rate)
        guard tokens >= 1 else {
            strikes += 1
            disconnected = strikes > burst
            return disconnected ? .disconnect : .refused
        }
        tokens -= 1
        return .allowed
    }
}
