import Synchronization

/// A clock tests move by hand (unix seconds).
public final class TestClock: Sendable {
    private let seconds: Mutex<Int64>

    public init(_ start: Int64 = 1_767_225_600) { seconds = Mutex(start) }

    public var now: Int64 { seconds.withLock { $0 } }

    public func set(_ value: Int64) { seconds.withLock { $0 = value } }

    public func advance(_ delta: Int64) { seconds.withLock { $0 += delta } }

    /// The clock as the closure stores take.
    public var function: @Sendable () -> Int64 { { [self] in self.now } }
}
