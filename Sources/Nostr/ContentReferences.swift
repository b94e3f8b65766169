/// What a note's text points at: `nostr:` entities (NIP-21), http(s) links and hashtags.
public struct ContentReferences: Hashable, Sendable {
    /// Decoded `nostr:npub…/nprofile…/note…/nevent…/naddr…` URIs, in order of appearance.
    public var entities: [NIP19] = []
    /// http and https URLs, trailing punctuation trimmed.
    public var urls: [String] = []
    /// Hashtags without the `#`, lowercased, each once.
    public var hashtags: [String] = []

    public init(content: String) {
        var seenTags = Set<String>()
        for word in ContentReferences.words(content) {
            if let entity = ContentReferences.nostrEntity(word) {
                entities.append(entity)
            } else if let url = ContentReferences.url(word) {
                urls.append(url)
            }
        }
        for tag in ContentReferences.hashtags(content) where seenTags.insert(tag).inserted {
            hashtags.append(tag)
        }
    }

    /// Events the text quotes through `nostr:note`, `nostr:nevent` or `nostr:naddr`.
    public var quotedEvents: [EventReference] {
        entities.compactMap { entity in
            switch entity {
            case .note(let id), .nevent(let id, _, _, _): return .id(id)
            case .naddr(let identifier, let pubkey, let kind, _):
                return .address(EventAddress(kind: kind, pubkey: pubkey, identifier: identifier))
            default: return nil
            }
        }
    }

    /// Pubkeys the text mentions through `nostr:npub` or `nostr:nprofile`.
    public var mentionedPubkeys: [PublicKey] { entities.compactMap(\.pubkey) }

    private static func words(_ content: String) -> [Substring] {
        content.split(whereSeparator: { $0.isWhitespace })
    }

    private static func nostrEntity(_ word: Substring) -> NIP19? {
        guard let range = word.firstRange(of: "nostr:") else { return nil }
        let rest = word[range.upperBound...]
        // bech32 characters only; anything after (punctuation) ends the entity.
        let bech = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
        guard bech.count > 5 else { return nil }
        guard let entity = try? NIP19(String(bech)) else { return nil }
        if case .nsec = entity { return nil }
        return entity
    }

    private static func url(_ word: Substring) -> String? {
        guard let start = word.firstRange(of: "https://") ?? word.firstRange(of: "http://") else { return nil }
        var url = word[start.lowerBound...]
        let trailing: Set<Character> = [".", ",", ";", ":", "!", "?", ")", "]", "}", "'", "\"", ">"]
        while let last = url.last, trailing.contains(last) {
            // Keep a closing parenthesis that balances one inside the URL.
            if last == ")" && url.filter({ $0 == "(" }).count >= url.filter({ $0 == ")" }).count { break }
            url = url.dropLast()
        }
        guard url.count > (url.hasPrefix("https") ? 8 : 7) else { return nil }
        return String(url)
    }

    private static func hashtags(_ content: String) -> [String] {
        var out: [String] = []
        var previous: Character = " "
        var index = content.startIndex
        while index < content.endIndex {
            let c = content[index]
            if c == "#", !(previous.isLetter || previous.isNumber || previous == "_" || previous == "&" || previous == "/") {
                let tagStart = content.index(after: index)
                let tagEnd = content[tagStart...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? content.endIndex
                let tag = content[tagStart..<tagEnd]
                if tag.contains(where: \.isLetter) && tag.count <= 64 { out.append(tag.lowercased()) }
                previous = "#"
                index = tagEnd
                continue
            }
            previous = c
            index = content.index(after: index)
        }
        return out
    }
}
