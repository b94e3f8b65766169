import Nostr
import Store

/// Primal's advanced search language (primal-server `parse_search_query`, src/dag.jl; the
/// web app writes it in src/pages/AdvancedSearch.tsx), parsed into an expression.
///
/// Terms are separated by spaces and all required; `OR` between terms and parentheses
/// group alternatives. A term is a word, a `"quoted phrase"`, a `#hashtag`, any of those
/// negated with `-`, `@pubkey` (a mention), an operator `name:value`, or a note/nevent/naddr
/// (that event). `kind:`, `scope:` and `orderby:` apply to the whole search wherever they
/// stand. A term Hearth cannot honour is left out and named in `ignored`; the search runs
/// without it.
struct SearchQuery: Sendable {
    var expression: SearchExpression
    /// `kind:` (notes and polls unless given).
    var kind: Int?
    var scope: SearchScope?
    var order: SearchOrder = .createdAt
    /// Terms left out, as written.
    var ignored: [String] = []

    init(_ text: String, now: Int64) {
        var parser = Parser(tokens: Self.tokens(text), now: now)
        var parts = [parser.alternatives()]
        while !parser.atEnd {  // a stray ")": skip it and go on
            parser.ignored.append(parser.next() ?? "")
            parts.append(parser.alternatives())
        }
        expression = parts.count == 1 ? parts[0] : .all(parts)
        kind = parser.kind
        scope = parser.scope
        order = parser.order ?? .createdAt
        ignored = parser.ignored
    }

