import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on standard error, drawn only when standard error is a terminal
/// (so logs and CI output stay clean). Safe to update from any thread.
final class ProgressBar: Sendable {
    private let label: String
    private let total: Int?
    private let enabled: Bool
    private let lastDraw = Mutex<Double>(0)
    private let started: Double

    init(_ label: String, total: Int? = nil) {
        self.label = label
        self.total = total
        enabled = isatty(STDERR_FILENO) == 1
        started = ProgressBar.now()
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    var elapsed: Double { ProgressBar.now() - started }

    /// Redraws at most ten times a second.
    func update(_ done: Int) {
        guard enabled else { return }
        let now = ProgressBar.now()
        let due = lastDraw.withLock { last in
            guard now - last >= 0.1 else { return false }
            last = now
            return true
        }
        if due { draw(done) }
    }

    func finish(_ done: Int) {
        guard enabled else { return }
        draw(done)
        writeStderr("\n")
    }

    private func writeStderr(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    private func draw(_ done: Int) {
        let rate = Double(done) / max(elapsed, 0.001)
        var line = "\r\(label) "
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * 30)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled) + "] "
            line += "\(done)/\(total)"
        } else {
            line += "\(done)"
        }
        line += "  \(Int(rate))/s  "
        writeStderr(line)
    }
}
