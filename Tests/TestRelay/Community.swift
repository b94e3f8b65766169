import Nostr

/// A community as upstream relays hold it: members whose profiles (kind 0), contact lists
/// (3) and relay lists (10002) were written 30 to 365 days ago, and a day of recent notes.
/// Catch-up of the last two days brings the notes only; the rest is for backfill.
public struct Community: Sendable {
    public let members: [KeyPair]
    /// Follow targets no relay has anything of.
    public let strangers: [PublicKey]
    public let profiles: [Event]
    public let contactLists: [Event]
    public let relayLists: [Event]
    public let notes: [Event]

    public var metadata: [Event] { profiles + contactLists + relayLists }
    public var all: [Event] { metadata + notes }

    public init(members count: Int, now: Int64, seed: String = "community") {
        var rng = SeededRandom(seed: seed)
        members = (0..<count).map { KeyPair(secretKey: SHA256Digest32.hash(Array("\(seed)/member/\($0)".utf8)))! }
        strangers = (0..<20).map { KeyPair(secretKey: SHA256Digest32.hash(Array("\(seed)/stranger/\($0)".utf8)))!.publicKey }
        let old = { (rng: inout SeededRandom) in now - 30 * 86_400 - Int64(rng.below(335 * 86_400)) }
        var profiles: [Event] = [], contactLists: [Event] = [], relayLists: [Event] = [], notes: [Event] = []
        for (i, member) in members.enumerated() {
            // Nine in ten have a profile, most a contact list, seven in ten a relay list.
            if i % 10 != 9 {
                profiles.append(Event.signed(by: member, createdAt: old(&rng), kind: 0, content: #"{"name":"member \#(i)"}"#))
            }
            if i % 8 != 7 {
                var followed = Set<PublicKey>()
                for _ in 0..<(3 + rng.below(25)) { followed.insert(members[rng.below(count)].publicKey) }
                if rng.below(4) == 0 { followed.insert(strangers[rng.below(strangers.count)]) }
                followed.remove(member.publicKey)
                contactLists.append(Event.signed(by: member, createdAt: old(&rng), kind: 3,
                                                 tags: followed.sorted().map { ["p", $0.hex] }, content: ""))
            }
            if i % 10 < 7 {
                relayLists.append(Event.signed(by: member, createdAt: old(&rng), kind: 10002, tags: [["r", "wss://relay.example/\(i % 5)"]],
                                               content: ""))
            }
        }
        // A day of notes by a fifth of the members, some tagging others.
        for i in 0..<(count / 2) {
            let author = members[(i * 5) % count]
            let tagged = members[rng.below(count)].publicKey
            notes.append(Event.signed(by: author, createdAt: now - 60 - Int64(rng.below(86_000)), kind: 1,
                                      tags: i % 3 == 0 ? [["p", tagged.hex]] : [], content: "note \(i) of the day"))
        }
        self.profiles = profiles
        self.contactLists = contactLists
        self.relayLists = relayLists
        self.notes = notes
    }

    /// Followers of each pubkey, from every contact list.
    public var followerCounts: [PublicKey: Int] {
        var counts: [PublicKey: Int] = [:]
        for list in contactLists {
            for tag in list.tags where tag.count >= 2 && tag[0] == "p" {
                if let key = PublicKey(hex: tag[1]) { counts[key, default: 0] += 1 }
            }
        }
        return counts
    }
}

/// A tiny deterministic generator (the Corpus one lives in a target this one does not see).
struct SeededRandom {
    private var state: UInt64

    init(seed: String) { state = seed.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 } }

    mutating func below(_ bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(bound))
    }
}
