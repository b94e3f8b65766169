import Ingest
import Nostr
import Store
import Synchronization
import Workers

/// What the cache API reads: events plus the derived read models and feed indexes.
public typealias CacheStore = EventStore & FeedStore & AccountStore & ExploreStore

/// Primal's cache protocol: `["REQ", id, {"cache": [op, params]}]` → one EVENT per object
/// then EOSE, or NOTICE then EOSE (protocol §2).
///
/// Each op is a `CacheOperation`: a params decoder with Primal's defaults (unknown keys are
/// an error) and a handler over the store. The service looks the op up, decodes, runs, and
/// hands the objects to the connection, which frames them (text or zlib).
public final class CacheService: Sendable {
    public struct Settings: Sendable {
        /// The relays `get_default_relays` recommends (the configured relay set).
        public var defaultRelays: [String] = []
        /// Result cache size per read model, and how long an entry may live (seconds).
        public var resultCacheCapacity = 100_000
        public var resultCacheTTL = 60.0
        /// Seconds between `net_stats` pushes, and between count pushes
        /// (`notification_counts`, `directmsg_count`, and their `_2` forms).
        public var netStatsInterval = 1.0
        public var countsInterval = 1.0
        /// Live subscriptions one connection may hold (a client needs about five).
        public var maxLivePushesPerConnection = 32
        /// Explore ranks the posts of this many days (popular over all of them; the other
        /// timeframes over the last 7), re-read from the store every `exploreRefreshInterval`
        /// seconds (0: on every request, for tests).
        public var exploreWindowDays = 30
        public var exploreRefreshInterval = 60.0
        /// What `get_app_releases` answers (any JSON; primal-server's app-releases.json).
        public var appReleases: JSONValue = .object([:])
        /// Media (Blossom) servers `get_recommended_blossom_servers` recommends.
        public var blossomServers: [String] = []

        public init() {}
    }

    let store: any CacheStore
    let pipeline: IngestPipeline?
    let settings: Settings
    let models: ReadModelCache
    let pushes = LivePushes()
    let liveEvents = LiveEventWatchers()
    let explore: ExploreIndex
    let scoredResults = PerRebuildCache()
    let reads = ReadsIndex()
    let ignoredParameter: @Sendable (String, String) -> Void

