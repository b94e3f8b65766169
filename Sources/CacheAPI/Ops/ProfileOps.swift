import Foundation
import Nostr
import Store

/// `user_infos {pubkeys}`: kind 0 + media of each, then USER_SCORES and USER_FOLLOWER_COUNTS.
struct UserInfos: CacheOperation {
    static let name = "user_infos"
    static let maxPubkeys = 10_000
    let pubkeys: [PublicKey]

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        guard let pubkeys = try params.pubkeys("pubkeys") else { throw CacheError("missing parameter: pubkeys") }
        guard pubkeys.count <= Self.maxPubkeys else { throw CacheError("too many pubkeys (at most \(Self.maxPubkeys))") }
        self.pubkeys = pubkeys
        _ = try params.bool("usepgfuncs", default: false)
        _ = try params.bool("apply_humaness_check", default: false)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await context.userInfos(pubkeys) }
}

/// `user_profile {pubkey, user_pubkey}`: kind 0, USER_PROFILE with every counter, media.
struct UserProfile: CacheOperation {
    static let name = "user_profile"
    let pubkey: PublicKey

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        _ = try context.viewer(&params)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        let profile = try await context.models.profiles([pubkey], store: context.store)[pubkey]
        if let profile { out.append(profile.json) }
        let stats = try await context.models.userStats([pubkey], store: context.store)[pubkey] ?? UserStats(pubkey: pubkey)
        out.append(Synthetic.userProfile(stats))
        if let media = profile?.media { out.append(media) }
        return out
    }
}

/// `contact_list {pubkey, extended_response=true}`: the kind 3, and the profiles it follows.
struct ContactList: CacheOperation {
    static let name = "contact_list"
    static let maxExtended = 5_000
    let pubkey: PublicKey
    let extended: Bool

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        extended = try params.bool("extended_response", default: true)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard let list = try await context.replaceable(pubkey, kind: 3) else {
            context.models.missing([.pubkey(pubkey)])
            return []
        }
        guard extended else { return [list.json] }
        let follows = try await context.follows(of: pubkey).prefix(Self.maxExtended)
        return [list.json] + (try await context.userInfos(Array(follows)))
    }
}

/// `user_followers {pubkey, limit=200}`: followers, those it follows back first, then the
/// most followed; as user_infos.
struct UserFollowers: CacheOperation {
    static let name = "user_followers"
    let pubkey: PublicKey
    let limit: Int

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        let limit = try params.int("limit", default: 200)
        guard limit <= 1_000 else { throw CacheError.limitTooBig }
        self.limit = Int(max(0, limit))
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard limit > 0 else { return [] }
        let mutual = try await context.store.followersAmong(context.follows(of: pubkey), of: pubkey)
        var chosen = Array(mutual.sorted().prefix(limit))
        if chosen.count < limit {
            for (follower, _) in try await context.store.followers(of: pubkey, limit: limit + chosen.count)
            where chosen.count < limit && !mutual.contains(follower) {
                chosen.append(follower)
            }
        }
        return try await context.userInfos(chosen)
    }
}

/// `{pubkey, user_pubkey}`: the subject and the viewer, both required.
struct SubjectAndViewer: Sendable {
    let pubkey: PublicKey
    let user: PublicKey

    init(_ params: inout CacheParams) throws {
        pubkey = try params.requiredPubkey("pubkey")
        user = try params.requiredPubkey("user_pubkey")
    }
}

/// `is_user_following {pubkey, user_pubkey}`: does `pubkey` follow `user_pubkey`?
struct IsUserFollowing: CacheOperation {
    static let name = "is_user_following"
    let who: SubjectAndViewer

    init(_ params: inout CacheParams, _ context: CacheContext) throws { who = try SubjectAndViewer(&params) }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let following = try await !context.store.followersAmong([who.pubkey], of: who.user).isEmpty
        return [Synthetic.isUserFollowing(following)]
    }
}

/// `mutual_follows {pubkey, user_pubkey}`: people the viewer follows who follow `pubkey`.
struct MutualFollows: CacheOperation {
    static let name = "mutual_follows"
    let who: SubjectAndViewer

    init(_ params: inout CacheParams, _ context: CacheContext) throws { who = try SubjectAndViewer(&params) }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let found = try await context.store.followersAmong(context.follows(of: who.user), of: who.pubkey)
        return try await context.userInfos(found.sorted())
    }
}

/// `user_profile_followed_by {pubkey, user_pubkey, limit=10 (≤20)}`: the most followed of
/// the viewer's follows who follow `pubkey`.
struct UserProfileFollowedBy: CacheOperation {
    static let name = "user_profile_followed_by"
    let who: SubjectAndViewer
    let limit: Int

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        who = try SubjectAndViewer(&params)
        limit = Int(max(0, min(20, try params.int("limit", default: 10))))
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let found = try await context.store.followersAmong(context.follows(of: who.user), of: who.pubkey)
        return try await context.userInfos(Array(context.mostFollowed(found).prefix(limit)), followerCounts: false)
    }
}

/// `user_search {query, limit=10 (≤100), pubkey?}`: profiles whose names or NIP-05 start
/// with the query's words, most followed first; an npub/nprofile resolves directly; with
/// `pubkey`, only among the people it follows (an empty query lists them all).
struct UserSearch: CacheOperation {
    static let name = "user_search"
    let query: String
    let limit: Int
    let among: PublicKey?

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        query = try params.string("query", default: "").trimmingCharacters(in: .whitespaces)
        limit = Int(max(0, min(100, try params.int("limit", default: 10))))
        among = try params.pubkey("pubkey")
        _ = try context.viewer(&params)
        if query.isEmpty && among == nil { throw CacheError.queryIsEmpty }
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        if let direct = Self.bech32Pubkey(query) { return try await context.userInfos([direct]) }
        var candidates: Set<PublicKey>?
        if let among { candidates = Set(try await context.follows(of: among)) }
        let found: [PublicKey]
        if query.isEmpty, let candidates {
            found = Array(try await context.mostFollowed(candidates).prefix(limit))
        } else {
            found = try await context.store.searchProfiles(query, limit: limit, among: candidates)
        }
        return try await context.userInfos(found)
    }

    /// An npub or nprofile (optionally `nostr:`-prefixed) names one pubkey.
    static func bech32Pubkey(_ text: String) -> PublicKey? {
        let bare = text.hasPrefix("nostr:") ? String(text.dropFirst(6)) : text
        guard bare.hasPrefix("npub1") || bare.hasPrefix("nprofile1") else { return nil }
        return (try? NIP19(bare))?.pubkey
    }
}

/// `user_profile_scored_content {pubkey, limit=5 (at most 100), user_pubkey}`: the author's
/// best posts by score (the profile page's highlights), as a bundle without RANGE, and the
/// author's profile even when no post scored.
struct UserProfileScoredContent: CacheOperation {
    static let name = "user_profile_scored_content"
    static let kinds: Set<Int> = [1, 20, 30_023]
    let pubkey: PublicKey
    let limit: Int
    let viewer: PublicKey?

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        limit = Int(min(100, max(0, try params.int("limit", default: 5))))
        viewer = try context.viewer(&params)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let best = try await context.store.bestPosts(author: pubkey, kinds: Self.kinds, limit: limit)
        var out = BundleOutput()
        let kept = try await context.bundle(viewer: viewer).add(best, to: &out)
        if kept.isEmpty { try await context.addUserInfos([pubkey], to: &out, followerCounts: false) }
        return out.objects
    }
}
