/// A tag value as NIP-01 compares it: equal only when the UTF-8 bytes are equal.
///
/// Swift's `String` compares by canonical equivalence (`"é"` precomposed equals `"e"` plus
/// U+0301), so a `Set<String>` of filter values or a dictionary keyed by tag value would
/// treat two different values as one; relays and SQLite compare bytes. Filters and the
/// live index hold tag values as this type.
public struct TagValue: Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let text: String

    public init(_ text: String) { self.text = text }
    public init(stringLiteral text: String) { self.text = text }

    public var description: String { text }

    public static func == (a: TagValue, b: TagValue) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte order, as SQLite's BINARY collation sorts.
    public static func < (a: TagValue, b: TagValue) -> Bool { a.text.utf8.lexicographicallyPrecedes(b.text.utf8) }
}
