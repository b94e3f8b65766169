import CSQLite
import Foundation
import Workers

/// One SQLite connection with a cache of prepared statements. Owned by exactly one thread:
/// the writer, or one reader of the pool.
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String
    private var statements: [String: SQLiteStatement] = [:]
    /// Statements from SQL literals, keyed by the literal's address: no string hashing on
    /// the writer's hot path.
    private var staticStatements: [UInt: SQLiteStatement] = [:]
    private var statementOrder: [String] = []
    private static let maxCachedStatements = 256

    /// When set (monotonic seconds), queries past it are interrupted.
    var deadline: Double = 0

    enum Mode { case readWrite, readOnly, immutable }

    /// Process-wide SQLite settings, applied before the first connection opens.
    private static let configured: Bool = {
        _ = hearth_sqlite3_disable_memstatus()
        return true
    }()

    init(path: String, mode: Mode) throws {
        _ = Self.configured
        var db: OpaquePointer?
        let flags: Int32
        var uri = path
        switch mode {
        case .readWrite: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        case .readOnly: flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        case .immutable:
            flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
            uri = "file:" + path.replacingOccurrences(of: "?", with: "%3f").replacingOccurrences(of: "#", with: "%23") + "?immutable=1"
        }
        let rc = sqlite3_open_v2(uri, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "cannot open \(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        installProgressHandler()
    }

    deinit {
        statements.removeAll()
        staticStatements.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ code: Int32) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)))
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw SQLiteError(code: rc, message: text)
        }
    }

    /// A prepared statement for a SQL literal, cached for the life of the connection.
    func prepare(_ sql: StaticString) throws -> SQLiteStatement {
        let key = UInt(bitPattern: sql.utf8Start)
        if let cached = staticStatements[key] { return cached }
        let statement = try compile(sql.withUTF8Buffer { String(decoding: $0, as: UTF8.self) })
        staticStatements[key] = statement
        return statement
    }

    /// Prepares, binds, calls `row` for each result row, and resets a SQL literal.
    func run(_ sql: StaticString, _ values: [SQLiteValue] = [], row: (SQLiteStatement) throws -> Void = { _ in }) throws {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() { try row(statement) }
    }

    /// The first column of the first row of a SQL literal as an integer.
    func scalar(_ sql: StaticString, _ values: [SQLiteValue] = []) throws -> Int64? {
        var result: Int64?
        try run(sql, values) { row in
            if result == nil, !row.isNull(0) { result = row.int64(0) }
        }
        return result
    }

    private func compile(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc) }
        return SQLiteStatement(handle: stmt, connection: self)
    }

    /// A prepared statement for built SQL text, from a bounded cache; reset and unbound.
    func prepare(built sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let statement = try compile(sql)
        if statements.count >= Self.maxCachedStatements {
            let oldest = statementOrder.removeFirst()
            statements[oldest] = nil
        }
        statements[sql] = statement
        statementOrder.append(sql)
        return statement
    }

    /// Prepares (cached), binds, calls `row` for each result row, and resets built SQL.
    func run(built sql: String, _ values: [SQLiteValue] = [], row: (SQLiteStatement) throws -> Void = { _ in }) throws {
        let statement = try prepare(built: sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() { try row(statement) }
    }

    /// The first column of the first row of built SQL as an integer, or nil.
    func scalar(built sql: String, _ values: [SQLiteValue] = []) throws -> Int64? {
        var result: Int64?
        try run(built: sql, values) { row in
            if result == nil, !row.isNull(0) { result = row.int64(0) }
        }
        return result
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` with queries interrupted after `seconds` (SQLITE_INTERRUPT).
    func withTimeBudget<T>(_ seconds: Double, _ body: () throws -> T) rethrows -> T {
        deadline = seconds > 0 ? monotonicNow() + seconds : 0
        defer { deadline = 0 }
        return try body()
    }

    /// Checks the deadline every few thousand virtual-machine steps; returning non-zero makes
    /// SQLite stop the statement with SQLITE_INTERRUPT, as `sqlite3_interrupt` would.
    private func installProgressHandler() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(handle, 4_000, { context in
            let connection = Unmanaged<SQLiteConnection>.fromOpaque(context!).takeUnretainedValue()
            return connection.deadline > 0 && monotonicNow() > connection.deadline ? 1 : 0
        }, context)
    }
}
