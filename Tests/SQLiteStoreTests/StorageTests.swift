import Corpus
import Foundation
import Nostr
import Schema
import Store
import Testing
@testable import SQLiteStore

@Suite struct MigrationTests {
    @Test func everySchemaFileIsCompiledIn() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../schema/sqlite").standardizedFileURL
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == Schema.sqlite.map(\.name))
        #expect(Schema.sqlite.map(\.version) == Array(1...Schema.sqlite.count))
        for migration in Schema.sqlite {
            let text = try String(contentsOf: folder.appendingPathComponent(migration.name + ".sql"), encoding: .utf8)
            #expect(text == migration.sql, "\(migration.name) compiled in matches the file")
        }
    }

    @Test func recordsVersionsAndRefusesNewerFiles() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        await store.close()
        let db = try SQLiteConnection(path: database.path, mode: .readWrite)
        #expect(try Migrator.currentVersion(db) == Migrator.latestVersion)
        // Reopening applies nothing twice.
        let again = try database.open()
        await again.close()
        #expect(try db.scalar("SELECT count(*) FROM schema_version") == Int64(Migrator.latestVersion))
        try db.run("INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'from the future', 0)")
        #expect(throws: StoreError.newerSchema(found: 999, supported: Migrator.latestVersion)) { try database.open() }
        var readOnly = database.configuration()
        readOnly.readOnly = true
        #expect(throws: StoreError.newerSchema(found: 999, supported: Migrator.latestVersion)) { try SQLiteStore(readOnly) }
    }

    /// A file written before the feed index existed gets it filled in by the migration,
    /// with the same rows the writer keeps.
    @Test func postsMigrationIndexesExistingEvents() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let events = CorpusGenerator(options: CorpusOptions(users: 20, notes: 120, seed: 31)).events()
        _ = try await store.write(events.map { ValidatedEvent(event: $0) })
        let rows: @Sendable (SQLiteConnection) throws -> [String] = { db in
            var found: [String] = []
            try db.run("SELECT pubkey, is_reply, created_at, event, kind FROM posts") { row in
                found.append("\(Hex.encode(row.bytes(0)))|\(row.int64(1))|\(row.int64(2))|\(Hex.encode(row.bytes(3)))|\(row.int64(4))")
            }
            return found.sorted()
        }
        let kept = try await store.readers.read(rows)
        #expect(kept.count > 150)
        await store.close()
        // Make the file look like one from before migration 3 (and so before every later one).
        let db = try SQLiteConnection(path: database.path, mode: .readWrite)
        try db.execute("""
            DROP TABLE posts; DROP TABLE notifications_seen; DROP TABLE relays; DROP TABLE dm_read; DROP TABLE app_subsettings;
            DROP TABLE backfill; DELETE FROM schema_version WHERE version >= 3
            """)
        let upgraded = try database.open()
        #expect(try await upgraded.readers.read(rows) == kept)
        await upgraded.close()
    }

    /// A file from before migration 7 indexed contact lists' `p` tags in `tags` (and, with
    /// derived data off, had no `follows` rows): the migration moves them to `follows`.
    @Test func followsMigrationMovesContactListTags() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let events = CorpusGenerator(options: CorpusOptions(users: 30, notes: 60, seed: 7)).events()
        _ = try await store.write(events.map { ValidatedEvent(event: $0) })
        let follows: @Sendable (SQLiteConnection) throws -> [String] = { db in
            var found: [String] = []
            try db.run("SELECT followed, follower, created_at FROM follows") {
                found.append("\(Hex.encode($0.bytes(0)))|\(Hex.encode($0.bytes(1)))|\($0.int64(2))")
            }
            return found.sorted()
        }
        let kept = try await store.readers.read(follows)
        let popular = try #require(events.filter { $0.kind == 3 }.flatMap(TagIndex.followed).first)
        let filters = [Filter(kinds: [3], tags: ["p": [popular.hex]]), Filter(tags: ["p": [popular.hex]], limit: 500)]
        let answers = try await store.query(filters).map(\.id)
        #expect(kept.count > 100)
        #expect(try await store.query([filters[0]]).count > 1)
        await store.close()
        // Make the file look like one from before migration 7, written with derived data off.
        let db = try SQLiteConnection(path: database.path, mode: .readWrite)
        try db.execute("""
            INSERT INTO tags (name, value, created_at, event, kind)
            SELECT 'p', f.followed, e.created_at, e.rowid, 3 FROM follows AS f JOIN events AS e ON e.pubkey = f.follower AND e.kind = 3;
            DROP TABLE follows;
            CREATE TABLE follows (followed BLOB NOT NULL, follower BLOB NOT NULL, PRIMARY KEY (followed, follower)) WITHOUT ROWID;
            DROP TABLE backfill;
            ALTER TABLE relays DROP COLUMN backfill_slot; ALTER TABLE relays DROP COLUMN backfill_requests;
            ALTER TABLE relays DROP COLUMN backfill_events;
            DELETE FROM schema_version WHERE version >= 7
            """)
        #expect(try db.scalar("SELECT count(*) FROM tags WHERE kind = 3 AND name = 'p'") == Int64(kept.count))
        let upgraded = try database.open()
        #expect(try await upgraded.readers.read(follows) == kept)
        #expect(try db.scalar("SELECT count(*) FROM tags WHERE kind = 3 AND name = 'p'") == 0)
        #expect(try await upgraded.query(filters).map(\.id) == answers)
        await upgraded.close()
    }

    @Test func readOnlyStoresRefuseWrites() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let event = Event.signed(by: KeyPair.random(), createdAt: unixTime(), kind: 1, content: "x")
        _ = try await store.write([ValidatedEvent(event: event)])
        await store.close()
        var configuration = database.configuration()
        configuration.readOnly = true
        let readOnly = try SQLiteStore(configuration)
        #expect(try await readOnly.count([Filter()]) == 1)
        await #expect(throws: StoreError.readOnly) { try await readOnly.write([ValidatedEvent(event: event)]) }
        await readOnly.close()
    }

    func unixTime() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