    /// Words, quoted phrases (with a leading `-` when negated), parentheses.
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        func flush() {
            if !current.isEmpty { tokens.append(current) }
            current = ""
        }
        for character in text {
            if quoted {
                current.append(character)
                if character == "\"" { quoted = false; flush() }
            } else if character == "\"" && (current.isEmpty || current == "-") {
                current.append(character)
                quoted = true
            } else if character.isWhitespace {
                flush()
            } else if character == "(" && current.isEmpty || character == ")" && current != ":" {  // ":)" is a term
                flush()
                tokens.append(String(character))
            } else {
                current.append(character)
            }
        }
        if quoted { current.append("\"") }  // an unclosed quote ends at the end
        flush()
        return tokens
    }

    private struct Parser {
        let tokens: [String]
        let now: Int64
        var position = 0
        var kind: Int?
        var scope: SearchScope?
        var order: SearchOrder?
        var ignored: [String] = []
        var depth = 0
        static let maxDepth = 16

        init(tokens: [String], now: Int64) {
            self.tokens = tokens
            self.now = now
        }

        var atEnd: Bool { position >= tokens.count }

        mutating func next() -> String? {
            guard !atEnd else { return nil }
            defer { position += 1 }
            return tokens[position]
        }

        /// `a b OR c d` → any(all(a, b), all(c, d)).
        mutating func alternatives() -> SearchExpression {
            var options = [sequence()]
            while position < tokens.count, tokens[position] == "OR" {
                position += 1
                options.append(sequence())
            }
            return options.count == 1 ? options[0] : .any(options)
        }

        mutating func sequence() -> SearchExpression {
            var terms: [SearchExpression] = []
            while let token = tokens[safe: position], token != "OR", token != ")" {
                position += 1
                if token == "(" {
                    // Nesting is bounded: a query is client input, and this recursion is ours.
                    guard depth < Self.maxDepth else {
                        ignored.append(token)
                        continue
                    }
                    depth += 1
                    terms.append(alternatives())
                    depth -= 1
                    if tokens[safe: position] == ")" { position += 1 }
                } else if let term = term(token) {
                    terms.append(term)
                }
            }
            return terms.count == 1 ? terms[0] : .all(terms)
        }

        /// One term; nil when it is global (kind, scope, order) or ignored.
        mutating func term(_ token: String) -> SearchExpression? {
            if token.hasPrefix("-\""), token.count > 3 {
                return .not(phrase(String(token.dropFirst(2).dropLast())))
            }
            if token.hasPrefix("\""), token.count > 2 { return phrase(String(token.dropFirst().dropLast())) }
            if token.hasPrefix("-#"), token.count > 2 { return .not(.term(.hashtag(String(token.dropFirst(2)).lowercased()))) }
            if token.hasPrefix("#"), token.count > 1 { return .term(.hashtag(String(token.dropFirst()).lowercased())) }
            if token.hasPrefix("@"), let key = CacheParams.pubkey(String(token.dropFirst())) { return .term(.mention(key)) }
            if [":)", ":(", ":|", "?"].contains(token) { return ignore(token) }  // sentiment: no data here
            if let colon = token.firstIndex(of: ":"), colon != token.startIndex {
                var name = String(token[..<colon]).lowercased()
                let value = String(token[token.index(after: colon)...])
                let negated = name.hasPrefix("-")
                if negated { name.removeFirst() }
                guard let term = operatorTerm(name, value, token) else { return nil }
                return negated ? .not(term) : term
            }
            if let entity = try? NIP19(token) {
                switch entity {
                case .note(let id): return .term(.event(id))
                case .nevent(let id, _, _, _): return .term(.event(id))
                case .naddr(let identifier, let pubkey, let kind, _):
                    return .term(.address(EventAddress(kind: kind, pubkey: pubkey, identifier: identifier)))
                case .npub(let key), .nprofile(let key, _): return .term(.mention(key))
                default: break
                }
            }
            if token.hasPrefix("-"), token.count > 1 { return .not(phrase(String(token.dropFirst()))) }
            return phrase(token)
        }

        /// A word or phrase; punctuation splits words (`don't` is the phrase "don t").
        func phrase(_ text: String) -> SearchExpression {
            let words = TextMatch.words(text)
            return words.isEmpty ? .all([]) : .term(.phrase(words))
        }

        mutating func ignore(_ token: String) -> SearchExpression? {
            ignored.append(token)
            return nil
        }

        mutating func operatorTerm(_ name: String, _ value: String, _ token: String) -> SearchExpression? {
            let number = Int64(value)
            switch name {
            case "kind":
                guard let number, kind == nil else { return ignore(token) }
                kind = Int(number)
                return nil
            case "scope":
                guard let parsed = SearchScope(rawValue: value.lowercased()), scope == nil else { return ignore(token) }
                scope = parsed
                return nil
            case "orderby":
                guard let parsed = SearchOrder(field: value.lowercased()), order == nil else { return ignore(token) }
                order = parsed
                return nil
            case "from", "to", "mention", "zappedby":
                guard let key = CacheParams.pubkey(value) else { return ignore(token) }
                let terms: [String: SearchTerm] = ["from": .from(key), "to": .to(key), "mention": .mention(key), "zappedby": .zappedBy(key)]
                return terms[name].map { .term($0) }
            case "since", "until":
                guard let time = Self.time(value, now: now) else { return ignore(token) }
                return .term(name == "since" ? .since(time) : .until(time))
            case "repliestokind":
                guard let number else { return ignore(token) }
                return .term(.repliesToKind(Int(number)))
            case "post":
                guard value == "root" else { return ignore(token) }
                return .not(.term(.filter(.replies)))
            case "filter":
                guard let filter = SearchFilter(rawValue: value.lowercased()) else { return ignore(token) }
                return .term(.filter(filter))
            case "orientation":
                guard value == "vertical" || value == "horizontal" else { return ignore(token) }
                return .term(.orientation(vertical: value == "vertical"))
            case "lang":
                guard !value.isEmpty else { return ignore(token) }
                return .term(.language(value.lowercased()))
            case "minwords", "maxwords", "maxchars":
                guard let number else { return ignore(token) }
                return .term(name == "minwords" ? .minWords(Int(number)) : name == "maxwords" ? .maxWords(Int(number)) : .maxChars(Int(number)))
            case "minscore", "maxscore":
                guard let number else { return ignore(token) }
                return .term(.scorePercentile(Int(max(0, min(100, number))), atLeast: name == "minscore"))
            case "ref":
                switch try? NIP19(value) {
                case .note(let id)?, .nevent(let id, _, _, _)?: return .term(.referencesEvent(id))
                case .npub(let key)?, .nprofile(let key, _)?: return .term(.mention(key))
                default: return ignore(token)
                }
            default:
                for field in SearchStat.allCases where name == "min" + field.rawValue || name == "max" + field.rawValue {
                    guard let number else { return ignore(token) }
                    return .term(.stat(field, atLeast: name.hasPrefix("min"), number))
                }
                // minduration, maxduration, mintrustrank, minlongreplies, features, category,
                // list, url, pas, following: data Hearth does not have.
                return ignore(token)
            }
        }

        /// `since:` and `until:` values: relative names, or a UTC date `2024-02-03` or
        /// `2024-02-03_11:22`.
        static func time(_ value: String, now: Int64) -> Int64? {
            let relative: [String: Int64] = [
                "last1h": 3_600, "last4h": 4 * 3_600, "last12h": 12 * 3_600, "yesterday": 86_400,
                "lastweek": 7 * 86_400, "last2weeks": 14 * 86_400, "lastmonth": 30 * 86_400, "lastyear": 365 * 86_400,
            ]
            if let back = relative[value] { return now - back }
            let parts = value.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == ":" || $0 == "T" }).map { Int64($0) }
            guard parts.count == 3 || parts.count == 5, parts.allSatisfy({ $0 != nil }) else { return nil }
            let numbers = parts.map { $0! }
            let (year, month, day) = (numbers[0], numbers[1], numbers[2])
            guard (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
            let (hour, minute) = numbers.count == 5 ? (numbers[3], numbers[4]) : (0, 0)
            guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
            return daysFromCivil(year, month, day) * 86_400 + hour * 3_600 + minute * 60
        }

        /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
        static func daysFromCivil(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
            let year = m <= 2 ? y - 1 : y
            let era = (year >= 0 ? year : year - 399) / 400
            let yearOfEra = year - era * 400
            let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }
    }
}

