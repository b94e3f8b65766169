import Foundation
import Nostr
import TestRelay
import Testing
@testable import Ingest

/// The pieces of ingestion that need no socket.
@Suite struct UpstreamUnitTests {
    @Test func relayListReportsBadAndRepeatedLines() {
        let list = RelayList(text: """
            # comment
            wss://relay.one.example
            wss://RELAY.ONE.example/   # the same relay
            https://not-a-relay.example
            ws://127.0.0.1:7777

            wss://with space.example
            """)
        #expect(list.urls == ["wss://relay.one.example", "ws://127.0.0.1:7777"])
        #expect(list.problems.count == 3)
        #expect(list.problems[0].hasPrefix("line 3:") && list.problems[0].contains("repeats line 2"))
        #expect(list.problems[1].hasPrefix("line 4:"))
        #expect(list.problems[2].hasPrefix("line 7:"))
    }

    @Test func catchUpPagesBackwardsThroughTiesAndStops() {
        var pages = CatchUp(since: 1_000, until: 2_000, maxPages: 100)
        for t in [1_990, 1_980, 1_950] { pages.saw(createdAt: Int64(t)) }
        #expect(pages.nextPage() == 1_950)  // inclusive: ties at 1950 come again
        for _ in 0..<3 { pages.saw(createdAt: 1_950) }
        #expect(pages.nextPage() == 1_949)  // a page within one second: step past it
        pages.saw(createdAt: 1_000)
        #expect(pages.nextPage() == nil)  // reached since
        var empty = CatchUp(since: 0, until: 10, maxPages: 5)
        #expect(empty.nextPage() == nil)
        var capped = CatchUp(since: 0, until: 1_000_000, maxPages: 3)
        var count = 0
        while true {
            capped.saw(createdAt: 999_999)
            guard capped.nextPage() != nil else { break }
            count += 1
        }
        #expect(count == 2)
    }

    @Test func backoffDoublesWithJitterUpToTheCap() {
        var backoff = Backoff(initial: 1, maximum: 60)
        let delays = (0..<10).map { _ in backoff.next() }
        #expect(delays[0] >= 0.5 && delays[0] <= 1)
        #expect(delays[3] >= 4 && delays[3] <= 8)
        #expect(delays[9] >= 30 && delays[9] <= 60)
        backoff.reset()
        #expect(backoff.next() <= 1)
    }

    @Test func eventBudgetAdmitsInArrivalOrderWithinItsCapacity() async throws {
        let budget = EventBudget(capacity: 100)
        #expect(await budget.acquire(60) == 60)
        let large = Task { await budget.acquire(50) }
        #expect(await eventually { budget.waiting == 1 })
        // 10 would fit, but the 50 asked first: no relay jumps the queue.
        let small = Task { await budget.acquire(10) }
        #expect(await eventually { budget.waiting == 2 })
        budget.release(60)
        #expect(await large.value == 50)
        #expect(await small.value == 10)
        #expect(budget.waiting == 0)
        budget.release(60)
        // A batch larger than the whole budget takes all of it, once everything is back.
        #expect(await budget.acquire(500) == 100)
        #expect(budget.highWater == 100)
        budget.release(100)
    }

    @Test func relayFramesAndTheIDPeek() throws {
        let keys = KeyPair(secretKey: SHA256Digest32.hash(Array("frames".utf8)))!
        let event = Event.signed(by: keys, createdAt: 1_700_000_000, kind: 1, tags: [], content: "say \"id\": hi")
        let frame = Array("[\"EVENT\",\"s\", ".utf8) + event.json + Array("]".utf8)
        let parsed = try frame.withUnsafeBytes { try UpstreamFrame.parse($0, isKnown: { _ in false }) }
        guard case .event(let subscription, let got, let json) = parsed else { Issue.record("not an event"); return }
        #expect(subscription == "s" && got == event && json == event.json)
        let copy = try frame.withUnsafeBytes { try UpstreamFrame.parse($0, isKnown: { $0 == event.id }) }
        guard case .copy("s", 1_700_000_000) = copy else { Issue.record("a known id must not be parsed, only its time peeked"); return }
        #expect(event.json.withUnsafeBytes(EventFieldPeek.id) == event.id)
        #expect(event.json.withUnsafeBytes(EventFieldPeek.createdAt) == 1_700_000_000)
        // Keys inside string values are escaped, so they are never mistaken for the field.
        let spaced = Array("{\"content\":\"\\\"created_at\\\": 5\", \"created_at\" :  42 }".utf8)
        #expect(spaced.withUnsafeBytes(EventFieldPeek.createdAt) == 42)
        #expect(Array("{\"created_at\":\"x\"}".utf8).withUnsafeBytes(EventFieldPeek.createdAt) == nil)
        let eose = try Array("[\"EOSE\",\"s\"]".utf8).withUnsafeBytes { try UpstreamFrame.parse($0, isKnown: { _ in false }) }
        guard case .eose("s") = eose else { Issue.record("EOSE"); return }
        #expect(throws: JSONError.self) { try Array("{}".utf8).withUnsafeBytes { try UpstreamFrame.parse($0, isKnown: { _ in false }) } }
    }
}
