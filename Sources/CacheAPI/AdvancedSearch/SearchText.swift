import Nostr
import Store

/// Text as advanced search matches it: the evaluator checks words and phrases the index did
/// not already match (alternatives, negations) on the same words the index keeps
/// (`TextMatch.words`).
enum SearchText {
    /// The searchable text of an event: the content, and an article's title and summary.
    static func text(of event: Event) -> String {
        guard event.kind == 30_023 else { return event.content }
        return [event.firstTagValue("title") ?? "", event.firstTagValue("summary") ?? "", event.content].joined(separator: "\n")
    }

    /// Whether `words` holds `phrase` as consecutive words.
    static func contains(_ words: [String], phrase: [String]) -> Bool {
        guard let first = phrase.first, phrase.count <= words.count else { return phrase.isEmpty }
        for start in words.indices where words[start] == first && start + phrase.count <= words.count {
            if Array(words[start..<(start + phrase.count)]) == phrase { return true }
        }
        return false
    }
}
