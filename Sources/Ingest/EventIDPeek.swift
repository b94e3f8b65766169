import Nostr

/// Reads an event object's `id` without parsing the object: a copy of a recent event can
/// then be dropped for the price of a byte scan and a hash lookup.
///
/// The first `"id"` key in the raw bytes is the event's: a quote inside a JSON string is
/// always escaped, so the four bytes `"id"` followed by `:` cannot occur inside a value.
/// A wrong guess could only come from malformed JSON, which the full parse rejects anyway;
/// the peek is used only to skip copies of ids already stored.
enum EventIDPeek {
    static func id(_ bytes: UnsafeRawBufferPointer) -> EventID? {
        let count = bytes.count
        var i = 0
        while i + 4 <= count {
            if bytes[i] == 0x22, bytes[i + 1] == 0x69, bytes[i + 2] == 0x64, bytes[i + 3] == 0x22 {
                var j = i + 4
                while j < count, bytes[j] == 0x20 || bytes[j] == 0x0A || bytes[j] == 0x0D || bytes[j] == 0x09 { j += 1 }
                guard j < count, bytes[j] == 0x3A else { i += 1; continue }
                j += 1
                while j < count, bytes[j] == 0x20 || bytes[j] == 0x0A || bytes[j] == 0x0D || bytes[j] == 0x09 { j += 1 }
                guard j + 66 <= count, bytes[j] == 0x22, bytes[j + 65] == 0x22 else { return nil }
                return EventID(hexUTF8: UnsafeRawBufferPointer(rebasing: bytes[(j + 1)..<(j + 65)]))
            }
            i += 1
        }
        return nil
    }
}
