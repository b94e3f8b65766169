import ArgumentParser
import SQLiteStore

/// `--db`, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "Database file (created with its folder if missing).")
    var path = "data/hearth.db"

    @OptionGroup var memory: MemoryOptions

    func open(readOnly: Bool = false, bulkCommitEvents: Int = 0) throws -> SQLiteStore {
        var configuration = SQLiteStore.Configuration(path: path)
        configuration.readOnly = readOnly
        configuration.readers = 2
        configuration.memory = memory.memory
        configuration.bulkCommitEvents = bulkCommitEvents
        do {
            return try SQLiteStore(configuration)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
