import Foundation
import Nostr
import Store

/// Derived counts computed straight from a set of stored events by the written rules
/// (issue #4 and Primal's §8), independently of `DerivedData`. Shared by the store's
/// property tests and the cache API's end-to-end tests.
public struct Reference: Sendable {
    public var users: [PublicKey: UserStats] = [:]
    public var events: [EventReference: EventStats] = [:]
    public var network = NetworkStats()

    public init(_ stored: [Event], now: Int64) {
        func user(_ key: PublicKey) -> UserStats { users[key] ?? UserStats(pubkey: key) }
        var authors = Set<PublicKey>()
        var profiles = Set<PublicKey>()
        // (target, actor, type) → earliest (created_at, id, weight)
        var firsts: [String: (Int64, EventID, Int64, EventReference)] = [:]
        var likers: [EventReference: Set<PublicKey>] = [:], reposters: [EventReference: Set<PublicKey>] = [:]

        func act(_ target: EventReference, _ actor: PublicKey, _ type: String, _ event: Event, weight: Int64) {
            let key = "\(target)|\(actor.hex)|\(type)"
            if let current = firsts[key], (current.0, current.1) <= (event.createdAt, event.id) { return }
            firsts[key] = (event.createdAt, event.id, weight, target)
        }
        for event in stored {
            authors.insert(event.pubkey)
            var stats = user(event.pubkey)
            stats.timeJoined = min(stats.timeJoined ?? event.createdAt, event.createdAt)
            network.any += 1
            let thread = ThreadReferences(event: event)
            switch event.kind {
            case 0: profiles.insert(event.pubkey)
            case 1:
                network.pubnotes += 1
                if thread.parent != nil { stats.replyCount += 1 } else { stats.noteCount += 1 }
                if Self.hasMedia(event) { stats.mediaCount += 1 }
            case 6: stats.noteCount += 1; network.reposts += 1
            case 7: network.reactions += 1
            case 30023: stats.longFormNoteCount += 1
            default: break
            }
            users[event.pubkey] = stats
            // Interactions.
            if event.kind == 7, Self.isLike(event.content), let target = Self.lastTarget(event) {
                likers[target, default: []].insert(event.pubkey)
                act(target, event.pubkey, "like", event, weight: 1)
            }
            if event.kind == 6 || event.kind == 16, let target = Self.firstTarget(event) {
                reposters[target, default: []].insert(event.pubkey)
                act(target, event.pubkey, "repost", event, weight: 7)
            }
            if event.kind == 1 || event.kind == 1111 {
                if let parent = thread.parent {
                    events[parent, default: EventStats()].replies += 1
                    let length = event.content.unicodeScalars.count
                    act(parent, event.pubkey, "reply", event, weight: length <= 20 ? 1 : length <= 100 ? 5 : 10)
                }
                for quoted in Set(Self.quotes(event)) where quoted != thread.parent {
                    reposters[quoted, default: []].insert(event.pubkey)
                    act(quoted, event.pubkey, "repost", event, weight: 7)
                }
            }
            if event.kind == 9735, let zap = Self.zap(event) {
                network.zaps += 1
                network.satsZapped += zap.sats
                var receiver = user(zap.receiver)
                receiver.totalZapCount += 1
                receiver.totalSatsZapped += zap.sats
                if let target = zap.target {
                    receiver.contentZapCount += 1
                    events[target, default: EventStats()].zaps += 1
                    events[target, default: EventStats()].satsZapped += zap.sats
                    act(target, zap.sender, "zap", event, weight: 5)
                }
                users[zap.receiver] = receiver
            }
        }
        // The follow graph and relay counts from the stored lists.
        for list in stored where list.kind == 3 {
            let followed = Set(list.tags.compactMap { $0.count >= 2 && $0[0] == "p" ? PublicKey(hex: $0[1]) : nil })
            users[list.pubkey, default: UserStats(pubkey: list.pubkey)].followsCount = followed.count
            for key in followed { users[key, default: UserStats(pubkey: key)].followersCount += 1 }
        }
        for key in authors {
            if let relays = stored.first(where: { $0.pubkey == key && $0.kind == 10002 }) {
                users[key]!.relayCount = Set(relays.tags.filter { $0.count >= 2 && $0[0] == "r" }.map { $0[1] }).count
            } else if let contacts = stored.first(where: { $0.pubkey == key && $0.kind == 3 }),
                      let object = try? JSONSerialization.jsonObject(with: Data(contacts.content.utf8)) as? [String: Any] {
                users[key]!.relayCount = object.count
            }
        }
        for (target, people) in likers { events[target, default: EventStats()].likes = people.count }
        for (target, people) in reposters { events[target, default: EventStats()].reposts = people.count }
        for (createdAt, _, weight, target) in firsts.values {
            let points = 10_000_000_000 * weight / 91
            events[target, default: EventStats()].score += points
            if createdAt > now - 86_400 { events[target, default: EventStats()].score24h += points }
        }
        network.pubkeys = Int64(authors.count)
        network.users = Int64(profiles.filter { (users[$0]?.followsCount ?? 0) > 0 }.count)
    }

