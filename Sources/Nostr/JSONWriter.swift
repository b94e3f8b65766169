/// Appends JSON to a byte buffer with JavaScript's `JSON.stringify` string rules.
///
/// Those rules are what NIP-01 hashes: `\" \\ \b \f \n \r \t` as short escapes, every other
/// character below U+0020 as lowercase `\u00xx`, and everything else (including `/`, DEL and
/// U+2028/U+2029) verbatim. Foundation's encoder writes `/` as `\/` on Linux, which is why
/// every event and synthetic object goes through this writer instead.
public struct JSONWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Continues writing after `bytes` (move a buffer in to append without copying).
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Scalars

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { string(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Writes UTF-8 text as a JSON string.
    public mutating func string(utf8: UnsafeRawBufferPointer) {
        bytes.append(0x22)
        var runStart = 0
        for i in 0..<utf8.count {
            let c = utf8[i]
            guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart..<i])) }
            runStart = i + 1
            bytes.append(0x5C)
            switch c {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            case 0x08: bytes.append(0x62)
            case 0x0C: bytes.append(0x66)
            case 0x0A: bytes.append(0x6E)
            case 0x0D: bytes.append(0x72)
            case 0x09: bytes.append(0x74)
            default:
                bytes.append(contentsOf: [0x75, 0x30, 0x30, Hex.digits[Int(c >> 4)], Hex.digits[Int(c & 0x0F)]])
            }
        }
        if runStart < utf8.count {
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(0x22)
    }

    public mutating func int<I: BinaryInteger>(_ value: I) {
        if value == 0 { bytes.append(0x30); return }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(0x2D) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[19 - count] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(20 - count)..<20]))
        }
    }

    public mutating func double(_ value: Double) {
        if value.isFinite, value == value.rounded(), abs(value) < 9e15 {
            int(Int64(value))
        } else if value.isFinite {
            bytes.append(contentsOf: "\(value)".utf8)
        } else {
            null()
        }
    }

    public mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    public mutating func null() {
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
    }

    /// Lowercase hex of 32 bytes, as a JSON string.
    public mutating func hex(_ value: Bytes32) {
        bytes.append(0x22)
        value.appendHex(to: &bytes)
        bytes.append(0x22)
    }

    /// Appends JSON that is already serialized (a stored event, a nested object).
    public mutating func raw<Bytes: Sequence>(_ json: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: json)
    }

    public mutating func byte(_ c: UInt8) { bytes.append(c) }

    // MARK: Containers

    /// Writes `{…}`; `body` adds members through the object writer.
    public mutating func object(_ body: (inout ObjectWriter) -> Void) {
        bytes.append(0x7B)
        var object = ObjectWriter(writer: self)
        bytes = []
        body(&object)
        self = object.writer
        bytes.append(0x7D)
    }

    /// Writes `[…]`; `body` adds elements through the array writer.
    public mutating func array(_ body: (inout ArrayWriter) -> Void) {
        bytes.append(0x5B)
        var array = ArrayWriter(writer: self)
        bytes = []
        body(&array)
        self = array.writer
        bytes.append(0x5D)
    }

    public mutating func stringArray(_ values: [String]) {
        array { a in for v in values { a.string(v) } }
    }

    /// Writes a JSON value tree.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let items): array { a in for item in items { a.value(item) } }
        case .object(let members):
            object { o in for key in members.keys.sorted() { o.value(key, members[key]!) } }
        }
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Adds `"key":value` members to an object being written, with the commas between them.
public struct ObjectWriter {
    fileprivate var writer: JSONWriter
    private var count = 0

    fileprivate init(writer: JSONWriter) { self.writer = writer }

    public mutating func key(_ key: String) {
        if count > 0 { writer.bytes.append(0x2C) }
        count += 1
        writer.string(key)
        writer.bytes.append(0x3A)
    }

    public mutating func string(_ key: String, _ value: String) { self.key(key); writer.string(value) }
    /// A member whose value is the JSON string of UTF-8 `bytes` (JSON text nested as a string).
    public mutating func string(_ key: String, utf8 bytes: [UInt8]) {
        self.key(key)
        bytes.withUnsafeBytes { writer.string(utf8: $0) }
    }
    public mutating func int<I: BinaryInteger>(_ key: String, _ value: I) { self.key(key); writer.int(value) }
    public mutating func double(_ key: String, _ value: Double) { self.key(key); writer.double(value) }
    public mutating func bool(_ key: String, _ value: Bool) { self.key(key); writer.bool(value) }
    public mutating func null(_ key: String) { self.key(key); writer.null() }
    public mutating func hex(_ key: String, _ value: Bytes32) { self.key(key); writer.hex(value) }
    public mutating func value(_ key: String, _ value: JSONValue) { self.key(key); writer.value(value) }
    public mutating func raw<Bytes: Sequence>(_ key: String, _ json: Bytes) where Bytes.Element == UInt8 {
        self.key(key); writer.raw(json)
    }
    public mutating func stringArray(_ key: String, _ values: [String]) { self.key(key); writer.stringArray(values) }
    public mutating func object(_ key: String, _ body: (inout ObjectWriter) -> Void) { self.key(key); writer.object(body) }
    public mutating func array(_ key: String, _ body: (inout ArrayWriter) -> Void) { self.key(key); writer.array(body) }
    /// A member whose value is `body`'s JSON serialized into a string (Primal's `content`).
    public mutating func jsonString(_ key: String, _ body: (inout JSONWriter) -> Void) {
        self.key(key)
        var inner = JSONWriter()
        body(&inner)
        inner.bytes.withUnsafeBytes { writer.string(utf8: $0) }
    }
}

/// Adds elements to an array being written, with the commas between them.
public struct ArrayWriter {
    fileprivate var writer: JSONWriter
    private var count = 0

    fileprivate init(writer: JSONWriter) { self.writer = writer }

    private mutating func separator() {
        if count > 0 { writer.bytes.append(0x2C) }
        count += 1
    }

    public mutating func string(_ value: String) { separator(); writer.string(value) }
    public mutating func int<I: BinaryInteger>(_ value: I) { separator(); writer.int(value) }
    public mutating func hex(_ value: Bytes32) { separator(); writer.hex(value) }
    public mutating func value(_ value: JSONValue) { separator(); writer.value(value) }
    public mutating func raw<Bytes: Sequence>(_ json: Bytes) where Bytes.Element == UInt8 { separator(); writer.raw(json) }
    public mutating func object(_ body: (inout ObjectWriter) -> Void) { separator(); writer.object(body) }
    public mutating func array(_ body: (inout ArrayWriter) -> Void) { separator(); writer.array(body) }
}
