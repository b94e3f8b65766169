import Foundation

/// The upstream relay set: `relays.txt`, one `ws://` or `wss://` URL a line, `#` comments
/// and blank lines ignored. Malformed and repeated lines are skipped and reported with
/// their line numbers in `problems`, so one typo does not take the others down.
public struct RelayList: Hashable, Sendable {
    public let urls: [String]
    public let problems: [String]

    public init(urls: [String]) {
        self.urls = urls
        problems = []
    }

    public init(text: String) {
        var urls: [String] = []
        var problems: [String] = []
        var seen: [String: Int] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !line.isEmpty else { continue }
            guard let url = Self.normalized(line) else {
                problems.append("line \(number): \(line) is not a ws:// or wss:// relay URL; skipped")
                continue
            }
            if let first = seen[url] {
                problems.append("line \(number): \(line) repeats line \(first); skipped")
                continue
            }
            seen[url] = number
            urls.append(url)
        }
        self.urls = urls
        self.problems = problems
    }

    /// Reads a relays file; a file that cannot be read is an error.
    public init(contentsOf path: String) throws {
        do {
            self.init(text: try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw RelayListError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// The URL with a lowercased scheme and host and no trailing slash, or nil when it is
    /// not a ws:// or wss:// URL with a host.
    static func normalized(_ text: String) -> String? {
        guard !text.contains(where: \.isWhitespace), var parts = URLComponents(string: text),
              let scheme = parts.scheme?.lowercased(), scheme == "ws" || scheme == "wss",
              let host = parts.host, !host.isEmpty, parts.user == nil else { return nil }
        parts.scheme = scheme
        parts.host = host.lowercased()
        if parts.path == "/" { parts.path = "" }
        return parts.string
    }
}

public struct RelayListError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
