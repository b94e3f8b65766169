import CSQLite
import Store

/// An error reported by SQLite, with its result code and message.
struct SQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    var description: String { "\(message) (SQLite code \(code))" }

    var isInterrupt: Bool { code & 0xFF == SQLITE_INTERRUPT }

    /// The backend-neutral form callers of `EventStore` see.
    func storeError(timeBudget: Double) -> StoreError {
        isInterrupt ? .timeout(seconds: timeBudget) : .database(description)
    }
}

extension Error {
    /// Maps any error from the SQLite layer to a `StoreError`.
    func asStoreError(timeBudget: Double = 0) -> StoreError {
        if let error = self as? StoreError { return error }
        if let error = self as? SQLiteError { return error.storeError(timeBudget: timeBudget) }
        return .database("\(self)")
    }
}
