import Corpus
import Foundation
import Nostr
import Store
import Server
import StoreConformance

/// A server over a generated corpus (plus any crafted events), with the stored events and
/// the counts a reference computes from them, independently of the server's code.
struct CacheFixture: Sendable {
    let server: TestServer
    let stored: [Event]
    let reference: Reference
    let byID: [EventID: Event]

    /// `endingNow` places the corpus in the last three days (explore looks at recent posts);
    /// otherwise it ends at the generator's fixed date.
    static func start(seed: UInt64 = 4, users: Int = 40, notes: Int = 300, extra: [Event] = [],
                      defaultRelays: [String] = [], endingNow: Bool = false,
                      configure: @escaping (inout ServerConfiguration) -> Void = { _ in }) async throws -> CacheFixture {
        var options = CorpusOptions(users: users, notes: notes, seed: seed, days: 3)
        if endingNow { options.endTime = Int64(Date().timeIntervalSince1970) - 120 }
        let corpus = CorpusGenerator(options: options).events()
        let server = try await TestServer.start(configure: {
            $0.cache.defaultRelays = defaultRelays
            $0.cache.exploreRefreshInterval = 0
            configure(&$0)
        }) { store in
            _ = try await store.write((corpus + extra).map { ValidatedEvent(event: $0) })
        }
        let stored = try await server.store.scanAll(Filter()).map { try $0.parsed() }
        let reference = Reference(stored, now: Int64(Date().timeIntervalSince1970))
        return CacheFixture(server: server, stored: stored, reference: reference,
                            byID: Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0) }))
    }

    func client() -> TestClient { TestClient(url: server.url) }

    func stop() async { await server.stop() }

    // MARK: Expectations from the raw events

    /// Whom `pubkey` follows (its stored kind 3).
    func follows(of pubkey: PublicKey) -> [PublicKey] {
        guard let list = stored.first(where: { $0.kind == 3 && $0.pubkey == pubkey }) else { return [] }
        return list.tags.compactMap { $0.count >= 2 && $0[0] == "p" ? PublicKey(hex: $0[1]) : nil }
    }

    func followers(of pubkey: PublicKey) -> Set<PublicKey> {
        Set(stored.filter { $0.kind == 3 && follows(of: $0.pubkey).contains(pubkey) }.map(\.pubkey))
    }

    /// Notes (kind 1 that reply to nothing, or replies only) and reposts by these authors,
    /// newest first, ties by id descending: what a feed must list.
    func posts(by authors: Set<PublicKey>, kinds: Set<Int> = [1, 6], replies: Bool = false) -> [Event] {
        stored.filter { event in
            guard authors.contains(event.pubkey), kinds.contains(event.kind) else { return false }
            let isReply = event.kind == 1 && ThreadReferences(event: event).parent != nil
            return isReply == replies
        }.sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }
    }

    /// The direct replies to an event, newest first.
    func replies(to id: EventID) -> [Event] {
        stored.filter { [1, 1111].contains($0.kind) && ThreadReferences(event: $0).parent == .id(id) }
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id }
    }

    /// Users who have a profile, a contact list and followers: good subjects.
    var wellConnected: [PublicKey] {
        let withProfile = Set(stored.filter { $0.kind == 0 }.map(\.pubkey))
        return reference.users.values.filter { withProfile.contains($0.pubkey) && $0.followersCount > 0 && $0.followsCount > 0 }
            .sorted { $0.followersCount != $1.followersCount ? $0.followersCount > $1.followersCount : $0.pubkey < $1.pubkey }
            .map(\.pubkey)
    }

    /// Notes with the most interactions first.
    var busyNotes: [Event] {
        stored.filter { $0.kind == 1 }.sorted { a, b in
            let (sa, sb) = (reference.events[.id(a.id)], reference.events[.id(b.id)])
            let (ta, tb) = ((sa?.likes ?? 0) + (sa?.replies ?? 0) + (sa?.zaps ?? 0), (sb?.likes ?? 0) + (sb?.replies ?? 0) + (sb?.zaps ?? 0))
            return ta != tb ? ta > tb : a.id < b.id
        }
    }
}
