import Testing
import Nostr
import Corpus

@Suite struct CorpusTests {
    @Test func everyEventVerifiesAndTheShapeIsRealistic() throws {
        let events = CorpusGenerator(options: CorpusOptions(users: 60, notes: 400, seed: 11)).events()
        var kinds: [Int: Int] = [:]
        for event in events {
            #expect(event.validate() == nil)
            #expect(try EventParser.parse(event.json) == event)
            kinds[event.kind, default: 0] += 1
        }
        for kind in [0, 1, 3, 4, 5, 6, 7, 9735, 10002, 30023] { #expect(kinds[kind, default: 0] > 0, "kind \(kind)") }
        #expect(Set(events.map(\.id)).count == events.count)
        // Every zap receipt carries a parseable bolt11 amount and a signed zap request.
        for zap in events where zap.kind == 9735 {
            #expect(try Bolt11.amountMillisats(zap.firstTagValue("bolt11")!) != nil)
            let request = try EventParser.parse(zap.firstTagValue("description")!)
            #expect(request.kind == 9734 && request.validate() == nil)
        }
        // Replies point at notes made earlier in the corpus.
        let ids = Set(events.map(\.id))
        let replies = events.filter { $0.kind == 1 && ThreadReferences(event: $0).isReply }
        #expect(replies.count > 100)
        for reply in replies {
            guard case .id(let parent) = ThreadReferences(event: reply).parent else { Issue.record("no parent"); continue }
            #expect(ids.contains(parent))
        }
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() {
        let options = CorpusOptions(users: 30, notes: 150, seed: 5)
        let first = CorpusGenerator(options: options).jsonLines()
        #expect(first == CorpusGenerator(options: options).jsonLines())
        var other = options
        other.seed = 6
        #expect(first != CorpusGenerator(options: other).jsonLines())
    }

    @Test func sizedOptionsHitTheirTarget() {
        let options = CorpusOptions.sized(events: 5_000)
        let count = CorpusGenerator(options: options).events().count
        #expect(count > 4_500 && count < 5_500, "got \(count)")
    }
}
