import Foundation
import Ingest
import Nostr
import Store
import TestRelay
import Testing
@testable import SQLiteStore

/// Backfill from real relays on loopback (each caps answers at 500): metadata older than
/// the catch-up horizon, fetched within bounds, asked once per relay, resumed after a
/// restart, paced by the configured rate.
@Suite(.serialized) struct BackfillTests {
    static let now = Int64(Date().timeIntervalSince1970)

    /// Relays holding a community's old metadata (a third of it on two relays) and its
    /// recent notes.
    static func relays(_ community: Community, behaviors: [TestRelay.Behavior] = [.normal, .normal, .normal]) async throws -> [TestRelay] {
        let parts = TestRelay.overlapping(community.all, relays: behaviors.count)
        let relays = zip(parts, behaviors).map { TestRelay(events: $0, behavior: $1) }
        for relay in relays { try await relay.start() }
        return relays
    }

    /// Pubkeys in authors filters of first pages (no `until`), per relay.
    static func askedAuthors(_ relay: TestRelay) -> [[PublicKey]] {
        relay.requestLog.filter { $0.subscription.hasPrefix("hearth-backfill-") }.flatMap(\.filters)
            .filter { $0.until == nil && $0.authors != nil && $0.kinds == [0, 3, 10002] }.map { Array($0.authors!) }
    }

    @Test func oldMetadataIsFetchedAndCountsAreTrue() async throws {
        let community = Community(members: 600, now: Self.now)
        let relays = try await Self.relays(community)
        let upstream = try Upstream.start(relays.map(\.url), configuration: Upstream.backfillConfiguration(), backfill: true)
        let expectedProfiles = Set(community.profiles.map(\.pubkey))
        let settled = try await eventually(timeout: 60) {
            let status = try await upstream.store.backfillStatus()
            return status.withProfile == expectedProfiles.count && status.waitingPubkeys == 0
                && status.withContactList == community.contactLists.count
        }
        let status = try await upstream.store.backfillStatus()
        #expect(settled, "\(status)")
        // Every author and follow target a relay has a profile for has it stored.
        let stored = Set(try await upstream.store.query([Filter(kinds: [0], limit: 5_000)]).map(\.pubkey))
        #expect(stored == expectedProfiles)
        #expect(try await upstream.store.count([Filter(kinds: [3])]) == community.contactLists.count)
        #expect(try await upstream.store.count([Filter(kinds: [10002])]) == community.relayLists.count)
        // Follower and follows counts equal those computed from every contact list.
        let everyone = community.members.map(\.publicKey) + community.strangers
        let stats = try await upstream.store.userStats(everyone)
        let followers = community.followerCounts
        for pubkey in everyone {
            #expect((stats[pubkey]?.followersCount ?? 0) == followers[pubkey] ?? 0, "followers of \(pubkey.hex)")
        }
        for list in community.contactLists {
            #expect(stats[list.pubkey]?.followsCount == list.tags.count)
        }
        // Nothing asked twice from the same relay.
        for relay in relays {
            let asked = Self.askedAuthors(relay).flatMap { $0 }
            #expect(asked.count == Set(asked).count, "\(relay.url) was asked for some pubkeys twice")
        }
        await upstream.stop()
        for relay in relays { await relay.stop() }
    }

    @Test func stalledOrGarbageRelaysDelayNeitherLiveEventsNorBackfill() async throws {
        let community = Community(members: 300, now: Self.now, seed: "faulty")
        // Every event is on at least one healthy relay: the same data on all three.
        let relays = [TestRelay(events: community.all, behavior: .stall), TestRelay(events: community.all, behavior: .garbage),
                      TestRelay(events: community.all)]
        for relay in relays { try await relay.start() }
        var configuration = Upstream.backfillConfiguration()
        configuration.requestTimeout = 1
        let upstream = try Upstream.start(relays.map(\.url), configuration: configuration, backfill: true)
        // Live events from the healthy relay arrive while backfill runs.
        try await Task.sleep(for: .milliseconds(500))
        let author = community.members[0]
        let live = Event.signed(by: author, createdAt: Self.now, kind: 1, content: "live while backfilling")
        let published = Date()
        relays[2].publish(live)
        #expect(try await eventually(timeout: 10) { try await upstream.store.storedIDs([live.id]).count == 1 })
        let delay = Date().timeIntervalSince(published)
        let settled = try await eventually(timeout: 60) {
            try await upstream.store.backfillStatus().withProfile == community.profiles.count
        }
        #expect(settled, "backfill went on from the healthy relay")
        #expect(delay < 5, "the live event took \(delay) s")
        await upstream.stop()
        for relay in relays { await relay.stop() }
    }

    @Test func aRestartResumesFromThePersistedQueue() async throws {
        let community = Community(members: 1_500, now: Self.now, seed: "restart")
        let relays = try await Self.relays(community, behaviors: [.normal])
        var configuration = Upstream.backfillConfiguration(rate: 4)
        configuration.backfill.batchSize = 100
        configuration.backfill.requestsInFlight = 1
        let first = try Upstream.start(relays.map(\.url), configuration: configuration, backfill: true)
        let partway = try await eventually(timeout: 30) { try await first.store.backfillStatus().withProfile >= 300 }
        #expect(partway)
        await first.stop(removeFiles: false)
        let requestsBefore = Self.askedAuthors(relays[0]).count
        let askedBefore = Set(Self.askedAuthors(relays[0]).flatMap { $0 })
        let second = try Upstream.start(relays.map(\.url), folder: first.folder, configuration: Upstream.backfillConfiguration(), backfill: true)
        let settled = try await eventually(timeout: 60) {
            try await second.store.backfillStatus().withProfile == community.profiles.count
        }
        let status = try await second.store.backfillStatus()
        #expect(settled, "\(status), \(community.profiles.count) profiles")
        // The second run asks for what the first did not; of what the first asked, only a
        // request cut short by the stop (one batch at most) is asked again.
        let askedAfter = Self.askedAuthors(relays[0]).dropFirst(requestsBefore).flatMap { $0 }
        #expect(!askedAfter.isEmpty)
        let again = askedBefore.intersection(askedAfter).count
        #expect(again <= configuration.backfill.batchSize, "\(again) pubkeys asked again after the restart")
        await second.stop()
        for relay in relays { await relay.stop() }
    }

    @Test func requestsStayWithinTheRateWithAHugeQueue() async throws {
        let relays = [TestRelay(), TestRelay()]
        for relay in relays { try await relay.start() }
        let upstream = try Upstream.start(relays.map(\.url), configuration: Upstream.backfillConfiguration(rate: 2), backfill: true)
        let unknown = (0..<100_000).map { BackfillTarget.pubkey(SHA256Digest32.hash(Array("unknown-\($0)".utf8))) }
        try await upstream.store.requestBackfill(unknown, now: Self.now)
        try await Task.sleep(for: .seconds(4))
        for relay in relays {
            let times = relay.requestLog.filter { $0.subscription.hasPrefix("hearth-backfill-") }.map(\.time)
            #expect(times.count >= 4, "backfill runs: \(times.count) REQs")
            // At most one REQ per half second (a little slack for timer jitter).
            for (a, b) in zip(times, times.dropFirst()) { #expect(b - a >= 0.45, "REQs \(b - a) s apart") }
        }
        await upstream.stop()
        for relay in relays { await relay.stop() }
    }
}
