import ArgumentParser
import SQLiteStore

/// How much memory SQLite may use: shared by every command that opens the database.
struct MemoryOptions: ParsableArguments {
    private static func env(_ name: String) -> Int? { Serve.env(name).flatMap { Int($0) } }
    private static let defaults = SQLiteStore.Memory()

    @Option(name: .customLong("writer-cache-mb"), help: "The writer's page cache, MiB (env HEARTH_WRITER_CACHE_MB).")
    var writerCache = env("WRITER_CACHE_MB") ?? defaults.writerCacheMiB

    @Option(name: .customLong("reader-cache-mb"), help: "Each reader's page cache, MiB (env HEARTH_READER_CACHE_MB).")
    var readerCache = env("READER_CACHE_MB") ?? defaults.readerCacheMiB

    @Option(name: .customLong("mmap-mb"), help: "The part of the file each connection reads through a memory map, MiB; 0 (the default) turns it off (env HEARTH_MMAP_MB).")
    var mmap = env("MMAP_MB") ?? defaults.mmapMiB

    func validate() throws {
        guard writerCache >= 1, readerCache >= 1, mmap >= 0 else {
            throw ValidationError("page caches take at least 1 MiB and --mmap-mb at least 0")
        }
    }

    var memory: SQLiteStore.Memory {
        var memory = SQLiteStore.Memory()
        memory.writerCacheMiB = writerCache
        memory.readerCacheMiB = readerCache
        memory.mmapMiB = mmap
        return memory
    }
}
