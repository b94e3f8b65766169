/// Why a piece of JSON was refused, in words a client can act on.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A forward-only reader over UTF-8 JSON bytes: the byte-level parser under the event codec,
/// the generic `JSONValue` parser and the message parsers.
///
/// It never copies the input; the caller keeps the buffer alive while reading. Strings are
/// validated as UTF-8 and raw control characters inside them are refused, as RFC 8259 asks.
public struct JSONReader {
    public let bytes: UnsafeRawBufferPointer
    public var position: Int

    /// Deepest nesting accepted anywhere; deeper input is refused instead of recursing.
    public static let maxDepth = 64

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.position = 0
    }

    public var isAtEnd: Bool { position >= bytes.count }

    @inline(__always)
    public mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, without consuming it; nil at the end of input.
    @inline(__always)
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    /// Consumes `byte` (after whitespace) or fails with `what` in the message.
    @inline(__always)
    public mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws {
        guard peek() == byte else { throw JSONError("expected \(what())") }
        position += 1
    }

    /// Consumes `byte` if it is next; reports whether it did.
    @inline(__always)
    public mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    /// After the opening bracket of an array or object: consumes a `,` and returns true, or
    /// consumes the closing bracket and returns false.
    public mutating func nextElement(closing: UInt8, first: inout Bool) throws -> Bool {
        if first {
            first = false
            if consume(closing) { return false }
            return true
        }
        if consume(0x2C) { return true }
        if consume(closing) { return false }
        throw JSONError("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
    }

    /// Checks that nothing but whitespace remains.
    public mutating func expectEnd() throws {
        skipWhitespace()
        guard position == bytes.count else { throw JSONError("unexpected data after the JSON value") }
    }

    // MARK: Strings

    /// Reads a JSON string and returns its decoded text.
    public mutating func readString() throws -> String {
        try expect(0x22, "a string")
        let start = position
        var ascii = true
        while position < bytes.count {
            let c = bytes[position]
            if c == 0x22 {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                position += 1
                if !ascii { try UTF8Validation.check(raw) }
                return String(decoding: raw, as: UTF8.self)
            }
            if c == 0x5C { return try readEscapedString(from: start) }
            if c < 0x20 { throw JSONError("control character inside a string") }
            if c >= 0x80 { ascii = false }
            position += 1
        }
        throw JSONError("unterminated string")
    }

    /// Reads a string that is exactly `count` bytes between its quotes with no escapes, and
    /// returns those bytes' range; used for hex fields, which are never escaped.
    public mutating func readPlainString(count: Int) -> Range<Int>? {
        guard peek() == 0x22 else { return nil }
        let start = position + 1
        let end = start + count
        guard end < bytes.count, bytes[end] == 0x22 else { return nil }
        for i in start..<end where bytes[i] == 0x5C || bytes[i] == 0x22 { return nil }
        position = end + 1
        return start..<end
    }

    private mutating func readEscapedString(from start: Int) throws -> String {
        var out = [UInt8]()
        out.reserveCapacity(position - start + 16)
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let c = bytes[position]
            position += 1
            switch c {
            case 0x22:
                try out.withUnsafeBytes { try UTF8Validation.check($0) }
                return String(decoding: out, as: UTF8.self)
            case 0x5C:
                try readEscape(into: &out)
            case 0..<0x20:
                throw JSONError("control character inside a string")
            default:
                out.append(c)
            }
        }
        throw JSONError("unterminated string")
    }

    private mutating func readEscape(into out: inout [UInt8]) throws {
        guard position < bytes.count else { throw JSONError("unterminated string") }
        let c = bytes[position]
        position += 1
        switch c {
        case 0x22: out.append(0x22)
        case 0x5C: out.append(0x5C)
        case 0x2F: out.append(0x2F)
        case 0x62: out.append(0x08)
        case 0x66: out.append(0x0C)
        case 0x6E: out.append(0x0A)
        case 0x72: out.append(0x0D)
        case 0x74: out.append(0x09)
        case 0x75: try readUnicodeEscape(into: &out)
        default: throw JSONError("invalid escape sequence in a string")
        }
    }

    private mutating func readHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw JSONError("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let digit = Hex.lenientValues[Int(bytes[position])]
            guard digit < 16 else { throw JSONError("invalid \\u escape") }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func readUnicodeEscape(into out: inout [UInt8]) throws {
        var scalar = try readHex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard position + 2 <= bytes.count, bytes[position] == 0x5C, bytes[position + 1] == 0x75
            else { throw JSONError("lone surrogate in a \\u escape") }
            position += 2
            let low = try readHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw JSONError("lone surrogate in a \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw JSONError("lone surrogate in a \\u escape")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw JSONError("invalid \\u escape") }
        out.append(contentsOf: UTF8.encode(unicode)!)
    }

    // MARK: Numbers

    /// Reads a JSON integer that fits in Int64; a fraction or exponent is an error.
    public mutating func readInt64() throws -> Int64 {
        guard let first = peek() else { throw JSONError("expected a number") }
        let negative = first == 0x2D
        if negative { position += 1 }
        guard position < bytes.count, (0x30...0x39).contains(bytes[position]) else {
            throw JSONError("expected a number")
        }
        if bytes[position] == 0x30, position + 1 < bytes.count, (0x30...0x39).contains(bytes[position + 1]) {
            throw JSONError("numbers must not have leading zeros")
        }
        var magnitude: UInt64 = 0
        while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[position] - 0x30))
            guard !o1, !o2 else { throw JSONError("number out of range") }
            magnitude = sum
            position += 1
        }
        if position < bytes.count, [0x2E, 0x65, 0x45].contains(bytes[position]) {
            throw JSONError("expected an integer, found a fraction or exponent")
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw JSONError("number out of range") }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw JSONError("number out of range") }
        return Int64(magnitude)
    }

    /// Reads any JSON number and returns the text of it, validated against the grammar.
    public mutating func readNumberText() throws -> Substring {
        skipWhitespace()
        let start = position
        if position < bytes.count, bytes[position] == 0x2D { position += 1 }
        func digits() -> Int {
            let s = position
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) { position += 1 }
            return position - s
        }
        let intStart = position
        let intDigits = digits()
        guard intDigits > 0 else { throw JSONError("expected a number") }
        if intDigits > 1, bytes[intStart] == 0x30 { throw JSONError("numbers must not have leading zeros") }
        if position < bytes.count, bytes[position] == 0x2E {
            position += 1
            guard digits() > 0 else { throw JSONError("malformed number") }
        }
        if position < bytes.count, bytes[position] | 0x20 == 0x65 {
            position += 1
            if position < bytes.count, bytes[position] == 0x2B || bytes[position] == 0x2D { position += 1 }
            guard digits() > 0 else { throw JSONError("malformed number") }
        }
        return Substring(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    // MARK: Literals and skipping

    public mutating func readLiteral(_ word: StaticString) throws {
        skipWhitespace()
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count,
              memcmp(bytes.baseAddress! + position, word.utf8Start, count) == 0
        else { throw JSONError("invalid literal") }
        position += count
    }

    /// Skips one JSON value of any type, checking its syntax, without building it.
    public mutating func skipValue() throws {
        var depth = 0
        var closers = [UInt8]()
        repeat {
            guard let c = peek() else { throw JSONError("unexpected end of JSON") }
            switch c {
            case 0x7B, 0x5B:
                depth += 1
                guard depth <= JSONReader.maxDepth else { throw JSONError("JSON nested too deeply") }
                position += 1
                let closing: UInt8 = c == 0x7B ? 0x7D : 0x5D
                closers.append(closing)
                if consume(closing) { closers.removeLast(); depth -= 1; break }
                if closing == 0x7D { _ = try readString(); try expect(0x3A, "':'") }
                continue
            case 0x22: _ = try readString()
            case 0x74: try readLiteral("true")
            case 0x66: try readLiteral("false")
            case 0x6E: try readLiteral("null")
            default: _ = try readNumberText()
            }
            // After a complete value: close containers or move to the next element.
            while let closing = closers.last {
                if consume(closing) { closers.removeLast(); depth -= 1; continue }
                try expect(0x2C, "',' or a closing bracket")
                if closing == 0x7D { _ = try readString(); try expect(0x3A, "':'") }
                break
            }
        } while !closers.isEmpty
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
