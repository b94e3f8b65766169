import Corpus
import Nostr

/// The Nostr core on one core: generator, parser, id hashing, Schnorr verification.
enum NostrBench {
    static func run(events count: Int) -> BenchTable {
        var table = BenchTable("Nostr core (one core, \(count) generated events)")
        let options = CorpusOptions.sized(events: count, seed: 1)
        var events: [Event] = []
        let generateSeconds = measure { events = CorpusGenerator(options: options).events() }
        table.rate("generator (build + sign)", count: events.count, seconds: generateSeconds, target: "≥ 20,000")

        let lines = events.map(\.json)
        let bytes = lines.reduce(0) { $0 + $1.count }
        table.add("corpus size", "\(events.count) events, \(bytes / events.count) B/event avg")

        var parsed: [Event] = []
        parsed.reserveCapacity(lines.count)
        let parseSeconds = measure {
            for line in lines { parsed.append(try! EventParser.parse(line)) }
        }
        table.rate("parse (byte parser)", count: lines.count, seconds: parseSeconds)
        table.add("parse throughput", "\(formatted(Double(bytes) / parseSeconds / 1_048_576)) MiB/s")

        var mismatches = 0
        let hashSeconds = measure {
            for event in parsed where event.computeID() != event.id { mismatches += 1 }
        }
        table.rate("canonical + SHA-256", count: parsed.count, seconds: hashSeconds)

        var failures = 0
        let verifySeconds = measure {
            for event in parsed where !event.verifySignature() { failures += 1 }
        }
        let verifyRate = Double(parsed.count) / verifySeconds
        table.rate("BIP-340 verify (physical limit)", count: parsed.count, seconds: verifySeconds, target: "≥ 18,000")

        var invalid = 0
        let fullSeconds = measure {
            for line in lines {
                guard let event = try? EventParser.parse(line), event.validate() == nil else { invalid += 1; continue }
            }
        }
        let fullRate = Double(lines.count) / fullSeconds
        table.rate("parse + id + verify", count: lines.count, seconds: fullSeconds, target: "≥ 14,000")
        table.add("parse + id + verify ÷ verify", formatted(fullRate / verifyRate) + "×")
        precondition(mismatches == 0 && failures == 0 && invalid == 0, "the corpus must validate")
        VerifyRate.oneCore = verifyRate
        return table
    }
}

/// The one-core verification rate measured in this run: every ingest figure is divided by it.
enum VerifyRate {
    nonisolated(unsafe) static var oneCore: Double = 0

    /// Measures it on `events` when the Nostr section did not run.
    static func ensure(_ events: [Event]) {
        guard oneCore == 0 else { return }
        let sample = events.prefix(10_000)
        let seconds = measure { for event in sample { _ = event.verifySignature() } }
        oneCore = Double(sample.count) / seconds
    }
}
