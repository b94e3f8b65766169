/// What a note's text points at: `nostr:` entities (NIP-21), http(s) links and hashtags.
///
/// A single pass over the UTF-8 bytes: this runs for every note the writer stores.
public struct ContentReferences: Hashable, Sendable {
    /// Decoded `nostr:npub…/nprofile…/note…/nevent…/naddr…` URIs, in order of appearance.
    public var entities: [NIP19] = []
    /// http and https URLs, trailing punctuation trimmed.
    public var urls: [String] = []
    /// Hashtags without the `#`, lowercased, each once.
    public var hashtags: [String] = []

    public init(content: String) {
        var content = content
        content.withUTF8 { scan(UnsafeRawBufferPointer($0)) }
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

    // MARK: Scanning

    private static let nostrPrefix = Array("nostr:".utf8)
    private static let httpPrefix = Array("http://".utf8)
    private static let httpsPrefix = Array("https://".utf8)

    private mutating func scan(_ text: UnsafeRawBufferPointer) {
        var seenTags = Set<String>()
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == 0x6E, Self.hasPrefix(text, at: i, Self.nostrPrefix) {  // n
                i = readEntity(text, from: i + Self.nostrPrefix.count)
            } else if c == 0x68, Self.hasPrefix(text, at: i, Self.httpsPrefix) || Self.hasPrefix(text, at: i, Self.httpPrefix) {  // h
                i = readURL(text, from: i)
            } else if c == 0x23, i == 0 || Self.allowsHashtagBefore(text, i) {  // #
                i = readHashtag(text, from: i + 1, seen: &seenTags)
            } else {
                i += 1
            }
        }
    }

    private static func hasPrefix(_ text: UnsafeRawBufferPointer, at i: Int, _ prefix: [UInt8]) -> Bool {
        guard i + prefix.count <= text.count else { return false }
        for (j, byte) in prefix.enumerated() where text[i + j] | (byte >= 0x61 ? 0x20 : 0) != byte { return false }
        return true
    }

    private mutating func readEntity(_ text: UnsafeRawBufferPointer, from start: Int) -> Int {
        var end = start
        while end < text.count, Self.isASCIIAlphanumeric(text[end]) { end += 1 }
        guard end - start > 5 else { return end }
        let bech = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
        if let entity = try? NIP19(bech) {
            if case .nsec = entity {} else { entities.append(entity) }
        }
        return end
    }

    private mutating func readURL(_ text: UnsafeRawBufferPointer, from start: Int) -> Int {
        var end = start
        while end < text.count, !Self.endsURL(text[end]) { end += 1 }
        var trimmed = end
        var opens = 0, closes = 0
        for i in start..<end {
            if text[i] == 0x28 { opens += 1 } else if text[i] == 0x29 { closes += 1 }
        }
        while trimmed > start {
            let last = text[trimmed - 1]
            // Keep a closing parenthesis that balances one inside the URL.
            if last == 0x29 && opens >= closes { break }
            guard Self.isTrailingPunctuation(last) else { break }
            if last == 0x29 { closes -= 1 }
            trimmed -= 1
        }
        let url = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<trimmed]), as: UTF8.self)
        if trimmed - start > (text[start + 4] == 0x73 ? 8 : 7) { urls.append(url) }
        return end
    }

    private mutating func readHashtag(_ text: UnsafeRawBufferPointer, from start: Int, seen: inout Set<String>) -> Int {
        var end = start
        var hasLetter = false
        while end < text.count {
            let c = text[end]
            if c < 0x80 {
                guard Self.isASCIIAlphanumeric(c) || c == 0x5F else { break }
                if Self.isASCIILetter(c) { hasLetter = true }
                end += 1
            } else {
                guard let (scalar, length) = Self.decodeScalar(text, at: end),
                      scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark
                else { break }
                if scalar.properties.isAlphabetic { hasLetter = true }
                end += length
            }
        }
        if hasLetter, end - start <= 64 {
            let tag = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<end]), as: UTF8.self).lowercased()
            if seen.insert(tag).inserted { hashtags.append(tag) }
        }
        return max(end, start)
    }

    /// A `#` starts a hashtag unless it follows a word character or `&` or `/` (HTML
    /// entities, URL fragments).
    private static func allowsHashtagBefore(_ text: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        let previous = text[i - 1]
        if previous >= 0x80 {
            // Find the start of the previous scalar and check it is not a letter or digit.
            var start = i - 1
            while start > 0, text[start] & 0xC0 == 0x80 { start -= 1 }
            guard let (scalar, _) = decodeScalar(text, at: start) else { return true }
            return !(scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
        }
        return !(isASCIIAlphanumeric(previous) || previous == 0x5F || previous == 0x26 || previous == 0x2F)
    }

    private static func decodeScalar(_ text: UnsafeRawBufferPointer, at i: Int) -> (Unicode.Scalar, Int)? {
        let b0 = text[i]
        let length = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1
        guard i + length <= text.count else { return nil }
        var value = UInt32(b0) & (length == 4 ? 0x07 : length == 3 ? 0x0F : length == 2 ? 0x1F : 0x7F)
        for j in 1..<max(1, length) { value = value << 6 | UInt32(text[i + j] & 0x3F) }
        return Unicode.Scalar(value).map { ($0, length) }
    }

    private static func isASCIILetter(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }
    private static func isASCIIAlphanumeric(_ c: UInt8) -> Bool { isASCIILetter(c) || (0x30...0x39).contains(c) }

    /// Whitespace and characters that cannot be part of a URL in prose.
    private static func endsURL(_ c: UInt8) -> Bool {
        c <= 0x20 || c == 0x22 || c == 0x3C || c == 0x3E || c == 0x60 || c == 0x7B || c == 0x7D || c == 0x7C || c == 0x5C
            || c == 0x5E || c >= 0x80
    }

    private static func isTrailingPunctuation(_ c: UInt8) -> Bool {
        [0x2E, 0x2C, 0x3B, 0x3A, 0x21, 0x3F, 0x29, 0x5D, 0x27].contains(c)
    }
}