@Suite struct CompactEventJSONTests {
    @Test func reassemblesAnySerializationByteForByte() throws {
        var rng = SplitMix64(seed: 8)
        let keys = KeyPair(secretKey: SHA256Digest32.hash(Array("compact".utf8)))!
        for i in 0..<300 {
            let event = Event.signed(by: keys, createdAt: Int64(i), kind: 1, tags: [["p", keys.publicKey.hex]],
                                     content: "n\(i) \(keys.publicKey.hex)")
            // Shuffle keys, vary whitespace, add unknown keys that repeat the hex.
            var members = [("id", "\"\(event.id.hex)\""), ("pubkey", "\"\(event.pubkey.hex)\""),
                           ("created_at", "\(event.createdAt)"), ("kind", "1"),
                           ("tags", "[[\"p\",\"\(keys.publicKey.hex)\"]]"),
                           ("content", "\"n\(i) \(keys.publicKey.hex)\""), ("sig", "\"\(event.sig.hex)\"")]
            if rng.chance(0.3) { members.append(("seen", "{\"id\":\"\(event.id.hex)\"}")) }
            if i > 0 { members.shuffle(using: &rng) }
            let space = rng.chance(0.5) ? " " : ""
            let json = Array(("{" + space + members.map { "\"\($0.0)\":" + space + $0.1 }.joined(separator: "," + space) + "}").utf8)
            #expect(try EventParser.parse(json) == event)
            let compact = try #require(CompactEventJSON.encode(json, event: event))
            #expect(compact.count == json.count - CompactEventJSON.removedBytes + CompactEventJSON.headerSize)
            #expect(CompactEventJSON.decode(compact, id: event.id, pubkey: event.pubkey, sig: event.sig) == json)
        }
        // The writer's own form takes the fast path and round-trips too.
        let event = Event.signed(by: keys, createdAt: 5, kind: 1, content: "fast")
        let compact = try #require(CompactEventJSON.encode(event.json, event: event))
        #expect(CompactEventJSON.decode(compact, id: event.id, pubkey: event.pubkey, sig: event.sig) == event.json)
        // JSON stored before compaction (starts with "{") is returned as it is.
        #expect(CompactEventJSON.decode(event.json, id: event.id, pubkey: event.pubkey, sig: event.sig) == event.json)
    }
}

@Suite struct ReaderPoolTests {
    @Test func slowQueriesAreInterrupted() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        var configuration = database.configuration()
        configuration.queryTimeBudget = 0.05
        let store = try SQLiteStore(configuration)
        await #expect(throws: StoreError.timeout(seconds: 0.05)) {
            try await store.readers.read { db in
                try db.scalar("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")
            }
        }
        // The connection is usable afterwards.
        #expect(try await store.count([Filter()]) == 0)
        await store.close()
    }
}
