import Schema
import Store
import Workers

/// Brings a database file up to the schema this Hearth knows, one recorded migration at a
/// time, and refuses a file written by a newer Hearth.
enum Migrator {
    static var latestVersion: Int { Schema.sqlite.last?.version ?? 0 }

    static func migrate(_ connection: SQLiteConnection) throws {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_version (
                version    INTEGER PRIMARY KEY,
                name       TEXT    NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """)
        let current = try currentVersion(connection)
        guard current <= latestVersion else {
            throw StoreError.newerSchema(found: current, supported: latestVersion)
        }
        for migration in Schema.sqlite where migration.version > current {
            try connection.execute("BEGIN IMMEDIATE")
            do {
                try connection.execute(migration.sql)
                try connection.run(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    [.int(Int64(migration.version)), .text(migration.name), .int(unixNow())])
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw StoreError.database("migration \(migration.name) failed: \(error)")
            }
        }
    }

    static func currentVersion(_ connection: SQLiteConnection) throws -> Int {
        Int(try connection.scalar("SELECT max(version) FROM schema_version") ?? 0)
    }

    /// Checks a file opened read-only: it must already be at a version this Hearth reads.
    static func check(_ connection: SQLiteConnection) throws {
        let exists = try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'") ?? 0
        guard exists > 0 else { throw StoreError.database("\(connection.path) is not a Hearth database") }
        let current = try currentVersion(connection)
        guard current <= latestVersion else { throw StoreError.newerSchema(found: current, supported: latestVersion) }
        guard current == latestVersion else {
            throw StoreError.database("\(connection.path) has schema version \(current); open it once read-write to upgrade it to \(latestVersion)")
        }
    }
}

/// Connection settings (DESIGN.md, Storage).
enum Pragmas {
    /// The writer: 8 KiB pages (set when the file is created; events are ~0.7 KiB and fill
    /// larger pages with less waste), WAL, NORMAL sync (durable at checkpoints, never corrupt), no foreign keys
    /// on the hot path, no zeroing of freed pages, a bounded WAL file. (Checkpoints are the
    /// `Checkpointer`'s, off the writer's thread.)
    static func writer(_ memory: SQLiteStore.Memory) -> String {
        """
        PRAGMA page_size = 8192;
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        PRAGMA foreign_keys = OFF;
        PRAGMA secure_delete = OFF;
        PRAGMA temp_store = MEMORY;
        PRAGMA cache_size = -\(memory.writerCacheMiB * 1024);
        PRAGMA mmap_size = \(memory.mmapMiB << 20);
        PRAGMA journal_size_limit = 67108864;
        PRAGMA busy_timeout = 10000;
        """
    }

    /// Readers: read only, their own page cache (and a memory map only when asked for).
    static func reader(_ memory: SQLiteStore.Memory) -> String {
        """
        PRAGMA query_only = ON;
        PRAGMA temp_store = MEMORY;
        PRAGMA cache_size = -\(memory.readerCacheMiB * 1024);
        PRAGMA mmap_size = \(memory.mmapMiB << 20);
        PRAGMA busy_timeout = 10000;
        """
    }
}
