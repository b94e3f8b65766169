import CacheAPI
import Ingest
import Nostr
import RelayAPI
import Store
import Workers

/// Routes each client message: NIP-01 REQ/COUNT/CLOSE to the session, cache requests to
/// the cache API, EVENT to the ingest pipeline; answers bad input with a clear message.
struct MessageDispatcher: Sendable {
    let configuration: ServerConfiguration
    let pipeline: IngestPipeline?
    let cache: CacheService
    let metrics: ServerMetrics

    func handle(_ text: String, from connection: Connection, session: RelaySession<Connection>) async {
        metrics.messagesIn.increment()
        // The rate limit comes before any work on the message, parsing included.
        switch connection.takeMessageToken() {
        case .allowed: break
        case .refused:
            refuse(text, from: connection)
            return
        case .disconnect:
            metrics.floodingClientsDropped.increment()
            connection.send(RelayMessage.notice("closing: too many messages past the rate limit"))
            connection.queue.enqueue(.close(reason: "rate limit"))
            return
        case .ignored:
            return
        }
        guard text.utf8.count <= configuration.maxMessageBytes else {
            connection.send(RelayMessage.notice("invalid: message is larger than \(configuration.maxMessageBytes) bytes"))
            return
        }
        let message: ClientMessage
        do {
            message = try ClientMessage(text)
        } catch {
            connection.send(RelayMessage.notice("invalid: \(error)"))
            return
        }
        let started = monotonicNow()
        switch message {
        case .req, .count:
            // A client reads its own writes: its EVENTs still being written come first.
            await connection.publishes.drained()
        default:
            break
        }
        switch message {
        case .req(let subscription, let filters):
            if let op = CacheService.operationName(filters) {
                // A cache REQ reusing the id of a live NIP-01 subscription replaces it.
                session.close(subscription)
                cache.close(subscription, client: connection)
                await cache.handle(subscription, filters: filters, client: connection)
                record(started, "cache:" + op)
            } else {
                await session.req(subscription, filters: filters, otherSubscriptions: 0)
                record(started, "req")
            }
        case .count(let subscription, let filters):
            await session.count(subscription, filters: filters)
            record(started, "count")
        case .close(let subscription):
            session.close(subscription)
            cache.close(subscription, client: connection)
        case .event(let event, let json):
            // Written beside this connection's other EVENTs (group commit); the next REQ waits.
            if connection.publishes.start() {
                Task {
                    connection.send(await publish(event, json: json))
                    record(started, "event")
                    connection.publishes.finished()
                }
            } else {
                connection.send(await publish(event, json: json))
                record(started, "event")
            }
        case .invalidEvent(let id, let reason):
            if let id {
                connection.send(RelayMessage.ok(id, accepted: false, "invalid: \(reason)"))
            } else {
                connection.send(RelayMessage.notice("invalid: \(reason)"))
            }
        case .auth:
            connection.send(RelayMessage.notice("invalid: this relay does not use AUTH"))
        case .unknown(let verb):
            connection.send(RelayMessage.notice("invalid: unknown message type \(verb)"))
        }
    }

    /// A message past the rate limit: a request is refused by name (`CLOSED`, `NOTICE` and
    /// `EOSE` for a cache request, `OK false` for an event), so the client's request ends;
    /// anything else (CLOSE, junk) is dropped without an answer.
    private func refuse(_ text: String, from connection: Connection) {
        metrics.rateLimited.increment()
        let reason = "rate-limited: at most \(Int(configuration.messagesPerSecond)) messages a second"
        switch ClientMessage.head(text) {
        case .req(let subscription, isCache: true): connection.fail(subscription, reason)
        case .req(let subscription, isCache: false), .count(let subscription):
            connection.send(RelayMessage.closed(subscription, reason))
        case .event(let id?): connection.send(RelayMessage.ok(id, accepted: false, reason))
        case .event(nil), .other, nil: break
        }
    }

    /// Writes a client's event through the one ingest door and words the `OK`.
    private func publish(_ event: Event, json: [UInt8]) async -> [UInt8] {
        guard let pipeline, !configuration.readOnly else {
            return RelayMessage.ok(event.id, accepted: false, "blocked: this relay is read-only")
        }
        let outcome = await pipeline.submit(events: [(event, json)], from: .client)[0]
        if case .written(let written) = outcome, written.isStored { metrics.eventsWritten(source: "client").increment() }
        let (accepted, message) = Self.okMessage(outcome)
        return RelayMessage.ok(event.id, accepted: accepted, message)
    }

    /// NIP-01 `OK` for a pipeline outcome, with its machine-readable prefix.
    static func okMessage(_ outcome: IngestOutcome) -> (Bool, String) {
        switch outcome {
        case .written(.stored), .written(.replaced), .written(.ephemeral): return (true, "")
        case .written(.duplicate), .seen: return (true, "duplicate: already have this event")
        case .written(.olderThanStored): return (true, "duplicate: a newer version of this event is stored")
        case .written(.deleted): return (false, "blocked: this event was deleted by its author")
        case .written(.rejected(let reason)), .invalid(let reason): return (false, "invalid: \(reason)")
        case .blocked(let reason): return (false, "blocked: \(reason)")
        case .written(.failed(let reason)): return (false, "error: \(reason)")
        }
    }

    private func record(_ started: Double, _ kind: String) {
        metrics.queryTimer(kind).recordSeconds(monotonicNow() - started)
    }
}
