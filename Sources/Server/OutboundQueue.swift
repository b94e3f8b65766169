import Synchronization

/// A connection's outbound frames, bounded in bytes. Producers (query answers, live events,
/// pushes) never wait on a slow client: `enqueue` returns at once, and once more than
/// `capacity` bytes are waiting the queue refuses everything and reports overflow, so the
/// connection is dropped instead of growing memory. Every queue also draws on the server's
/// `OutboundBudget`: when all connections together would pass it, the one furthest behind
/// is dropped to make room (`makeRoom`).
final class OutboundQueue: Sendable {
    enum Frame: Sendable {
        case text([UInt8])
        case binary([UInt8])
        /// `prefix + json + "]"`: an event, whose JSON is shared with every other
        /// subscriber it goes to (framed only when written).
        case event(prefix: [UInt8], json: [UInt8])
        /// Close the WebSocket after what was queued before (a goodbye after a NOTICE).
        case close(reason: String)

        /// Bytes on the wire.
        var count: Int {
            switch self {
            case .text(let bytes), .binary(let bytes): return bytes.count
            case .event(let prefix, let json): return prefix.count + json.count + 1
            case .close: return 0
            }
        }
    }

    private struct State {
        var waitingBytes = 0
        /// Set by the enqueue that found the queue full, until it reports the overflow.
        var overflowing = false
        var overflowed = false
        /// Dropped: its bytes went back to the budget; what the writer still sends is not counted.
        var released = false
    }

    private let state = Mutex(State())
    private let continuation: AsyncStream<Frame>.Continuation
    let frames: AsyncStream<Frame>
    let capacity: Int
    private let budget: OutboundBudget
    private let onOverflow: @Sendable () -> Void

    init(capacity: Int, budget: OutboundBudget, onOverflow: @escaping @Sendable () -> Void) {
        self.capacity = capacity
        self.budget = budget
        self.onOverflow = onOverflow
        (frames, continuation) = AsyncStream<Frame>.makeStream(bufferingPolicy: .unbounded)
    }

    /// Queues a frame; false when the queue has overflowed or finished.
    @discardableResult
    func enqueue(_ frame: Frame) -> Bool {
        let size = frame.count
        let accepted: Bool = state.withLock { state in
            guard !state.overflowed, !state.overflowing else { return false }
            if state.waitingBytes + size > capacity && state.waitingBytes > 0 {
                state.overflowing = true
                return false
            }
            return true
        }
        guard accepted else {
            if justOverflowed() { release(); onOverflow() }
            return false
        }
        // Room in the whole server's budget, made by dropping whoever is furthest behind.
        while !budget.take(size) {
            guard budget.makeRoom(), !isReleased else { return false }
        }
        let counted: Bool = state.withLock { state in
            guard !state.released else { return false }
            state.waitingBytes += size
            return true
        }
        guard counted else {
            budget.give(size)
            return false
        }
        if case .terminated = continuation.yield(frame) { return false }
        return true
    }

    /// True for exactly one caller: the one whose frame overflowed the queue.
    private func justOverflowed() -> Bool {
        state.withLock { state in
            guard state.overflowing, !state.overflowed else { return false }
            state.overflowed = true
            return true
        }
    }

    /// The writer sent a frame of `bytes`.
    func sent(_ bytes: Int) {
        let counted: Bool = state.withLock { state in
            guard !state.released else { return false }
            state.waitingBytes -= bytes
            return true
        }
        if counted { budget.give(bytes) }
    }

    var waitingBytes: Int { state.withLock { $0.waitingBytes } }

    private var isReleased: Bool { state.withLock { $0.released } }

    /// Ends the queue for good: nothing more is taken, and its waiting bytes go back to the
    /// budget at once (the frames themselves are freed when the writer lets go of them).
    func release() {
        let waiting: Int = state.withLock { state in
            guard !state.released else { return 0 }
            state.released = true
            state.overflowed = true
            defer { state.waitingBytes = 0 }
            return state.waitingBytes
        }
        budget.give(waiting)
        continuation.finish()
    }

    func finish() { continuation.finish() }
}

/// Outbound bytes all connections together may have waiting. Over it, the connection with
/// the most waiting is dropped (`makeRoom`, given by the server) before anyone else waits.
final class OutboundBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)
    private let dropFurthestBehind: Mutex<(@Sendable () -> Bool)?> = Mutex(nil)

    init(limit: Int) { self.limit = limit }

    /// Set once by the server: drops the connection furthest behind; false when none has
    /// anything waiting.
    func onMakeRoom(_ body: @escaping @Sendable () -> Bool) { dropFurthestBehind.withLock { $0 = body } }

    /// Takes `bytes` if they fit (a frame larger than the whole budget fits an empty one).
    func take(_ bytes: Int) -> Bool {
        var current = used.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limit || current == 0 else { return false }
            let (exchanged, original) = used.compareExchange(expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func give(_ bytes: Int) {
        if bytes > 0 { used.subtract(bytes, ordering: .relaxed) }
    }

    func makeRoom() -> Bool { dropFurthestBehind.withLock { $0 }?() ?? false }

    /// Bytes waiting across all connections (for /metrics).
    var waiting: Int { used.load(ordering: .relaxed) }
}
