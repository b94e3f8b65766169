import Nostr
import Store
import Synchronization

/// Where a session's messages go: the connection's outbound queue. `send` never blocks;
/// a connection that cannot keep up is closed by its queue, not by the sender.
public protocol MessageSink: AnyObject, Sendable {
    func send(_ frame: [UInt8])
    /// Sends `["EVENT", subscription, json]`. A sink may keep `json` as it is (shared by
    /// every subscriber of a live event) and frame it when it writes.
    func sendEvent(_ subscription: String, json: [UInt8])
}

extension MessageSink {
    public func sendEvent(_ subscription: String, json: [UInt8]) { send(RelayMessage.event(subscription, json: json)) }
}

/// Limits of the NIP-01 read side, also announced in NIP-11.
public struct RelayLimits: Sendable {
    public var maxSubscriptions = 200
    public var maxFilters = 10
    /// The most events one filter returns; also the default when a filter has no limit.
    public var maxLimit = 500

    public init() {}
}

/// One connection's NIP-01 subscriptions: REQ (stored events, EOSE, then live events),
/// COUNT and CLOSE.
///
/// A subscription is registered for live events before its stored events are read, and
/// live events that arrive meanwhile wait until EOSE is sent: nothing committed in between
/// is missed, and nothing is sent twice.
public final class RelaySession<Sink: MessageSink>: Sendable {
    private enum Phase {
        /// Reading stored events; live events wait here.
        case querying(waiting: [CommittedEvent])
        case live
    }

    private struct State {
        var subscriptions: [String: Phase] = [:]
        /// Bumped when an id is replaced, so a stale query does not flip the new one to live.
        var generations: [String: Int] = [:]
    }

    public let sink: Sink
    private let store: any EventStore
    private let live: LiveSubscriptions<RelaySession<Sink>>
    private let limits: RelayLimits
    private let state = Mutex(State())

    public init(sink: Sink, store: any EventStore, live: LiveSubscriptions<RelaySession<Sink>>, limits: RelayLimits) {
        self.sink = sink
        self.store = store
        self.live = live
        self.limits = limits
    }

    public var subscriptionCount: Int { state.withLock { $0.subscriptions.count } }

    /// Handles `["REQ", id, filters…]`. A REQ with an id in use replaces that subscription.
    public func req(_ subscription: String, filters json: [JSONValue], otherSubscriptions: Int) async {
        let filters: [Filter]
        do {
            filters = try parse(json)
        } catch {
            sink.send(RelayMessage.closed(subscription, "invalid: \(error)"))
            return
        }
        let generation: Int? = state.withLock { state in
            guard state.subscriptions[subscription] != nil
                || state.subscriptions.count + otherSubscriptions < limits.maxSubscriptions else { return nil }
            state.subscriptions[subscription] = .querying(waiting: [])
            state.generations[subscription, default: 0] += 1
            return state.generations[subscription]
        }
        guard let generation else {
            sink.send(RelayMessage.closed(subscription, "blocked: too many open subscriptions (max \(limits.maxSubscriptions))"))
            return
        }
        let liveFilters = filters.filter { !$0.isEmptyByConstruction && $0.search == nil }
        live.add(self, subscription: subscription, filters: liveFilters)
        do {
            let stored = try await store.query(filters)
            var seen = Set<EventID>()
            for event in stored where seen.insert(event.id).inserted {
                sink.sendEvent(subscription, json: event.json)
            }
            sink.send(RelayMessage.eose(subscription))
            // Flush what arrived live while reading, then deliver directly.
            let waiting: [CommittedEvent] = state.withLock { state in
                guard state.generations[subscription] == generation,
                      case .querying(let waiting) = state.subscriptions[subscription] else { return [] }
                state.subscriptions[subscription] = .live
                return waiting
            }
            for committed in waiting where seen.insert(committed.event.id).inserted {
                sink.sendEvent(subscription, json: committed.json)
            }
        } catch {
            close(subscription)
            sink.send(RelayMessage.closed(subscription, "error: \(error)"))
        }
    }

    /// Handles `["COUNT", id, filters…]` (NIP-45).
    public func count(_ subscription: String, filters json: [JSONValue]) async {
        do {
            let filters = try parse(json)
            sink.send(RelayMessage.count(subscription, try await store.count(filters)))
        } catch {
            sink.send(RelayMessage.closed(subscription, "\(error is JSONError ? "invalid" : "error"): \(error)"))
        }
    }

    /// Handles `["CLOSE", id]`: no reply, as NIP-01 asks.
    public func close(_ subscription: String) {
        live.remove(self, subscription: subscription)
        state.withLock { _ = $0.subscriptions.removeValue(forKey: subscription) }
    }

    /// Ends every subscription (the connection is gone).
    public func closeAll() {
        live.removeAll(of: self)
        state.withLock { $0.subscriptions.removeAll() }
    }

    /// A committed event matched this subscription.
    public func deliver(_ committed: CommittedEvent, to subscription: String) {
        let sendNow: Bool = state.withLock { state in
            switch state.subscriptions[subscription] {
            case .querying(var waiting):
                waiting.append(committed)
                state.subscriptions[subscription] = .querying(waiting: waiting)
                return false
            case .live: return true
            case nil: return false
            }
        }
        if sendNow { sink.sendEvent(subscription, json: committed.json) }
    }

    private func parse(_ json: [JSONValue]) throws -> [Filter] {
        guard !json.isEmpty else { throw JSONError("a REQ needs at least one filter") }
        guard json.count <= limits.maxFilters else { throw JSONError("too many filters (max \(limits.maxFilters))") }
        return try json.map { value in
            var filter = try Filter(json: value)
            filter.limit = min(filter.limit ?? limits.maxLimit, limits.maxLimit)
            return filter
        }
    }
}