    public static func isLike(_ content: String) -> Bool {
        guard let first = content.unicodeScalars.first else { return true }
        return ["+", "\u{1F919}", "\u{2764}"].contains(first)
    }

    public static func lastTarget(_ event: Event) -> EventReference? {
        if let tag = event.tags.last(where: { $0.count >= 2 && $0[0] == "e" }), let id = EventID(hex: tag[1]) { return .id(id) }
        if let tag = event.tags.last(where: { $0.count >= 2 && $0[0] == "a" }), let a = EventAddress(tag[1]) { return .address(a) }
        return nil
    }

    public static func firstTarget(_ event: Event) -> EventReference? {
        if let tag = event.tags.first(where: { $0.count >= 2 && $0[0] == "e" }), let id = EventID(hex: tag[1]) { return .id(id) }
        if let tag = event.tags.first(where: { $0.count >= 2 && $0[0] == "a" }), let a = EventAddress(tag[1]) { return .address(a) }
        return nil
    }

    public static func quotes(_ event: Event) -> [EventReference] {
        var found = ContentReferences(content: event.content).quotedEvents
        for tag in event.tags where tag.count >= 2 {
            if tag[0] == "q", let id = EventID(hex: tag[1]) { found.append(.id(id)) }
            if tag[0] == "e", tag.count >= 4, tag[3] == "mention", let id = EventID(hex: tag[1]) { found.append(.id(id)) }
        }
        return found
    }

    public static func hasMedia(_ event: Event) -> Bool {
        let extensions = ["jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "mp4", "mov", "webm", "m3u8", "mp3", "ogg", "wav", "m4a"]
        if event.tags.contains(where: { $0.first == "imeta" }) { return true }
        return ContentReferences(content: event.content).urls.contains { url in
            let path = url.split(separator: "?").first.map(String.init) ?? url
            return extensions.contains { path.lowercased().hasSuffix("." + $0) }
        }
    }

    public struct Zap {
        public let receiver: PublicKey, sender: PublicKey, sats: Int64, target: EventReference?
    }

    /// A counted zap: p tag, a description whose pubkey is the sender, bolt11 ≤ 1.1M sats.
    public static func zap(_ event: Event) -> Zap? {
        guard let receiver = event.firstTagValue("p").flatMap(PublicKey.init(hex:)),
              let invoice = event.firstTagValue("bolt11"), let msat = (try? Bolt11.amountMillisats(invoice)) ?? nil,
              msat / 1000 <= 1_100_000,
              let description = event.firstTagValue("description"),
              let request = try? JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any],
              let sender = (request["pubkey"] as? String).flatMap(PublicKey.init(hex:))
        else { return nil }
        return Zap(receiver: receiver, sender: sender, sats: Int64(msat / 1000), target: firstTarget(event))
    }
}
