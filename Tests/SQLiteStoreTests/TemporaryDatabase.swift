import Foundation
import SQLiteStore
import StoreConformance

/// A database file in a fresh temporary folder, removed when the test is done with it.
struct TemporaryDatabase {
    let folder: URL
    var path: String { folder.appendingPathComponent("hearth.db").path }

    init() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-test-\(UUID().uuidString)")
    }

    func configuration(clock: TestClock? = nil) -> SQLiteStore.Configuration {
        var configuration = SQLiteStore.Configuration(path: path)
        configuration.readers = 2
        if let clock { configuration.now = clock.function }
        return configuration
    }

    func open(clock: TestClock? = nil) throws -> SQLiteStore {
        try SQLiteStore(configuration(clock: clock))
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