    /// Every op this server answers, by name.
    static let operations: [String: any CacheOperation.Type] = {
        let all: [any CacheOperation.Type] = [
            UserInfos.self, UserProfile.self, ContactList.self, UserFollowers.self, IsUserFollowing.self,
            MutualFollows.self, UserProfileFollowedBy.self, UserSearch.self,
            GetUserRelays.self, GetUserRelays2.self, GetDefaultRelays.self, GetBookmarks.self, Mutelist.self,
            ReplaceableEvent.self, ParametrizedReplaceableEvent.self, ParametrizedReplaceableEvents.self,
            FeedOp.self, MegaFeedDirective.self, MultiKindMegaFeedDirective.self, SearchNotes.self,
            ThreadView.self, MultiKindThreadView.self, Events.self, EventActions.self, NoteMentions.self,
            NoteMentionsCount.self, ImportEvents.self,
            GetNotifications.self, GetNotificationsSeen.self, SetNotificationsSeen.self,
            EventZapsBySatsZapped.self, UserZaps.self, UserZapsSent.self, UserZapsBySatsZapped.self, ZapsFeed.self,
            Explore.self, ExploreGlobalTrending24h.self, ExploreGlobalMostZapped4h.self, Scored.self, ExploreTopics.self,
            GetDirectMessageContacts.self, GetDirectMessages.self, ResetDirectMessageCount.self, ResetDirectMessageCounts.self,
            GetDefaultAppSettings.self, GetAppSettings.self, SetAppSettings.self, GetHomeFeeds.self, GetReadsFeeds.self,
            GetAppSubsettings.self, SetAppSubsettings.self,
            Mutelists.self, Allowlist.self, ParameterizedReplaceableList.self,
            LongFormContentFeed.self, LongFormContentThreadView.self, ArticlesStats.self, TopArticle.self,
            ExplorePeople.self, ScoredUsers24h.self, ExploreZaps.self, ExploreMediaOp.self, FindReposts.self, ExploreLegendCounts.self,
            GetAppReleases.self, GetRecommendedBlossomServers.self, GetFeaturedDVMFeeds.self, SearchFilterlist.self,
            GetRecommendedReads.self, GetReadsTopics.self, GetFeaturedAuthors.self, GetHighlights.self, UserProfileScoredContent.self,
            AdvancedSearchOp.self, AdvancedFeed.self, GetAdvancedFeeds.self, Drafts.self, GetSuggestedUsers.self, CreatorPaidTiers.self,
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }()

    /// Ops of Primal's that Hearth does not serve, and why (said in the NOTICE).
    static let unserved: [String: String] = {
        let premium = "Primal premium and membership are Primal's own service, not a cache's"
        var reasons = [
            "upload_chunk": "Hearth stores no media; upload to a Blossom server", "upload_complete": "Hearth stores no media; upload to a Blossom server",
            "wallet": "Hearth has no wallet",
            "broadcast_events": "Hearth does not publish to other relays", "rebroadcasting_status": "Hearth does not publish to other relays",
            "dvm_feed_info": "Hearth runs no data-vending machines", "dvm_feed": "Hearth runs no data-vending machines",
            "live_feed": "Hearth keeps no live stream chat", "find_live_events": "Hearth keeps no live stream chat",
            "report_user": "Hearth keeps no reports; moderate with mute lists",
        ]
        for op in ["membership_status", "membership_name_available", "membership_purchase_product", "membership_purchase_monitor",
                   "membership_purchase_history", "membership_change_name", "membership_exchange_rate", "membership_legend_customization",
                   "membership_content_stats", "membership_content_backup", "membership_content_rebroadcast_start",
                   "membership_content_rebroadcast_cancel", "membership_media_management_stats", "membership_media_management_uploads",
                   "membership_media_management_delete", "membership_recovery_contact_lists",
                   "membership_stripe_checkout_session_check_status"] {
            reasons[op] = premium
        }
        return reasons
    }()

    /// Subscriptions answered with EOSE and then pushed periodically (protocol §7).
    static let liveFeeds: [String: LivePushes.Feed] = [
        "net_stats": .netStats, "notification_counts": .notificationCounts, "notification_counts_2": .notificationCounts2,
        "directmsg_count": .directMessageCount, "directmsg_count_2": .directMessageCount2,
    ]

    /// Every op name, sorted (for NIP-11 and the README check).
    public static var operationNames: [String] {
        (Array(operations.keys) + Array(liveFeeds.keys) + [LiveEventWatchers.name, "set_primal_protocol"]).sorted()
    }

    /// `record` counts result-cache hits and misses per read model; `ignoredParameter` hears
    /// of each param an op ignored (op, key). `backfill` hears of what clients asked about
    /// and the store lacked.
    public init(store: any CacheStore, pipeline: IngestPipeline?, settings: Settings = Settings(),
                backfill: (any BackfillRequests)? = nil, record: @escaping ReadModelCache.Recorder = { _, _, _ in },
                ignoredParameter: @escaping @Sendable (String, String) -> Void = { _, _ in }) {
        self.store = store
        self.ignoredParameter = ignoredParameter
        self.pipeline = pipeline
        self.settings = settings
        let models = ReadModelCache(capacity: settings.resultCacheCapacity, ttl: settings.resultCacheTTL, backfill: backfill,
                                    record: record)
        self.models = models
        explore = ExploreIndex(window: Int64(settings.exploreWindowDays) * 86_400, interval: settings.exploreRefreshInterval)
        let pushes = self.pushes
        let reads = self.reads
        let liveEvents = self.liveEvents
        store.observeCommits { batch in
            models.invalidate(batch)
            liveEvents.committed(batch)
            // A deletion can take notifications away: recount them all.
            if batch.contains(where: { $0.event.kind == 5 && $0.outcome.isStored }) { pushes.invalidateAllNotificationCounts() }
            if batch.contains(where: { [5, 30_023].contains($0.event.kind) && $0.outcome.isStored }) { reads.markStale() }
        }
    }

    /// The periodic work: live pushes and the explore index. Runs until cancelled.
    public func runBackgroundWork() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.pushes.run(store: self.store, netStatsInterval: self.settings.netStatsInterval,
                                                  countsInterval: self.settings.countsInterval) }
            group.addTask { await self.explore.run(self.store) }
        }
    }

    /// The client closed a subscription (CLOSE, or a new request with its id).
    public func close(_ subscription: String, client: some CacheClient) {
        pushes.remove(client, subscription: subscription)
        liveEvents.remove(client, subscription: subscription)
    }

    /// The connection ended: stop everything pushed to it.
    public func disconnected(_ client: some CacheClient) {
        pushes.removeAll(client)
        liveEvents.removeAll(client)
    }

    /// Re-reads the explore index now (the background task does it every
    /// `exploreRefreshInterval`); returns how many posts it ranks.
    @discardableResult
    public func rebuildExploreIndex() async throws -> Int {
        try await explore.rebuild(store, now: unixNow()).posts.count
    }

    /// Open live subscriptions (for /metrics).
    public var liveSubscriptions: Int { pushes.count + liveEvents.count }

    /// For a cache request, the op name to file its metrics under (`unknown` for ops this
    /// server does not have); nil when the REQ is plain NIP-01.
    public static func operationName(_ filters: [JSONValue]) -> String? {
        guard let cache = filters.first?["cache"] else { return nil }
        guard let name = cache.arrayValue?.first?.stringValue else { return "invalid" }
        return knownNames.contains(name) ? name : "unknown"
    }

    private static let knownNames = Set(operationNames)

    /// Answers one cache request on `client`. Several filter objects in one REQ are
    /// answered in turn, as one response.
    public func handle(_ subscription: String, filters: [JSONValue], client: some CacheClient) async {
        do {
            var objects: [[UInt8]] = []
            let remarks = Remarks()
            for filter in filters {
                let (name, params) = try Self.request(filter)
                if name == "set_primal_protocol" {
                    // Answered in the old framing; the new one applies from the next response.
                    let compress = try Self.protocolSetting(params)
                    client.respond(subscription, objects: objects)
                    client.cacheState.setCompression(compress)
                    return
                }
                if let feed = Self.liveFeeds[name] {
                    try subscribe(subscription, feed: feed, op: name, params: params, client: client)
                    return
                }
                let context = CacheContext(service: self, connection: client.cacheState, now: unixNow(), op: name, remarks: remarks)
                if name == LiveEventWatchers.name {
                    try await liveEvents.watch(subscription, params: params, client: client, context: context,
                                               limit: settings.maxLivePushesPerConnection)
                    return
                }
                if let reason = Self.unserved[name] { throw CacheError("\(name) is not served by this cache: \(reason)") }
                guard let operation = Self.operations[name] else { throw CacheError.unknownOp }
                var reader = try CacheParams(params)
                let op = try operation.init(&reader, context)
                context.ignore(reader.finish())
                objects += try await op.run(context)
            }
            client.respond(subscription, objects: objects, notice: remarks.text)
        } catch let error as CacheError {
            client.fail(subscription, error.message)
        } catch let error as StoreError {
            client.fail(subscription, "error: \(error)")
        } catch {
            client.fail(subscription, "error")
        }
    }

    /// Registers a live subscription and answers EOSE; the pushes follow on the feed's timer.
    private func subscribe(_ subscription: String, feed: LivePushes.Feed, op: String, params: JSONValue?, client: some CacheClient) throws {
        var reader = try CacheParams(params)
        let pubkey = feed == .netStats ? nil : try reader.requiredPubkey("pubkey")
        for key in reader.finish() { ignoredParameter(op, key) }
        guard pushes.add(LivePushes.Subscriber(client: client, subscription: subscription, feed: feed, pubkey: pubkey),
                         limit: settings.maxLivePushesPerConnection) else {
            throw CacheError("too many live subscriptions on this connection (at most \(settings.maxLivePushesPerConnection)); CLOSE some first")
        }
        client.respond(subscription, objects: [])
    }

    /// `{"cache": [op, params?]}` → (op, params).
    static func request(_ filter: JSONValue) throws -> (String, JSONValue?) {
        guard let cache = filter["cache"]?.arrayValue, let name = cache.first?.stringValue else {
            throw CacheError("cache request must be {\"cache\": [op, params]}")
        }
        guard cache.count <= 2 else { throw CacheError("cache request must be {\"cache\": [op, params]}") }
        return (name, cache.count == 2 ? cache[1] : nil)
    }

    /// `set_primal_protocol {"compression": "zlib" | "none"}`.
    static func protocolSetting(_ json: JSONValue?) throws -> Bool {
        var params = try CacheParams(json)
        let compression = try params.string("compression", default: "none")
        switch compression {
        case "zlib": return true
        case "none", "": return false
        default: throw CacheError("unsupported compression: \(compression)")
        }
    }
}

