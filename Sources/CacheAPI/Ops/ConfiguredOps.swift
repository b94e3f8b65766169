import Nostr
import Store

extension SyntheticKind {
    static let appReleases = 10_000_138
    static let recommendedBlossomServers = 10_000_175
    static let advancedFeeds = 10_000_150
    static let suggestedUsers = 10_000_134
}

/// `get_app_releases`: APP_RELEASES with the release information the operator configured
/// (`{}` by default), as primal-server serves its app-releases.json.
struct GetAppReleases: CacheOperation {
    static let name = "get_app_releases"

    init(_ params: inout CacheParams, _ context: CacheContext) throws {}

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [Synthetic.object(SyntheticKind.appReleases) { w in w.value(context.service.settings.appReleases) }]
    }
}

/// `get_recommended_blossom_servers`: the configured media servers as a JSON array (empty
/// by default); the web app offers them in its media settings.
struct GetRecommendedBlossomServers: CacheOperation {
    static let name = "get_recommended_blossom_servers"

    init(_ params: inout CacheParams, _ context: CacheContext) throws {}

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [Synthetic.object(SyntheticKind.recommendedBlossomServers) { w in w.stringArray(context.service.settings.blossomServers) }]
    }
}

/// `get_featured_dvm_feeds {kind?, user_pubkey?}`: Hearth runs no data-vending machines
/// and lists none, so the answer is empty, as primal-server's is when no DVM feed is
/// featured.
struct GetFeaturedDVMFeeds: CacheOperation {
    static let name = "get_featured_dvm_feeds"

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        _ = try params.string("kind")
        _ = try context.viewer(&params)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { [] }
}

/// `search_filterlist {pubkey, user_pubkey}`: why a pubkey is filtered for the user
/// (FILTERING_REASON). Hearth keeps no moderation filter lists yet, so nothing is filtered,
/// and primal-server answers that with no objects.
struct SearchFilterlist: CacheOperation {
    static let name = "search_filterlist"

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        _ = try params.requiredPubkey("pubkey")
        _ = try context.viewer(&params)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { [] }
}

/// `get_advanced_feeds`: ADVANCED_FEEDS, primal-server's list of ready-made searches (a
/// file of its own); Hearth has none, so `{}` (the web app asks only on a developer page).
struct GetAdvancedFeeds: CacheOperation {
    static let name = "get_advanced_feeds"

    init(_ params: inout CacheParams, _ context: CacheContext) throws {}

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [Synthetic.object(SyntheticKind.advancedFeeds) { w in w.object { _ in } }]
    }
}

/// `get_suggested_users` (account creation): SUGGESTED_USERS, groups of people to follow
/// that primal-server reads from a hand-made file; Hearth has none, so `[]`.
struct GetSuggestedUsers: CacheOperation {
    static let name = "get_suggested_users"

    init(_ params: inout CacheParams, _ context: CacheContext) throws {}

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [Synthetic.object(SyntheticKind.suggestedUsers) { w in w.array { _ in } }]
    }
}

/// `creator_paid_tiers {pubkey}`: a creator's subscription tiers (kind 17000), which Hearth
/// does not ingest: no objects, as primal-server answers for a creator without tiers.
struct CreatorPaidTiers: CacheOperation {
    static let name = "creator_paid_tiers"

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        _ = try params.requiredPubkey("pubkey")
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { [] }
}
