import Nostr
import Store

/// `get_user_relays {pubkey}`: USER_RELAYS from the kind 10002 list, else the kind 3 content.
struct GetUserRelays: CacheOperation {
    static let name = "get_user_relays"
    let pubkey: PublicKey

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [try await Self.relays(of: pubkey, context)]
    }

    static func relays(of pubkey: PublicKey, _ context: CacheContext) async throws -> [UInt8] {
        var tags = Set<[String]>()
        if let list = try await context.replaceable(pubkey, kind: 10_002), let event = try? list.parsed() {
            for tag in event.tags where tag.count >= 2 && tag[0] == "r" { tags.insert(Array(tag)) }
        }
        if tags.isEmpty, let contacts = try await context.replaceable(pubkey, kind: 3), let event = try? contacts.parsed(),
           case .object(let relays)? = try? JSONValue.parse(event.content) {
            // Old clients kept relays in the contact list: {"wss://…": {"read": true, "write": false}}.
            for (url, markers) in relays where !url.isEmpty {
                for (marker, on) in markers.objectValue ?? [:] where on.boolValue == true { tags.insert(["r", url, marker]) }
            }
        }
        return Synthetic.userRelays(pubkey, tags.sorted { $0.lexicographicallyPrecedes($1) })
    }
}

/// `get_user_relays_2 {pubkeys}`: USER_RELAYS for each pubkey.
struct GetUserRelays2: CacheOperation {
    static let name = "get_user_relays_2"
    let pubkeys: [PublicKey]

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        guard let pubkeys = try params.pubkeys("pubkeys") else { throw CacheError("missing parameter: pubkeys") }
        guard pubkeys.count <= 1_000 else { throw CacheError("too many pubkeys (at most 1000)") }
        self.pubkeys = pubkeys
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for pubkey in pubkeys { out.append(try await GetUserRelays.relays(of: pubkey, context)) }
        return out
    }
}

/// `get_default_relays`: DEFAULT_RELAYS, the relays this server reads (relays.txt).
struct GetDefaultRelays: CacheOperation {
    static let name = "get_default_relays"

    init(_ params: inout CacheParams, _ context: CacheContext) throws {}

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        [Synthetic.defaultRelays(context.service.settings.defaultRelays)]
    }
}

/// `get_bookmarks {pubkey}`: the newest kind 10003.
struct GetBookmarks: CacheOperation {
    static let name = "get_bookmarks"
    let pubkey: PublicKey

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        try await context.replaceable(pubkey, kind: 10_003).map { [$0.json] } ?? []
    }
}

/// `mutelist {pubkey, extended_response=true}`: the kind 10000 and the `d=mute` kind
/// 30000; extended adds the muted people's profiles.
struct Mutelist: CacheOperation {
    static let name = "mutelist"
    let pubkey: PublicKey
    let extended: Bool

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        extended = try params.bool("extended_response", default: true)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var lists: [StoredEvent] = []
        if let list = try await context.replaceable(pubkey, kind: 10_000) { lists.append(list) }
        if let list = try await context.addressable(EventAddress(kind: 30_000, pubkey: pubkey, identifier: "mute")) { lists.append(list) }
        var out = BundleOutput()
        for list in lists { out.appendEvent(list) }
        if extended { try await context.addTaggedProfiles(lists, to: &out) }
        return out.objects
    }
}

/// A kind 30000 people list by its `d` tag: `mutelists {pubkey, extended_response}` (d =
/// mutelists), `allowlist {pubkey, extended_response}` (d = allowlist) and
/// `parameterized_replaceable_list {pubkey, identifier, extended_response}`; extended adds
/// the listed people's profiles.
struct PeopleList: Sendable {
    let pubkey: PublicKey
    let identifier: String
    let extended: Bool

    init(_ params: inout CacheParams, identifier: String?) throws {
        pubkey = try params.requiredPubkey("pubkey")
        self.identifier = try identifier ?? params.requiredString("identifier")
        extended = try params.bool("extended_response", default: true)
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard let list = try await context.addressable(EventAddress(kind: 30_000, pubkey: pubkey, identifier: identifier)) else { return [] }
        var out = BundleOutput()
        out.appendEvent(list)
        if extended { try await context.addTaggedProfiles([list], to: &out) }
        return out.objects
    }
}

