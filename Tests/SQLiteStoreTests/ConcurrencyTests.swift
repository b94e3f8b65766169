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
}
