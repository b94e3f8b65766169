import Synchronization

/// A connection's outbound frames, bounded in bytes. Producers (query answers, live events,
/// pushes) never wait on a slow client: `enqueue` returns at once, and once more than
/// `capacity` bytes are waiting the queue refuses everything and reports overflow, so the
/// connection is dropped instead of growing memory.
final class OutboundQueue: Sendable {
    enum Frame: Sendable {
        case text([UInt8])
        case binary([UInt8])
        /// Close the WebSocket after what was queued before (a goodbye after a NOTICE).
        case close(reason: String)

        var count: Int {
            switch self {
            case .text(let bytes), .binary(let bytes): return bytes.count
            case .close: return 0
            }
        }
    }

    private struct State {
        var waitingBytes = 0
        /// Set by the enqueue that found the queue full, until it reports the overflow.
        var overflowing = false
        var overflowed = false
    }

    private let state = Mutex(State())
    private let continuation: AsyncStream<Frame>.Continuation
    let frames: AsyncStream<Frame>
    let capacity: Int
    private let onOverflow: @Sendable () -> Void

    init(capacity: Int, onOverflow: @escaping @Sendable () -> Void) {
        self.capacity = capacity
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
            state.waitingBytes += size
            return true
        }
        guard accepted else {
            if justOverflowed(size) { finish(); onOverflow() }
            return false
        }
        if case .terminated = continuation.yield(frame) { return false }
        return true
    }

    /// True for exactly one caller: the one whose frame overflowed the queue.
    private func justOverflowed(_ size: Int) -> Bool {
        state.withLock { state in
            guard state.overflowing, !state.overflowed else { return false }
            state.overflowed = true
            return true
        }
    }

    /// The writer sent a frame of `bytes`.
    func sent(_ bytes: Int) {
        state.withLock { $0.waitingBytes -= bytes }
    }

    var waitingBytes: Int { state.withLock { $0.waitingBytes } }

    func finish() { continuation.finish() }
}
