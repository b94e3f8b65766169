import Nostr
import Store

/// What the full-text indexes hold, and how user input becomes a safe FTS5 query.
enum FullText {
    /// Kinds whose text goes into `notes_fts`.
    static let noteKinds: Set<Int> = [1, 30023]

    /// The indexed text of a note: the content, plus title and summary for articles.
    static func noteText(_ event: Event) -> String? {
        switch event.kind {
        case 1: return event.content
        case 30023:
            let title = event.firstTagValue("title") ?? ""
            let summary = event.firstTagValue("summary") ?? ""
            return [title, summary, event.content].filter { !$0.isEmpty }.joined(separator: "\n")
        default: return nil
        }
    }

    /// The indexed fields of a profile: name, display name, NIP-05 and about.
    static func profileFields(_ event: Event) -> [String] {
        let profile = ProfileMetadata(content: event.content)
        return [profile.name, profile.displayName, profile.nip05, profile.about]
    }

    /// The most words of a search that are used.
    static let maxTerms = 16

    /// Turns any user input into an FTS5 query that cannot be a syntax error: the words
    /// (letters and digits) of the input, each quoted, all required. `prefixLast` makes the
    /// last word a prefix (type-ahead). Nil when the input has no words.
    static func matchQuery(_ input: String, prefixLast: Bool = false) -> String? {
        let terms = TextMatch.words(input)
        guard !terms.isEmpty else { return nil }
        let quoted = terms.prefix(maxTerms).map { "\"" + $0 + "\"" }
        var query = quoted.joined(separator: " ")
        if prefixLast { query += "*" }
        return query
    }

    /// An FTS5 expression for a `TextMatch`: each word quoted (they hold only letters,
    /// digits and marks, but a quote is doubled all the same), groups joined by AND, the
    /// phrases of a group by OR. Nil when there is nothing to match.
    static func matchExpression(_ text: TextMatch) -> String? {
        let groups = text.groups.map { group in
            "(" + group.map { phrase in
                "\"" + phrase.map { $0.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") }.joined(separator: " ") + "\""
            }.joined(separator: " OR ") + ")"
        }
        return groups.isEmpty ? nil : groups.joined(separator: " AND ")
    }
}
