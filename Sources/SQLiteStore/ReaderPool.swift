import Store
import Workers

/// N read-only connections, each owned by its own thread. Queries never run on an event
/// loop: async callers hand a closure over and wait. WAL lets every reader proceed while
/// the writer commits. Each query has a time budget, after which SQLite interrupts it.
final class ReaderPool: Sendable {
    private let pool: WorkerPool<SQLiteConnection>
    let timeBudget: Double

    init(path: String, count: Int, immutable: Bool, timeBudget: Double, memory: SQLiteStore.Memory) throws {
        var connections: [SQLiteConnection] = []
        for _ in 0..<max(1, count) {
            let connection = try SQLiteConnection(path: path, mode: immutable ? .immutable : .readOnly)
            try connection.execute(Pragmas.reader(memory))
            connections.append(connection)
        }
        try Migrator.check(connections[0])
        let owned = UncheckedBox(connections)
        pool = WorkerPool(name: "hearth-reader", count: connections.count, maxPending: 20_000) { owned.value[$0] }
        self.timeBudget = timeBudget
    }

    /// Runs `body` on a reader connection within the time budget (or `budget`: longer for
    /// background work that no client waits on).
    func read<T: Sendable>(budget: Double? = nil, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let budget = budget ?? timeBudget
        do {
            return try await pool.run { connection in
                try connection.withTimeBudget(budget) { try body(connection) }
            }
        } catch let error as WorkerPoolError {
            throw error == .closed ? StoreError.closed : StoreError.overloaded
        } catch {
            throw error.asStoreError(timeBudget: budget)
        }
    }

    var pending: Int { pool.pending }

    func close() { pool.shutdown() }
}
