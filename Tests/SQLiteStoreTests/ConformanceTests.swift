import Store
import StoreConformance
import Testing
@testable import SQLiteStore

/// The backend-neutral EventStore suite, on SQLite.
@Suite struct ConformanceTests {
    @Test(arguments: StoreConformance.cases)
    func conformance(_ testCase: StoreConformance.Case) async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        try await testCase.run { clock in try database.open(clock: clock) }
    }
}
