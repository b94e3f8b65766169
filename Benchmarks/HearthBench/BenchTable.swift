#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// A line on standard error while the benchmark runs (the table goes to standard output).
func progress(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// Runs `body` and returns how long it took, in seconds.
func measure(_ body: () throws -> Void) rethrows -> Double {
    let start = monotonicSeconds()
    try body()
    return monotonicSeconds() - start
}

/// The table `make bench` prints: one row per measurement, with the target when there is one.
struct BenchTable {
    struct Row {
        let name: String
        let value: String
        let target: String
    }

    private(set) var rows: [Row] = []
    let title: String

    init(_ title: String) { self.title = title }

    mutating func add(_ name: String, _ value: String, target: String = "") {
        rows.append(Row(name: name, value: value, target: target))
        progress("  … \(name): \(value)")
    }

    mutating func rate(_ name: String, count: Int, seconds: Double, unit: String = "events/s", target: String = "") {
        add(name, "\(formatted(Double(count) / seconds)) \(unit)", target: target)
    }

    func print() {
        let nameWidth = max(40, rows.map(\.name.count).max() ?? 0)
        let valueWidth = max(20, rows.map(\.value.count).max() ?? 0)
        Swift.print("\n## \(title)\n")
        Swift.print("| " + pad("measurement", nameWidth) + " | " + pad("result", valueWidth) + " | target |")
        Swift.print("|" + String(repeating: "-", count: nameWidth + 2) + "|" + String(repeating: "-", count: valueWidth + 2) + "|--------|")
        for row in rows {
            Swift.print("| " + pad(row.name, nameWidth) + " | " + pad(row.value, valueWidth) + " | \(row.target) |")
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}

/// A number with thousands separators and no more precision than it deserves.
func formatted(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    if value >= 100 {
        let digits = String(Int(value.rounded()))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
    if value >= 10 { return String(format1(value)) }
    return format2(value)
}

private func format1(_ v: Double) -> String { "\(Int(v))." + "\(Int((v * 10).rounded()) % 10)" }
