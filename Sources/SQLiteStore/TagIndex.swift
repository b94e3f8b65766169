import Nostr

/// Which tags go into the `tags` table, and how values are stored there.
///
/// Contact lists' `p` tags with a pubkey value are the exception: `follows` (followed,
/// follower) indexes them instead. They were ~45 % of all tag rows, and the follow graph
/// needs that table anyway; `FilterPlanner` reads it for `#p` on kind 3.
enum TagIndex {
    /// Longer values are indexed by their SHA-256 (see `value`): a filter must find them,
    /// but their text would only cost space.
    static let maxValueBytes = 512

    struct Row: Hashable {
        let name: String
        let value: SQLiteValue
    }

    /// The indexable tags of an event: single-letter name, a value, each pair once.
    static func rows(of event: Event) -> [Row] {
        var rows: [Row] = []
        for tag in event.tags where tag.count >= 2 && isIndexedName(tag[0]) {
            let row = Row(name: tag[0], value: value(tag[1]))
            if event.kind == 3 && row.name == "p", case .blob = row.value { continue }  // in `follows`
            rows.append(row)
        }
        // Most events have a handful of tags: compare pairwise; hash only long lists.
        if rows.count <= 16 {
            var unique: [Row] = []
            for row in rows where !unique.contains(row) { unique.append(row) }
            return unique
        }
        var seen = Set<Row>()
        return rows.filter { seen.insert($0).inserted }
    }

    /// The distinct pubkeys a contact list follows, in order: its `p` tags that `rows(of:)`
    /// leaves to the `follows` table.
    static func followed(by list: Event) -> [PublicKey] {
        var seen = Set<PublicKey>()
        return list.tags.compactMap { tag in
            guard tag.count >= 2, tag[0] == "p", let key = PublicKey(hex: tag[1]), seen.insert(key).inserted else { return nil }
            return key
        }
    }

    static func isIndexedName(_ name: String) -> Bool {
        guard name.utf8.count == 1, let c = name.utf8.first else { return false }
        return (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
    }

    /// 64 lowercase hex characters become their 32 bytes; a value longer than
    /// `maxValueBytes` becomes 0xFF and its SHA-256 (33 bytes, never equal to a 32-byte
    /// key); anything else stays text. Filters convert their values the same way, so
    /// lookups match what was stored.
    static func value(_ text: String) -> SQLiteValue {
        let count = text.utf8.count
        if count == 64, let bytes = Bytes32(hex: text) { return .blob(bytes.bytes) }
        if count > maxValueBytes { return .blob([0xFF] + SHA256Digest32.hash(Array(text.utf8)).bytes) }
        return .text(text)
    }

    static func value(_ filterValue: TagValue) -> SQLiteValue { value(filterValue.text) }
}
