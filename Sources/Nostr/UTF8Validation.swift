/// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
enum UTF8Validation {
    static func check(_ bytes: UnsafeRawBufferPointer) throws {
        guard isValid(bytes) else { throw JSONError("invalid UTF-8 in a string") }
    }

    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            func continuation(_ at: Int) -> UInt8? {
                guard at < n, bytes[at] & 0xC0 == 0x80 else { return nil }
                return bytes[at]
            }
            switch b0 {
            case 0xC2...0xDF:
                guard continuation(i + 1) != nil else { return false }
                i += 2
            case 0xE0...0xEF:
                guard let b1 = continuation(i + 1), continuation(i + 2) != nil else { return false }
                if b0 == 0xE0 && b1 < 0xA0 { return false }  // overlong
                if b0 == 0xED && b1 >= 0xA0 { return false }  // surrogate
                i += 3
            case 0xF0...0xF4:
                guard let b1 = continuation(i + 1), continuation(i + 2) != nil, continuation(i + 3) != nil
                else { return false }
                if b0 == 0xF0 && b1 < 0x90 { return false }  // overlong
                if b0 == 0xF4 && b1 >= 0x90 { return false }  // past U+10FFFF
                i += 4
            default:
                return false
            }
        }
        return true
    }
}
