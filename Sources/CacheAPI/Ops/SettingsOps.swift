import Ingest
import Nostr
import Store

extension SyntheticKind {
    static let primalSettings = 10_000_103
    static let readsFeeds = 10_000_152
    static let homeFeeds = 10_000_153
}

/// `get_default_app_settings {client}`: PRIMAL_SETTINGS, Hearth's default settings document
/// with the client's name as the `d` tag.
struct GetDefaultAppSettings: CacheOperation {
    static let name = "get_default_app_settings"
    static let defaultClient = "Primal-Web App"
    let client: String

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        client = try params.string("client", default: Self.defaultClient)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] { [Self.object(client)] }

    static func object(_ client: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { o in
            o.int("kind", SyntheticKind.primalSettings)
            o.array("tags") { a in a.array { t in t.value(.string("d")); t.value(.string(client)) } }
            o.string("content", DefaultSettings.appSettings)
        }
        return writer.bytes
    }
}

/// `get_app_settings {event_from_user, client?}`: the user's saved settings (their latest
/// kind 30078 with the client's `d` tag), or the defaults when none is stored.
struct GetAppSettings: CacheOperation {
    static let name = "get_app_settings"
    let proof: UserSignedEvent
    let client: String

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        proof = try UserSignedEvent(&params, now: context.now)
        client = try params.string("client", default: proof.event.firstTagValue("d") ?? GetDefaultAppSettings.defaultClient)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let address = EventAddress(kind: 30_078, pubkey: proof.pubkey, identifier: client)
        if let saved = try await context.addressable(address) { return [saved.json] }
        return [GetDefaultAppSettings.object(client)]
    }
}

/// `set_app_settings {settings_event}`: a kind 30078 signed by the user, stored through the
/// same door as every other event; answers the stored event.
struct SetAppSettings: CacheOperation {
    static let name = "set_app_settings"
    let settings: UserSignedEvent

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        settings = try UserSignedEvent(&params, key: "settings_event", now: context.now)
        guard settings.event.firstTagValue("d") != nil else { throw CacheError("settings_event needs a d tag (the client's name)") }
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard let pipeline = context.service.pipeline else { throw CacheError("this server is read-only; it stores nothing") }
        let outcome = await pipeline.submit(events: [(settings.event, settings.json)], from: .cacheImport)[0]
        guard ImportEvents.holds(outcome) else { throw CacheError("settings_event was not stored: \(outcome)") }
        return [settings.json]
    }
}

/// `get_home_feeds` / `get_reads_feeds`: the feed lists Hearth ships (HOME_FEEDS 10000153,
/// READS_FEEDS 10000152).
struct GetHomeFeeds: CacheOperation {
    static let name = "get_home_feeds"
    init(_ params: inout CacheParams, _ context: CacheContext) throws {}
    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [Synthetic.object(SyntheticKind.homeFeeds) { $0.raw(Array(DefaultSettings.homeFeeds.utf8)) }]
    }
}

struct GetReadsFeeds: CacheOperation {
    static let name = "get_reads_feeds"
    init(_ params: inout CacheParams, _ context: CacheContext) throws {}
    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [Synthetic.object(SyntheticKind.readsFeeds) { $0.raw(Array(DefaultSettings.readsFeeds.utf8)) }]
    }
}