/// What one request sees: the store, the result cache, the clock and the connection.
struct CacheContext: Sendable {
    let service: CacheService
    let connection: CacheConnectionState
    let now: Int64
    /// The op requested (ignored params are counted under it).
    let op: String
    /// Said after the answer, in a NOTICE before EOSE.
    let remarks: Remarks

    var store: any CacheStore { service.store }
    var models: ReadModelCache { service.models }

    func bundle(viewer: PublicKey?) -> PostBundle { PostBundle(store: store, models: models, viewer: viewer) }

    /// Reads `user_pubkey` (the viewer), remembering the connection's first one.
    func viewer(_ params: inout CacheParams) throws -> PublicKey? {
        let viewer = try params.pubkey("user_pubkey")
        if let viewer { connection.remember(user: viewer) }
        return viewer
    }

    /// A remark on the answer (search terms left out, say), sent after it.
    func remark(_ text: String) { remarks.add(text) }

    /// Params the op did not read: ignored, and counted.
    func ignore(_ keys: [String]) {
        for key in keys { service.ignoredParameter(op, key) }
    }
}

/// What ops of one request say about their answers (joined into one NOTICE).
final class Remarks: Sendable {
    private let lines = Mutex<[String]>([])

    func add(_ line: String) { lines.withLock { $0.append(line) } }

    var text: String? { lines.withLock { $0.isEmpty ? nil : $0.joined(separator: "; ") } }
}

/// One cache op: decoding its params (in `init`) is separate from running it, so a bad or
/// unknown parameter is refused before any work is done.
protocol CacheOperation: Sendable {
    static var name: String { get }
    init(_ params: inout CacheParams, _ context: CacheContext) throws
    func run(_ context: CacheContext) async throws -> [[UInt8]]
}
