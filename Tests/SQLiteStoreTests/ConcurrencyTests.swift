import Foundation
import Corpus
import Nostr
import Store
import Synchronization
import Testing
@testable import SQLiteStore

/// Readers keep answering while the writer commits large batches; nobody sees SQLITE_BUSY.
@Suite struct ConcurrencyTests {
    final class Flag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    @Test func readersRunDuringLargeCommits() async throws {
        let events = CorpusGenerator(options: CorpusOptions(users: 100, notes: 3_000, seed: 4)).events()
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let done = Flag()
        let readers = (0..<4).map { _ in
            Task { () -> (queries: Int, monotonic: Bool) in
                var queries = 0, last = 0, monotonic = true
                repeat {
                    let count = try await store.count([Filter(kinds: [1, 7])])
                    _ = try await store.query([Filter(kinds: [1], limit: 20), Filter(tags: ["t": ["nostr"]], limit: 5)])
                    monotonic = monotonic && count >= last
                    last = count
                    queries += 1
                } while !done.raised.load(ordering: .acquiring) || queries < 3
                return (queries, monotonic)
            }
        }
        for start in stride(from: 0, to: events.count, by: 2_500) {
            _ = try await store.write(events[start..<min(start + 2_500, events.count)].map { ValidatedEvent(event: $0) })
        }
        done.raised.store(true, ordering: .releasing)
        for reader in readers {
            let (queries, monotonic) = try await reader.value
            #expect(queries >= 3)
            #expect(monotonic, "a reader saw the count go down")
        }
        #expect(try await store.count([Filter()]) > events.count * 9 / 10)
        await store.close()
    }

    /// Checkpoints run beside the writer, yet a log written to without pause still starts
    /// over: it stays near the threshold instead of growing with everything written, readers
    /// keep reading, and the file is sound.
    @Test func checkpointsRunOffTheWriterAndTheLogStaysBounded() async throws {
        let events = CorpusGenerator(options: CorpusOptions(users: 200, notes: 3_000, seed: 5)).events()
        let database = TemporaryDatabase()
        defer { database.remove() }
        var configuration = database.configuration()
        configuration.checkpointFrames = 300
        let store = try SQLiteStore(configuration)
        let walPath = database.path + "-wal"
        var largestLog = 0
        for start in stride(from: 0, to: events.count, by: 200) {
            _ = try await store.write(events[start..<min(start + 200, events.count)].map { ValidatedEvent(event: $0) })
            _ = try await store.count([Filter(kinds: [1])])
            let size = (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
            largestLog = max(largestLog, size ?? 0)
        }
        let fileSize = (try FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int) ?? 0
        #expect(store.writer!.checkpoints >= 2, "checkpoints ran: \(store.writer!.checkpoints)")
        #expect(largestLog < fileSize, "the log (\(largestLog) bytes at most) started over instead of holding everything (file \(fileSize))")
        let problems = try await store.integrityCheck()
        #expect(problems.isEmpty, "\(problems)")
        #expect(try await store.count([Filter()]) > events.count * 9 / 10)
        await store.close()
    }
}