indirect enum SearchExpression: Sendable, Equatable {
    case all([SearchExpression])
    case any([SearchExpression])
    case not(SearchExpression)
    case term(SearchTerm)
}

enum SearchTerm: Sendable, Equatable {
    /// Words in a row, lowercased (one word is a phrase of one).
    case phrase([String])
    case hashtag(String)
    case from(PublicKey)
    /// A reply to this pubkey's note (NIP-10 replies tag the author they answer).
    case to(PublicKey)
    case mention(PublicKey)
    case zappedBy(PublicKey)
    case since(Int64)
    case until(Int64)
    case repliesToKind(Int)
    case filter(SearchFilter)
    case orientation(vertical: Bool)
    case language(String)
    case minWords(Int)
    case maxWords(Int)
    case maxChars(Int)
    case stat(SearchStat, atLeast: Bool, Int64)
    /// `minscore:` / `maxscore:` are percentiles (0–100) of the scores of recent posts.
    case scorePercentile(Int, atLeast: Bool)
    case event(EventID)
    case address(EventAddress)
    case referencesEvent(EventID)
}

enum SearchScope: String, Sendable {
    case myfollows, mynetwork, myfollowsinteractions, mynetworkinteractions, notmyfollows, mynotifications
}

enum SearchFilter: String, Sendable {
    case image, video, audio, link, replies
}

enum SearchStat: String, Sendable, CaseIterable {
    case score, likes, zaps, replies, reposts, satszapped, interactions
}

/// What results are sorted by; RANGE names it (`order_by`) and since/until bound it.
enum SearchOrder: Sendable, Equatable {
    case createdAt
    case stat(SearchStat)

    init?(field: String) {
        guard let stat = SearchStat(rawValue: field) else { return nil }
        self = .stat(stat)
    }

    var name: String {
        switch self {
        case .createdAt: return "created_at"
        case .stat(let stat): return stat.rawValue
        }
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
