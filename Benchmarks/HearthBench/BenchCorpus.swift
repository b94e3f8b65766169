import Corpus
import Foundation
import Nostr

/// The generated corpus every store benchmark shares, as events and as JSON lines.
struct BenchCorpus {
    let events: [Event]
    let lines: [[UInt8]]

    init(events count: Int, seed: UInt64 = 1) {
        // Ending an hour ago, so that explore and trending (the last hours and days) have posts.
        let endTime = Int64(Date().timeIntervalSince1970) / 3_600 * 3_600 - 3_600
        events = CorpusGenerator(options: CorpusOptions.sized(events: count, seed: seed, endTime: endTime)).events()
        lines = events.map(\.json)
    }

    var jsonBytes: Int { lines.reduce(0) { $0 + $1.count } }
}
