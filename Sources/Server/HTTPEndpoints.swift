import Foundation
import HTTPTypes
import Hummingbird
import Nostr
import Store
import Workers

/// The HTTP side of the port: NIP-11 on `GET /` (with `Accept: application/nostr+json`), a
/// small status page on `GET /` otherwise, `GET /health` and `GET /metrics`.
struct HTTPEndpoints: Sendable {
    let server: HearthServer

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { request, _ in
            let accept = request.headers[.accept] ?? ""
            if accept.contains("application/nostr+json") { return nip11() }
            return await statusPage()
        }
        router.on("/", method: .options) { _, _ in
            Response(status: .noContent, headers: corsHeaders)
        }
        router.get("/health") { _, _ in await health() }
        router.get("/metrics") { _, _ in await metrics() }
        return router
    }

    private var corsHeaders: HTTPFields {
        [.accessControlAllowOrigin: "*", .accessControlAllowHeaders: "*", .accessControlAllowMethods: "GET, OPTIONS"]
    }

    private func response(_ bytes: [UInt8], type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = corsHeaders
        headers[.contentType] = type
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// NIP-11, generated from the limits the server enforces.
    func nip11() -> Response {
        let c = server.configuration
        var writer = JSONWriter()
        writer.object { o in
            o.string("name", c.name)
            o.string("description", c.description)
            o.string("contact", c.contact)
            o.array("supported_nips") { a in for nip in [1, 9, 11, 40, 45, 50] { a.int(nip) } }
            o.string("software", "https://github.com/hearth-nostr/hearth")
            o.string("version", c.version)
            o.object("limitation") { l in
                l.int("max_message_length", c.maxMessageBytes)
                l.int("max_subscriptions", c.relay.maxSubscriptions)
                l.int("max_filters", c.relay.maxFilters)
                l.int("max_limit", c.relay.maxLimit)
                l.int("default_limit", c.relay.maxLimit)
                l.int("max_subid_length", 256)
                l.bool("auth_required", false)
                l.bool("payment_required", false)
                l.bool("restricted_writes", c.readOnly)
                l.int("created_at_upper_limit", 900)
            }
        }
        return response(writer.bytes, type: "application/nostr+json")
    }

    private struct Facts {
        let status: StoreStatus?
        let error: String?
        let uptime: Int
        let connections: Int
    }

    private func facts() async -> Facts {
        let uptime = Int(monotonicNow() - server.started)
        do {
            return Facts(status: try await server.store.status(), error: nil, uptime: uptime, connections: server.connections.count)
        } catch {
            return Facts(status: nil, error: "\(error)", uptime: uptime, connections: server.connections.count)
        }
    }

    func health() async -> Response {
        let facts = await facts()
        var writer = JSONWriter()
        writer.object { o in
            o.string("status", facts.status == nil ? "unavailable" : "ok")
            if let status = facts.status {
                o.int("events", status.events)
                o.int("database_bytes", status.databaseBytes)
                o.int("pending_writes", status.pendingWrites)
            }
            if let error = facts.error { o.string("error", error) }
            o.int("uptime_seconds", facts.uptime)
            o.int("connections", facts.connections)
        }
        return response(writer.bytes, type: "application/json", status: facts.status == nil ? .serviceUnavailable : .ok)
    }

    func metrics() async -> Response {
        if let status = try? await server.store.status() {
            server.metrics.writerQueueDepth.record(status.pendingWrites)
            server.metrics.databaseBytes.record(status.databaseBytes)
        }
        server.metrics.subscriptions.record(server.subscriptionCount)
        let metrics = server.metrics
        metrics.gauge("hearth_live_pushes", [], Int64(server.cache.liveSubscriptions))
        metrics.gauge("hearth_outbound_bytes", [], Int64(server.outboundBudget.waiting))
        metrics.gauge("hearth_outbound_bytes_limit", [], Int64(server.outboundBudget.limit))
        metrics.mirror("hearth_memory_trims_total", [], total: Int64(server.memory.trims))
        if let pipeline = server.pipeline {
            for (outcome, total) in pipeline.counters.snapshot {
                metrics.mirror("hearth_ingest_events_total", [("outcome", outcome)], total: Int64(total))
            }
        }
        for relay in server.relays?.snapshot ?? [] {
            let labels = [("relay", relay.url)]
            metrics.gauge("hearth_relay_up", labels, relay.status == "live" || relay.status == "catching up" ? 1 : 0)
            metrics.mirror("hearth_relay_events_received_total", labels, total: relay.eventsReceived)
            metrics.mirror("hearth_relay_events_new_total", labels, total: relay.eventsNew)
            metrics.mirror("hearth_relay_duplicates_total", labels, total: relay.duplicates)
            metrics.mirror("hearth_relay_invalid_total", labels, total: relay.invalid)
            metrics.mirror("hearth_relay_reconnects_total", labels, total: relay.reconnects)
            metrics.mirror("hearth_relay_notices_total", labels, total: relay.notices)
            if let caughtUp = relay.caughtUpTo { metrics.gauge("hearth_relay_caught_up_to_seconds", labels, caughtUp) }
            metrics.mirror("hearth_backfill_requests_total", labels, total: relay.backfillRequests)
            metrics.mirror("hearth_backfill_events_received_total", labels, total: relay.backfillEvents)
        }
        if let backfill = server.relays?.backfill?.status {
            metrics.gauge("hearth_backfill_known_pubkeys", [], Int64(backfill.knownPubkeys))
            metrics.gauge("hearth_backfill_pubkeys_with_profile", [], Int64(backfill.withProfile))
            metrics.gauge("hearth_backfill_pubkeys_with_contact_list", [], Int64(backfill.withContactList))
            metrics.gauge("hearth_backfill_pubkeys_waiting", [], Int64(backfill.waitingPubkeys))
            metrics.gauge("hearth_backfill_events_missing", [], Int64(backfill.missingEvents))
            metrics.gauge("hearth_backfill_events_waiting", [], Int64(backfill.waitingEvents))
        }
        return response(server.metrics.exposition(), type: "text/plain; version=0.0.4; charset=utf-8")
    }

    func statusPage() async -> Response {
        let facts = await facts()
        let c = server.configuration
        let state: String = facts.status == nil ? "unavailable: \(facts.error ?? "")" : "ok"
        let events: String = facts.status.map { "\($0.events)" } ?? "–"
        let size: String = facts.status.map { "\($0.databaseBytes / 1_048_576) MiB" } ?? "–"
        let uptime = "\(facts.uptime / 3600) h \(facts.uptime % 3600 / 60) min"
        let rows: [(String, String)] = [
            ("Status", state), ("Events", events), ("Database", size), ("Connections", "\(facts.connections)"),
            ("Uptime", uptime), ("Mode", c.readOnly ? "read-only" : "read-write"),
        ]
        let relayRows = (server.relays?.snapshot ?? []).map { relay in
            "<tr><td>\(escape(relay.url))</td><td>\(escape(relay.status))</td><td>\(relay.eventsReceived)</td><td>\(relay.eventsNew)</td>"
                + "<td>\(escape(relay.lastError ?? ""))</td></tr>"
        }
        let relayTable = relayRows.isEmpty ? "<p>No upstream relays (offline or read-only).</p>"
            : "<h2>Upstream relays</h2><table><tr><th>relay</th><th>status</th><th>received</th><th>new</th><th>last error</th></tr>\n"
                + relayRows.joined(separator: "\n") + "</table>"
        let tableRows = rows.map { "<tr><th align=left>\($0.0)</th><td>\(escape($0.1))</td></tr>" }.joined(separator: "\n")
        let body = """
            <!doctype html><html><head><meta charset="utf-8"><title>\(escape(c.name))</title></head>
            <body><h1>\(escape(c.name))</h1><p>\(escape(c.description))</p><table>
            \(tableRows)
            </table>\(relayTable)<p>Connect a Nostr client to this address over WebSocket. <a href="/health">/health</a> ·
            <a href="/metrics">/metrics</a></p></body></html>
            """
        return response(Array(body.utf8), type: "text/html; charset=utf-8")
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