struct Mutelists: CacheOperation {
    static let name = "mutelists"
    let list: PeopleList
    init(_ params: inout CacheParams, _ context: CacheContext) throws { list = try PeopleList(&params, identifier: "mutelists") }
    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await list.run(context) }
}

struct Allowlist: CacheOperation {
    static let name = "allowlist"
    let list: PeopleList
    init(_ params: inout CacheParams, _ context: CacheContext) throws { list = try PeopleList(&params, identifier: "allowlist") }
    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await list.run(context) }
}

struct ParameterizedReplaceableList: CacheOperation {
    static let name = "parameterized_replaceable_list"
    let list: PeopleList
    init(_ params: inout CacheParams, _ context: CacheContext) throws { list = try PeopleList(&params, identifier: nil) }
    func run(_ context: CacheContext) async throws -> [[UInt8]] { try await list.run(context) }
}

/// `replaceable_event {pubkey, kind}`: the stored version.
struct ReplaceableEvent: CacheOperation {
    static let name = "replaceable_event"
    let pubkey: PublicKey
    let kind: Int

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        pubkey = try params.requiredPubkey("pubkey")
        kind = try params.requiredKind("kind")
        guard KindClass(kind: kind) == .replaceable else { throw CacheError("kind \(kind) is not replaceable") }
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        try await context.replaceable(pubkey, kind: kind).map { [$0.json] } ?? []
    }
}

/// `parametrized_replaceable_event {pubkey, kind, identifier, extended_response=true}`:
/// the addressable event; extended adds its tagged profiles and its post bundle.
struct ParametrizedReplaceableEvent: CacheOperation {
    static let name = "parametrized_replaceable_event"
    let address: EventAddress
    let extended: Bool
    let viewer: PublicKey?

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        let pubkey = try params.requiredPubkey("pubkey")
        let kind = try params.requiredKind("kind")
        guard KindClass(kind: kind) == .addressable else { throw CacheError("kind \(kind) is not addressable") }
        address = EventAddress(kind: kind, pubkey: pubkey, identifier: try params.requiredString("identifier"))
        extended = try params.bool("extended_response", default: true)
        viewer = try context.viewer(&params)
    }

    init(address: EventAddress, extended: Bool, viewer: PublicKey?) {
        self.address = address
        self.extended = extended
        self.viewer = viewer
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        guard let event = try await context.addressable(address) else { return [] }
        guard extended else { return [event.json] }
        var out = BundleOutput()
        _ = try await context.bundle(viewer: viewer).add([FeedItem(id: event.id, sortValue: event.createdAt)], to: &out)
        try await context.addTaggedProfiles([event], to: &out)
        return out.objects
    }
}

/// `parametrized_replaceable_events {events: [{pubkey, kind, identifier}], extended_response=true}`.
struct ParametrizedReplaceableEvents: CacheOperation {
    static let name = "parametrized_replaceable_events"
    let requests: [ParametrizedReplaceableEvent]

    init(_ params: inout CacheParams, _ context: CacheContext) throws {
        guard let items = params.raw("events")?.arrayValue else { throw CacheError("events must be an array of {pubkey, kind, identifier}") }
        guard items.count <= 500 else { throw CacheError("too many events (at most 500)") }
        let extended = try params.bool("extended_response", default: true)
        let viewer = try context.viewer(&params)
        requests = try items.map { item in
            var inner = try CacheParams(item)
            let pubkey = try inner.requiredPubkey("pubkey")
            let kind = try inner.requiredKind("kind")
            let identifier = try inner.requiredString("identifier")
            context.ignore(inner.finish())
            return ParametrizedReplaceableEvent(address: EventAddress(kind: kind, pubkey: pubkey, identifier: identifier),
                                                extended: extended, viewer: viewer)
        }
    }

    func run(_ context: CacheContext) async throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for request in requests { out += try await request.run(context) }
        return out
    }
}
