import Corpus
import Nostr

/// The generated corpus every store benchmark shares, as events and as JSON lines.
struct BenchCorpus {
    let events: [Event]
    let lines: [[UInt8]]

    init(events count: Int, seed: UInt64 = 1) {
        events = CorpusGenerator(options: CorpusOptions.sized(events: count, seed: seed)).events()
        lines = events.map(\.json)
    }

    var jsonBytes: Int { lines.reduce(0) { $0 + $1.count } }
}
