#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Nostr

/// Reads an event object's `id` or `created_at` without parsing the object: a copy of a
/// recent event can then be dropped for the price of a byte scan and a hash lookup.
///
/// The first `"key"` followed by `:` in the raw bytes is the event's field: a quote inside
/// a JSON string is always escaped, so those bytes cannot occur inside a value. A wrong
/// guess could only come from malformed JSON, which the full parse rejects anyway; the
/// peeks are used only for copies of ids already stored (to skip them, and to page on).
enum EventFieldPeek {
    static func id(_ bytes: UnsafeRawBufferPointer) -> EventID? {
        guard let j = valueStart(of: idKey, in: bytes), j + 66 <= bytes.count, bytes[j] == 0x22, bytes[j + 65] == 0x22 else { return nil }
        return EventID(hexUTF8: UnsafeRawBufferPointer(rebasing: bytes[(j + 1)..<(j + 65)]))
    }

    /// A non-negative integer of at most 18 digits, or nil.
    static func createdAt(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard var j = valueStart(of: createdAtKey, in: bytes) else { return nil }
        var value: Int64 = 0
        var digits = 0
        while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39, digits < 18 {
            value = value * 10 + Int64(bytes[j] - 0x30)
            digits += 1
            j += 1
        }
        return digits > 0 ? value : nil
    }

    private static let idKey: [UInt8] = Array("\"id\"".utf8)
    private static let createdAtKey: [UInt8] = Array("\"created_at\"".utf8)

    /// The index of the first byte of the value after the first `key` followed by `:`.
    private static func valueStart(of key: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        return key.withUnsafeBytes { key -> Int? in
            var i = 0
            // Jump from quote to quote (memchr), compare the key there (memcmp).
            while i + key.count <= count, let quote = memchr(base + i, 0x22, count - i) {
                i = base.distance(to: UnsafeRawPointer(quote))
                guard i + key.count <= count else { return nil }
                if memcmp(base + i, key.baseAddress!, key.count) == 0 {
                    let colon = skipWhitespace(bytes, from: i + key.count)
                    if colon < count, bytes[colon] == 0x3A { return skipWhitespace(bytes, from: colon + 1) }
                }
                i += 1
            }
            return nil
        }
    }

    private static func skipWhitespace(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var j = start
        while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x0A || bytes[j] == 0x0D || bytes[j] == 0x09 { j += 1 }
        return j
    }
}
