import Nostr
import RelayAPI
import Store

/// Primal's cache protocol: `["REQ", id, {"cache": [op, params]}]` → one EVENT per object
/// then EOSE, or NOTICE then EOSE.
public final class CacheService: Sendable {
    public init() {}

    /// True when a REQ's filters are a cache request.
    public static func isCacheRequest(_ filters: [JSONValue]) -> Bool {
        filters.first?["cache"] != nil
    }

    /// Answers one cache request on `client`.
    public func handle(_ subscription: String, filters: [JSONValue], client: some CacheClient) async {
        client.send(RelayMessage.notice(subscription, "unknown api request"))
        client.send(RelayMessage.eose(subscription))
    }
}
