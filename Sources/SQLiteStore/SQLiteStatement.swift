import CSQLite
import Nostr

/// A value to bind to a statement parameter. Texts compare by their bytes, as SQLite does
/// (see `TagValue`).
enum SQLiteValue: Hashable {
    case int(Int64)
    case text(String)
    case blob([UInt8])
    case null

    static func id(_ value: Bytes32) -> SQLiteValue { .blob(value.bytes) }

    static func == (a: SQLiteValue, b: SQLiteValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.text(let x), .text(let y)): return TagValue(x) == TagValue(y)
        case (.blob(let x), .blob(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .int(let v): hasher.combine(0); hasher.combine(v)
        case .text(let v): hasher.combine(1); hasher.combine(TagValue(v))
        case .blob(let v): hasher.combine(2); hasher.combine(v)
        case .null: hasher.combine(3)
        }
    }
}

/// A prepared statement, owned by one connection (and so by one thread).
///
/// Use: bind, step until it returns false, and `reset()` (the connection's cache hands out
/// reset statements; `SQLiteConnection.run` does all three).
final class SQLiteStatement {
    let handle: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ values: [SQLiteValue]) throws {
        for (i, value) in values.enumerated() { try bind(value, at: Int32(i + 1)) }
    }

    func bind(_ value: SQLiteValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .int(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .text(let s): rc = bindText(s, at: index)
        case .blob(let bytes):
            rc = bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), Self.transient) }
        case .null: rc = sqlite3_bind_null(handle, index)
        }
        guard rc == SQLITE_OK else { throw connection.error(rc) }
    }

    func bind(_ value: Int64, at index: Int32) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ value: Int, at index: Int32) { sqlite3_bind_int64(handle, index, Int64(value)) }

    func bind(_ value: Bytes32, at index: Int32) {
        value.withUnsafeBytes { _ = sqlite3_bind_blob(handle, index, $0.baseAddress, 32, Self.transient) }
    }

    func bind(_ bytes: [UInt8], at index: Int32) {
        bytes.withUnsafeBytes {
            _ = sqlite3_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), Self.transient)
        }
    }

    func bind(_ text: String, at index: Int32) { bindText(text, at: index) }

    /// Binds by byte length, never as a C string: NIP-01 text may hold U+0000, and a length
    /// of -1 would cut it there (two addresses `a\0b` and `a` would become one).
    @discardableResult
    private func bindText(_ text: String, at index: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { utf8 in
            // A nil base (the empty string) would bind NULL: bind a zero-length text instead.
            guard let base = utf8.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, Self.transient) }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text(handle, index, $0, Int32(utf8.count), Self.transient)
            }
        }
    }
    func bindNull(at index: Int32) { sqlite3_bind_null(handle, index) }

    /// Advances; true when a row is available.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.error(rc)
    }

    // MARK: Columns

    var columnCount: Int32 { sqlite3_column_count(handle) }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func isBlob(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_BLOB }

    /// A column as whatever type it holds (a real reads as its integer part).
    func value(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: return .null
        case SQLITE_TEXT: return text(column).map(SQLiteValue.text) ?? .null
        case SQLITE_BLOB: return .blob(bytes(column))
        default: return .int(int64(column))
        }
    }

    func bytes(_ column: Int32) -> [UInt8] {
        guard let pointer = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func bytes32(_ column: Int32) -> Bytes32? {
        guard let pointer = sqlite3_column_blob(handle, column), sqlite3_column_bytes(handle, column) == 32 else { return nil }
        return Bytes32(bytes: UnsafeRawBufferPointer(start: pointer, count: 32))
    }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}
