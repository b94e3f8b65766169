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

extension SyntheticKind {
    static let appSubsettings = 10_000_155
}

/// The `{subkey, settings?}` content of a signed subsettings request.
struct SubsettingsRequest: Sendable {
    static let maxSettingsBytes = 65_536
    let proof: UserSignedEvent
    let subkey: String
    let settings: JSONValue?

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        proof = try UserSignedEvent(&params, now: context.now)
        guard let content = try? JSONValue.parse(proof.event.content), let subkey = content["subkey"]?.stringValue,
              !subkey.isEmpty, subkey.utf8.count <= 64 else {
            throw CacheError("event_from_user content must be {\"subkey\": …, \"settings\": …}")
        }
        self.subkey = subkey
        settings = content["settings"]
    }
}

/// `get_app_subsettings {event_from_user}`: APP_SUBSETTINGS with what the user saved under
/// the content's `subkey`; for `user-home-feeds` / `user-reads-feeds` not yet saved, Hearth's
/// default feed lists.
struct GetAppSubsettings: CacheOperation {
    static let name = "get_app_subsettings"
    let request: SubsettingsRequest

    init(_ params: inout CacheParams, _ context: CacheContext) throws { request = try SubsettingsRequest(&params, context) }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        let saved = try await context.store.appSubsettings(of: request.proof.pubkey, subkey: request.subkey)
        let settings: String
        switch (saved, request.subkey) {
        case (let saved?, _): settings = saved
        case (nil, "user-home-feeds"): settings = DefaultSettings.homeFeeds
        case (nil, "user-reads-feeds"): settings = DefaultSettings.readsFeeds
        default: return []
        }
        return [Synthetic.object(SyntheticKind.appSubsettings) { $0.raw(Array(settings.utf8)) }]
    }
}

/// `set_app_subsettings {event_from_user}`: saves the content's `settings` under its
/// `subkey` for the signer. Answers nothing but EOSE.
struct SetAppSubsettings: CacheOperation {
    static let name = "set_app_subsettings"
    let request: SubsettingsRequest
    let settings: [UInt8]

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        request = try SubsettingsRequest(&params, context)
        guard let value = request.settings else { throw CacheError("event_from_user content has no settings") }
        settings = value.jsonBytes
        guard settings.count <= SubsettingsRequest.maxSettingsBytes else {
            throw CacheError("settings are larger than \(SubsettingsRequest.maxSettingsBytes) bytes")
        }
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard context.service.pipeline != nil else { throw CacheError("this server is read-only; it stores nothing") }
        try await context.store.setAppSubsettings(of: request.proof.pubkey, subkey: request.subkey,
                                                  settings: String(decoding: settings, as: UTF8.self), at: request.proof.event.createdAt)
        return []
    }
}
