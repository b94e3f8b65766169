/// A parsed JSON value, for messages, filters and request params (not for events, which
/// have their own parser).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in Int64.
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses one JSON document. Duplicate object keys are refused.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var reader = JSONReader(bytes)
        let value = try parse(&reader, depth: 0)
        try reader.expectEnd()
        return value
    }

    public static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse(UnsafeRawBufferPointer($0)) }
    }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0) }
    }

    /// Parses the value at the reader's position.
    public static func parse(_ reader: inout JSONReader, depth: Int = 0) throws -> JSONValue {
        guard depth < JSONReader.maxDepth else { throw JSONError("JSON nested too deeply") }
        guard let c = reader.peek() else { throw JSONError("unexpected end of JSON") }
        switch c {
        case 0x7B:
            reader.position += 1
            var members: [String: JSONValue] = [:]
            var first = true
            while try reader.nextElement(closing: 0x7D, first: &first) {
                let key = try reader.readString()
                try reader.expect(0x3A, "':' after a key")
                let value = try parse(&reader, depth: depth + 1)
                guard members.updateValue(value, forKey: key) == nil else {
                    throw JSONError("duplicate key: \(key)")
                }
            }
            return .object(members)
        case 0x5B:
            reader.position += 1
            var items: [JSONValue] = []
            var first = true
            while try reader.nextElement(closing: 0x5D, first: &first) {
                items.append(try parse(&reader, depth: depth + 1))
            }
            return .array(items)
        case 0x22: return .string(try reader.readString())
        case 0x74: try reader.readLiteral("true"); return .bool(true)
        case 0x66: try reader.readLiteral("false"); return .bool(false)
        case 0x6E: try reader.readLiteral("null"); return .null
        default:
            let text = try reader.readNumberText()
            if let int = Int64(text) { return .int(int) }
            guard let double = Double(text), double.isFinite else { throw JSONError("number out of range") }
            return .double(double)
        }
    }

    // MARK: Access

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// An integer, also from a double with no fractional part (JavaScript sends `20.0`).
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// Serialized with `JSONWriter` (object keys sorted, so output is stable).
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    public var jsonText: String { String(decoding: jsonBytes, as: UTF8.self) }
}
