import CacheAPI
import Foundation
import HummingbirdWSClient
import Nostr
import SQLiteStore
import Synchronization
import Workers

/// Primal cache ops at 100k events. Server time: the op run in process on the benchmark's
/// database through `CacheService` (decode, queries, objects; no socket), "cold" the first
/// request for each subject (the result cache has never seen it), "warm" repeats them.
/// Round trip: the same warm requests from one client to `hearth serve` in its own
/// process over loopback, one at a time, text frames (every object its own frame).
enum CacheBench {
    struct Shape {
        let name: String
        let target: String
        /// `{"cache": [op, params]}` filters.
        let requests: [String]
    }

    static func run(corpus: BenchCorpus, databasePath: String) async throws -> BenchTable {
        let shapes = Self.shapes(corpus)
        var table = BenchTable("Primal cache API (\(corpus.events.count) events): server time in process, and round trip over loopback")
        var configuration = SQLiteStore.Configuration(path: databasePath)
        configuration.readOnly = true
        let store = try SQLiteStore(configuration)
        let service = CacheService(store: store, pipeline: nil)
        let client = Collector()
        var rebuilds = Latencies()
        var ranked = 0
        for _ in 0..<5 {
            let start = monotonicNow()
            ranked = try await service.rebuildExploreIndex()
            rebuilds.add(monotonicNow() - start)
        }
        table.add("explore index rebuild (\(ranked) ranked posts; background, every 60 s)", rebuilds.summary)
        for shape in shapes {
            progress("  … \(shape.name)")
            let filters = try shape.requests.map { [try JSONValue.parse($0)] }
            var cold = Latencies(), warm = Latencies()
            for request in filters { cold.add(try await client.time { await service.handle("bench", filters: request, client: client) }) }
            for _ in 0..<3 {
                for request in filters { warm.add(try await client.time { await service.handle("bench", filters: request, client: client) }) }
            }
            table.add("\(shape.name): server, cold", cold.summary)
            table.add("\(shape.name): server, warm", warm.summary, target: shape.target)
        }
        await store.close()

        let port = 19_000 + Int(getpid() % 1_000)
        let server = try ServerBench.launch(databasePath: databasePath, port: port)
        defer { server.terminate(); server.waitUntilExit() }
        try await ServerBench.waitForHealth(port: port)
        let results = Shared<[(String, Latencies)]>([])
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/", configuration: .init(maxFrameSize: 64 << 20),
                                          logger: quietLogger("bench-cache")) { inbound, outbound, _ in
            var messages = inbound.messages(maxSize: 64 << 20).makeAsyncIterator()
            for shape in shapes {
                var latencies = Latencies()
                for round in 0..<4 {
                    for request in shape.requests {
                        let start = monotonicNow()
                        try await outbound.write(.text("[\"REQ\",\"bench\",\(request)]"))
                        while let message = try await messages.next() {
                            if case .text(let text) = message, text.hasPrefix("[\"EOSE\"") { break }
                        }
                        if round > 0 { latencies.add(monotonicNow() - start) }
                    }
                }
                results.update { $0.append((shape.name, latencies)) }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        for (name, latencies) in results.value { table.add("\(name): round trip, warm", latencies.summary) }
        progress("  … live pushes: 1,000 notification_counts subscriptions")
        for (name, value) in try await PushBench.run(port: port, serverPID: server.processIdentifier, pubkeys: Self.notified(corpus)) {
            table.add(name, value)
        }
        return table
    }

    /// A client that keeps nothing but whether the answer was an error.
    final class Collector: CacheClient {
        let cacheState = CacheConnectionState()
        private let failure = Mutex<String?>(nil)

        func respond(_ subscription: String, objects: [[UInt8]], notice: String?) {}
        func fail(_ subscription: String, _ message: String) { failure.withLock { $0 = message } }
        func push(_ subscription: String, object: [UInt8]) {}

        /// Seconds `body` took; throws when the op answered with an error.
        func time(_ body: () async -> Void) async throws -> Double {
            let start = monotonicNow()
            await body()
            let seconds = monotonicNow() - start
            if let message = failure.withLock({ $0 }) { throw BenchError("cache op failed: \(message)") }
            return seconds
        }
    }

    /// Pubkeys tagged most often (the people with the most notifications), most first.
    static func notified(_ corpus: BenchCorpus) -> [String] {
        var counts: [String: Int] = [:]
        for event in corpus.events where [1, 6, 7, 9735].contains(event.kind) {
            for value in event.tagValues("p") { counts[value, default: 0] += 1 }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
    }

    static func request(_ op: String, _ params: String) -> String {
        "{\"cache\":[\"\(op)\",\(params)]}"
    }

    static func shapes(_ corpus: BenchCorpus) -> [Shape] {
        let events = corpus.events
        let profiles = events.filter { $0.kind == 0 }
        let pubkeys = profiles.map(\.pubkey.hex)
        let notes = events.filter { $0.kind == 1 && ThreadReferences(event: $0).parent == nil }
        var replyCounts: [EventID: Int] = [:]
        for event in events where event.kind == 1 {
            if case .id(let parent)? = ThreadReferences(event: event).parent { replyCounts[parent, default: 0] += 1 }
        }
        // Readers of the home feed: the users whose follow lists are closest to 150 long.
        let lists = events.filter { $0.kind == 3 }.map { ($0.pubkey.hex, $0.tags.filter { $0.first == "p" }.count) }
            .sorted { abs($0.1 - 150) < abs($1.1 - 150) }.prefix(30)
        let averageFollows = lists.isEmpty ? 0 : lists.map(\.1).reduce(0, +) / lists.count
        let threads = notes.sorted { (replyCounts[$0.id] ?? 0) > (replyCounts[$1.id] ?? 0) }.prefix(60)
        let names = profiles.map { ProfileMetadata(content: $0.content).name.prefix(3).lowercased() }.filter { $0.count == 3 }
        let words = notes.prefix(2_000).flatMap { $0.content.split(separator: " ").filter { $0.count > 4 && !$0.contains(":") } }
        let viewer = pubkeys.first ?? ""

        func quoted(_ items: some Sequence<String>) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
        let zapCounts = Dictionary(grouping: events.filter { $0.kind == 9735 }.compactMap { $0.firstTagValue("e") }, by: { $0 })
        let zapped = zapCounts.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }.prefix(40)
        let readers = lists.map(\.0)
        func explore(_ timeframe: String, _ scope: String = "global") -> Shape {
            Shape(name: "explore \(timeframe) \(scope), limit 20", target: "p99 ≤ 15 ms",
                  requests: readers.map { request("explore", "{\"timeframe\":\"\(timeframe)\",\"scope\":\"\(scope)\",\"limit\":20,\"user_pubkey\":\"\($0)\"}") })
        }
        return [
            explore("latest"), explore("popular"), explore("trending"), explore("mostzapped"), explore("trending", "follows"),
            Shape(name: "get_notifications, limit 50 (most notified users)", target: "p99 ≤ 15 ms",
                  requests: Self.notified(corpus).prefix(40).map { request("get_notifications", "{\"pubkey\":\"\($0)\",\"limit\":100,\"user_pubkey\":\"\($0)\"}") }),
            Shape(name: "event_zaps_by_satszapped, limit 20 (most zapped notes)", target: "",
                  requests: zapped.map { request("event_zaps_by_satszapped", "{\"event_id\":\"\($0.key)\",\"limit\":20,\"user_pubkey\":\"\(viewer)\"}") }),
            Shape(name: "user_infos, 50 pubkeys", target: "p99 ≤ 2 ms",
                  requests: (0..<40).map { i in
                      let group = (0..<50).map { pubkeys[(i * 50 + $0 * 7) % pubkeys.count] }
                      return request("user_infos", "{\"pubkeys\":\(quoted(group))}")
                  }),
            Shape(name: "user_profile", target: "p99 ≤ 2 ms",
                  requests: pubkeys.prefix(200).map { request("user_profile", "{\"pubkey\":\"\($0)\",\"user_pubkey\":\"\(viewer)\"}") }),
            Shape(name: "feed follows, limit 20 (follows ≈ \(averageFollows))", target: "p99 ≤ 10 ms",
                  requests: lists.map { request("feed", "{\"pubkey\":\"\($0.0)\",\"user_pubkey\":\"\($0.0)\",\"limit\":20}") }),
            Shape(name: "thread_view, limit 100", target: "p99 ≤ 10 ms",
                  requests: threads.map { request("thread_view", "{\"event_id\":\"\($0.id.hex)\",\"limit\":100,\"user_pubkey\":\"\(viewer)\"}") }),
            Shape(name: "events extended, 20 ids", target: "",
                  requests: (0..<40).map { i in
                      let group = (0..<20).map { notes[(i * 20 + $0 * 13) % notes.count].id.hex }
                      return request("events", "{\"event_ids\":\(quoted(group)),\"extended_response\":true,\"user_pubkey\":\"\(viewer)\"}")
                  }),
            Shape(name: "user_search", target: "",
                  requests: Array(Set(names)).sorted().prefix(80).map { request("user_search", "{\"query\":\"\($0)\",\"limit\":10}") }),
            Shape(name: "search, limit 20", target: "p99 ≤ 20 ms",
                  requests: Array(Set(words.map { $0.lowercased() })).sorted().prefix(80)
                    .map { request("search", "{\"query\":\"\($0)\",\"limit\":20,\"user_pubkey\":\"\(viewer)\"}") }),
            Shape(name: "advanced_search, two words", target: "",
                  requests: stride(from: 0, to: min(160, words.count - 1), by: 2).map { i in
                      request("advanced_search", "{\"query\":\"\(words[i].lowercased()) OR \(words[i + 1].lowercased()) -filter:replies\",\"limit\":20,\"user_pubkey\":\"\(viewer)\"}")
                  }),
            Shape(name: "advanced_search scope:myfollows orderby:likes", target: "",
                  requests: readers.map { request("advanced_search", "{\"query\":\"scope:myfollows orderby:likes\",\"limit\":20,\"user_pubkey\":\"\($0)\"}") }),
            Shape(name: "advanced_search filter:image minlikes:1 (no words)", target: "",
                  requests: readers.map { request("advanced_search", "{\"query\":\"filter:image minlikes:1\",\"limit\":20,\"user_pubkey\":\"\($0)\"}") }),
        ]
    }
}
