import Foundation

/// The upstream relay set: `relays.txt`, one `ws://` or `wss://` URL a line, `#` comments
/// and blank lines ignored. A bad line is an error that names it, never silently skipped.
public struct RelayList: Hashable, Sendable {
    public let urls: [String]

    public init(urls: [String]) { self.urls = urls }

    public init(text: String) throws {
        var urls: [String] = []
        var seen = Set<String>()
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !line.isEmpty else { continue }
            guard let url = URL(string: line), let scheme = url.scheme?.lowercased(), scheme == "wss" || scheme == "ws",
                  let host = url.host, !host.isEmpty, !line.contains(where: \.isWhitespace) else {
                throw RelayListError(line: number + 1, text: line)
            }
            let normalized = line.hasSuffix("/") ? String(line.dropLast()) : line
            if seen.insert(normalized.lowercased()).inserted { urls.append(normalized) }
        }
        self.urls = urls
    }

    /// Reads a relays file.
    public init(contentsOf path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RelayListError(line: 0, text: "cannot read \(path): \(error.localizedDescription)")
        }
        try self.init(text: text)
    }
}

public struct RelayListError: Error, CustomStringConvertible {
    public let line: Int
    public let text: String

    public var description: String {
        line == 0 ? text : "line \(line): \(text) is not a ws:// or wss:// relay URL"
    }
}
