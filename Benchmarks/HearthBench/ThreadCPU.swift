import Foundation

/// CPU seconds this process's threads used, by role (from /proc on Linux): where the time
/// of a run went, so a rate can be read against the work each event costs.
struct ThreadCPU {
    var writer = 0.0
    var verifiers = 0.0
    var rest = 0.0

    var total: Double { writer + verifiers + rest }

    /// Now; zero where /proc is not there.
    static func now() -> ThreadCPU {
        var usage = ThreadCPU()
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return usage }
        for task in tasks {
            guard let (name, seconds) = cpu("/proc/self/task/\(task)/stat") else { continue }
            if name == "hearth-writer" {
                usage.writer += seconds
            } else if name.hasPrefix("hearth-verify") {
                usage.verifiers += seconds
            } else {
                usage.rest += seconds
            }
        }
        return usage
    }

    /// CPU seconds another process used so far (0 where /proc is not there).
    static func process(_ pid: Int32) -> Double { cpu("/proc/\(pid)/stat")?.seconds ?? 0 }

    /// The thread or process name and its user + system CPU seconds, from a `stat` file.
    private static func cpu(_ statPath: String) -> (name: Substring, seconds: Double)? {
        guard let stat = try? String(contentsOfFile: statPath, encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the name, from field 3 (state): utime is field 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (stat[stat.index(after: open)..<close], (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    static func - (a: ThreadCPU, b: ThreadCPU) -> ThreadCPU {
        ThreadCPU(writer: a.writer - b.writer, verifiers: a.verifiers - b.verifiers, rest: a.rest - b.rest)
    }

    /// "writer 81 µs · verify 70 µs · rest 25 µs" per event.
    func perEvent(_ count: Int) -> String {
        let micro = { (seconds: Double) in "\(Int((seconds / Double(max(1, count)) * 1_000_000).rounded())) µs" }
        return "writer \(micro(writer)) · verify \(micro(verifiers)) · rest \(micro(rest))"
    }
}
