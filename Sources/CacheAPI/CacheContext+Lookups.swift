import Nostr
import Store

/// Lookups several ops share.
extension CacheContext {
    /// The stored version of a replaceable event (kinds 0, 3, 10000–19999).
    func replaceable(_ pubkey: PublicKey, kind: Int) async throws -> StoredEvent? {
        try await store.query([Filter(authors: [pubkey], kinds: [kind], limit: 1)]).first
    }

    /// The stored version of an addressable event.
    func addressable(_ address: EventAddress) async throws -> StoredEvent? {
        try await store.query([Filter(authors: [address.pubkey], kinds: [address.kind],
                                      tags: ["d": [address.identifier]], limit: 1)]).first
    }

    /// Whom `pubkey` follows: the `p` tags of its contact list, in order, once each.
    func follows(of pubkey: PublicKey) async throws -> [PublicKey] {
        guard let list = try await replaceable(pubkey, kind: 3), let event = try? list.parsed() else { return [] }
        var seen = Set<PublicKey>()
        return event.tagValues("p").compactMap(PublicKey.init(hex:)).filter { seen.insert($0).inserted }
    }

    /// Pubkeys ordered by follower count, most followed first (ties by key).
    func mostFollowed(_ pubkeys: Set<PublicKey>) async throws -> [PublicKey] {
        let stats = try await models.userStats(Array(pubkeys), store: store)
        return pubkeys.sorted { a, b in
            let (ca, cb) = (stats[a]?.followersCount ?? 0, stats[b]?.followersCount ?? 0)
            return ca != cb ? ca > cb : a < b
        }
    }

    /// Primal's `user_infos` answer: for each pubkey with a profile, its kind 0 and
    /// MEDIA_METADATA; then USER_SCORES (and USER_FOLLOWER_COUNTS) with every pubkey's
    /// follower count.
    func userInfos(_ pubkeys: [PublicKey], followerCounts: Bool = true) async throws -> [[UInt8]] {
        var out = BundleOutput()
        try await addUserInfos(pubkeys, to: &out, followerCounts: followerCounts)
        return out.objects
    }

    func addUserInfos(_ pubkeys: [PublicKey], to out: inout BundleOutput, followerCounts: Bool = true) async throws {
        var seen = Set<PublicKey>()
        let unique = pubkeys.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { return }
        let profiles = try await models.profiles(unique, store: store)
        for pubkey in unique {
            guard let profile = profiles[pubkey] else { continue }
            out.appendEvent(profile.event.id, json: profile.json)
            if let media = profile.media { out.appendSynthetic("media:\(profile.event.id.hex)", media) }
        }
        let stats = try await models.userStats(unique, store: store)
        let counts = Dictionary(uniqueKeysWithValues: unique.map { ($0, stats[$0]?.followersCount ?? 0) })
        out.append(Synthetic.pubkeyCounts(SyntheticKind.userScores, counts))
        if followerCounts { out.append(Synthetic.pubkeyCounts(SyntheticKind.userFollowerCounts, counts)) }
    }

    /// The profiles of the people list events tag (`p`), with USER_SCORES: the
    /// `extended_response` of lists.
    func addTaggedProfiles(_ events: [StoredEvent], to out: inout BundleOutput) async throws {
        let pubkeys = events.compactMap { try? $0.parsed() }.flatMap { $0.tagValues("p").compactMap(PublicKey.init(hex:)) }
        try await addUserInfos(pubkeys, to: &out, followerCounts: false)
    }
}
