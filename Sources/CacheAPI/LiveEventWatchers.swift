import Nostr
import Store

/// `live_events_from_follows {user_pubkey}`: the live streams (kind 30311) of the last hour
/// that people the user follows host or take part in (the event's author or a `p` tag),
/// answered then EOSE; the subscription stays open and each such stream committed later
/// (a new one, or an update of its status) is pushed as a text EVENT, until CLOSE.
final class LiveEventWatchers: Sendable {
    static let name = "live_events_from_follows"
    static let kind = 30_311
    /// How old a stream event may be and still be answered.
    static let window: Int64 = 3_600

    private struct Watcher {
        let client: any CacheClient
        let subscription: String
        let follows: Set<PublicKey>
    }

    private let watchers = ConnectionSubscriptions<Watcher>()

    /// The pubkeys a stream names: its author (often the streaming service) and its `p`
    /// tags (host, speakers, participants).
    static func participants(_ event: Event) -> Set<PublicKey> {
        Set([event.pubkey] + event.tagValues("p").compactMap(PublicKey.init(hex:)))
    }

    /// Answers the request and starts pushing; refused when the connection holds `limit`
    /// watches already.
    func watch(_ subscription: String, params: JSONValue?, client: some CacheClient, context: CacheContext,
               limit: Int) async throws {
        var reader = try CacheParams(params)
        let user = try reader.requiredPubkey("user_pubkey")
        context.ignore(reader.finish())
        let follows = Set(try await context.follows(of: user))
        // Watching starts before the store is read, so a stream committed in between is
        // pushed rather than missed.
        let watcher = Watcher(client: client, subscription: subscription, follows: follows)
        guard watchers.add(watcher, client: client, subscription: subscription, limit: limit) else { throw CacheError("too many live subscriptions on this connection (at most \(limit)); CLOSE some first") }
        do {
            let recent = try await context.store.query([Filter(kinds: [Self.kind], since: context.now - Self.window)])
            let shown = recent.filter { stored in
                guard let event = try? stored.parsed() else { return false }
                return !Self.participants(event).isDisjoint(with: follows)
            }
            client.respond(subscription, objects: shown.map(\.json))
        } catch {
            remove(client, subscription: subscription)
            throw error
        }
    }

    func remove(_ client: any CacheClient, subscription: String) { watchers.remove(client, subscription: subscription) }

    func removeAll(_ client: any CacheClient) { watchers.removeAll(client) }

    var count: Int { watchers.count }

    /// From the commit observer: pushes each newly stored stream to the watchers who follow
    /// someone in it. Quick when no stream was committed (one pass over the batch).
    func committed(_ batch: [CommittedEvent]) {
        let streams = batch.filter { $0.event.kind == Self.kind && $0.outcome.isStored }
        guard !streams.isEmpty else { return }
        let current = watchers.all
        guard !current.isEmpty else { return }
        for stream in streams {
            let participants = Self.participants(stream.event)
            for watcher in current where !participants.isDisjoint(with: watcher.follows) {
                watcher.client.push(watcher.subscription, object: stream.json)
            }
        }
    }
}
