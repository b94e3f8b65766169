import Foundation

/// This process's own figures from /proc (Linux): what it cost, for `hearth import`'s summary
/// and the scale benchmark that reads it.
enum ProcessFigures {
    /// Bytes this process caused to be written to storage (`write_bytes` in /proc/self/io).
    static var bytesWritten: Int64? { field("/proc/self/io", "write_bytes") }

    /// Peak resident memory, in bytes (`VmHWM` in /proc/self/status).
    static var peakResidentBytes: Int64? { field("/proc/self/status", "VmHWM").map { $0 * 1024 } }

    private static func field(_ path: String, _ name: String) -> Int64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int64($0) }
        }
        return nil
    }
}

/// "1.38 GB", "312 MB".
func decimalBytes(_ bytes: Int64) -> String {
    bytes >= 1_000_000_000 ? String(format: "%.2f GB", Double(bytes) / 1e9) : "\(bytes / 1_000_000) MB"
}
