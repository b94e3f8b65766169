import ArgumentParser
import Foundation
import Ingest
import Logging
import Nostr
import SQLiteStore
import Server
import ServiceLifecycle

/// `hearth serve`. Every option can also come from an environment variable (`HEARTH_DB`,
/// `HEARTH_LISTEN`, …); a flag wins over the environment.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the cache over WebSocket (Primal cache protocol and NIP-01), with NIP-11, /health and /metrics.")

    static func env(_ name: String) -> String? { ProcessInfo.processInfo.environment["HEARTH_" + name] }

    @Option(help: "Database file (env HEARTH_DB).")
    var db = Serve.env("DB") ?? "data/hearth.db"

    @Option(help: "host:port to listen on (env HEARTH_LISTEN).")
    var listen = Serve.env("LISTEN") ?? "127.0.0.1:8008"

    @Option(help: "Upstream relays file (env HEARTH_RELAYS).")
    var relays = Serve.env("RELAYS") ?? "relays.txt"

    @Flag(help: "Serve the database as it is: ingest nothing from relays (env HEARTH_OFFLINE=1).")
    var offline = Serve.env("OFFLINE") == "1"

    @Flag(help: "Open the database read-only: no writer, client EVENTs refused (env HEARTH_READ_ONLY=1).")
    var readOnly = Serve.env("READ_ONLY") == "1"

    @Option(help: "Most events one filter returns (env HEARTH_MAX_LIMIT).")
    var maxLimit = Int(Serve.env("MAX_LIMIT") ?? "") ?? 500

    @Option(help: "Subscriptions per connection (env HEARTH_MAX_SUBSCRIPTIONS).")
    var maxSubscriptions = Int(Serve.env("MAX_SUBSCRIPTIONS") ?? "") ?? 200

    @Option(help: "Filters per REQ (env HEARTH_MAX_FILTERS).")
    var maxFilters = Int(Serve.env("MAX_FILTERS") ?? "") ?? 10

    @Option(help: "Largest client message in bytes (env HEARTH_MAX_MESSAGE_BYTES).")
    var maxMessageBytes = Int(Serve.env("MAX_MESSAGE_BYTES") ?? "") ?? 128 * 1024

    @Option(help: "Outbound bytes a slow client may have waiting before it is dropped (env HEARTH_MAX_OUTBOUND_BYTES).")
    var maxOutboundBytes = Int(Serve.env("MAX_OUTBOUND_BYTES") ?? "") ?? 4 * 1024 * 1024

    @Option(help: "Outbound bytes all clients together may have waiting; past it the furthest behind is dropped (env HEARTH_MAX_TOTAL_OUTBOUND_BYTES).")
    var maxTotalOutboundBytes = Int(Serve.env("MAX_TOTAL_OUTBOUND_BYTES") ?? "") ?? 64 * 1024 * 1024

    @Option(help: "Seconds of silence before a connection is closed (env HEARTH_IDLE_TIMEOUT).")
    var idleTimeout = Double(Serve.env("IDLE_TIMEOUT") ?? "") ?? 600

    @Option(help: "Connections per client address (env HEARTH_MAX_CONNECTIONS_PER_IP).")
    var maxConnectionsPerIP = Int(Serve.env("MAX_CONNECTIONS_PER_IP") ?? "") ?? 100

    @Option(help: "Messages per second per connection (env HEARTH_MESSAGES_PER_SECOND).")
    var messagesPerSecond = Double(Serve.env("MESSAGES_PER_SECOND") ?? "") ?? 50

    @Flag(help: "Also ingest kind 4 direct messages from the relays (env HEARTH_DIRECT_MESSAGES=1).")
    var directMessages = Serve.env("DIRECT_MESSAGES") == "1"

    @Option(help: "Hours of history to catch up from a relay read for the first time (env HEARTH_CATCH_UP_HOURS).")
    var catchUpHours = Int(Serve.env("CATCH_UP_HOURS") ?? "") ?? 48

    @Option(help: "Fetch old profiles, contact lists, relay lists and referenced events from the relays: on or off (env HEARTH_BACKFILL).")
    var backfill = Serve.env("BACKFILL") ?? "on"

    @Option(help: "Most pubkeys (and referenced events) the backfill queue keeps (env HEARTH_BACKFILL_CAP).")
    var backfillCap = Int(Serve.env("BACKFILL_CAP") ?? "") ?? 500_000

    @Option(help: "Backfill REQs open at once on one relay (env HEARTH_BACKFILL_IN_FLIGHT).")
    var backfillInFlight = Int(Serve.env("BACKFILL_IN_FLIGHT") ?? "") ?? 2

    @Option(help: "Backfill REQs sent per second to one relay (env HEARTH_BACKFILL_RATE).")
    var backfillRate = Double(Serve.env("BACKFILL_RATE") ?? "") ?? 2

    @Option(help: "Seconds between net_stats pushes (env HEARTH_NET_STATS_INTERVAL).")
    var netStatsInterval = Double(Serve.env("NET_STATS_INTERVAL") ?? "") ?? 1

    @Option(help: "Seconds between notification and direct-message count pushes (env HEARTH_COUNTS_INTERVAL).")
    var countsInterval = Double(Serve.env("COUNTS_INTERVAL") ?? "") ?? 1

    @Option(help: "Media (Blossom) server URLs the web app is offered, comma-separated (env HEARTH_BLOSSOM_SERVERS).")
    var blossomServers = Serve.env("BLOSSOM_SERVERS") ?? ""

    @Option(help: "A JSON file get_app_releases answers with (env HEARTH_APP_RELEASES); {} without one.")
    var appReleases = Serve.env("APP_RELEASES")

    @Option(help: "Read-only database connections (env HEARTH_READERS).")
    var readers = Int(Serve.env("READERS") ?? "") ?? 4

    @OptionGroup var memory: MemoryOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env HEARTH_LOG_LEVEL).")
    var logLevel = Serve.env("LOG_LEVEL") ?? "info"

    func validate() throws {
        _ = try address()
        guard maxLimit > 0, maxSubscriptions > 0, maxFilters > 0, maxMessageBytes > 0, readers > 0, maxOutboundBytes > 0 else {
            throw ValidationError("limits must be positive")
        }
        guard maxTotalOutboundBytes >= maxOutboundBytes else {
            throw ValidationError("--max-total-outbound-bytes must be at least --max-outbound-bytes")
        }
        guard netStatsInterval >= 0.05, countsInterval >= 0.05 else { throw ValidationError("push intervals must be at least 0.05 seconds") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level \(logLevel)") }
        guard ["on", "off"].contains(backfill) else { throw ValidationError("--backfill takes on or off") }
        guard backfillCap > 0, backfillInFlight > 0, backfillRate > 0 else { throw ValidationError("backfill limits must be positive") }
    }

    func address() throws -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw ValidationError("--listen takes host:port, like 127.0.0.1:8008")
        }
        return (String(listen[..<colon]), port)
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "hearth")
        var storeConfiguration = SQLiteStore.Configuration(path: db)
        storeConfiguration.readOnly = readOnly
        storeConfiguration.readers = readers
        storeConfiguration.memory = memory.memory
        storeConfiguration.maxLimit = max(maxLimit, 5_000)
        let store: SQLiteStore
        do {
            store = try SQLiteStore(storeConfiguration)
        } catch {
            throw ValidationError("cannot open \(db): \(error)")
        }
        let pipeline = readOnly ? nil : IngestPipeline(store: store, verifierThreads: max(1, ProcessInfoCores.count))
        var configuration = try serverConfiguration()
        do {
            let list = try RelayList(contentsOf: relays)
            for problem in list.problems { logger.warning("\(relays) \(problem)") }
            configuration.cache.defaultRelays = list.urls
        } catch {
            logger.warning("relays file \(relays): \(error); get_default_relays will answer an empty list")
        }
        var upstream: RelayPool?
        if let pipeline, !offline {
            var settings = UpstreamConfiguration()
            if directMessages { settings.kinds.insert(4) }
            settings.horizon = Int64(max(0, catchUpHours)) * 3_600
            settings.backfill.enabled = backfill == "on"
            settings.backfill.cap = backfillCap
            settings.backfill.requestsInFlight = backfillInFlight
            settings.backfill.requestsPerSecond = backfillRate
            upstream = RelayPool(configuration: settings, pipeline: pipeline, states: store, backfillStore: store, logger: logger)
        }
        let server = HearthServer(configuration: configuration, store: store, pipeline: pipeline, relays: upstream, logger: logger)
        let events = (try? await store.status().events) ?? 0
        let (host, port) = try address()
        let mode = readOnly ? "read-only" : offline ? "offline (no upstream relays)" : "ingesting from the relays in \(relays)"
        logger.info("hearth \(HearthVersion.current) serving ws://\(host):\(port) from \(db): \(events) events, \(mode)")
        // Services stop in reverse order: the relays first (handing over what they read),
        // then the server.
        var services: [any Service] = [server]
        if let upstream { services.append(UpstreamService(pool: upstream, path: relays)) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("server stopped: \(error)")
        }
        pipeline?.shutdown()
        await store.close()
        logger.info("stopped; database closed cleanly")
    }

    func serverConfiguration() throws -> ServerConfiguration {
        var c = ServerConfiguration()
        (c.host, c.port) = try address()
        c.readOnly = readOnly
        c.cache.netStatsInterval = netStatsInterval
        c.cache.countsInterval = countsInterval
        c.cache.blossomServers = blossomServers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let appReleases {
            guard let data = FileManager.default.contents(atPath: appReleases),
                  let json = try? JSONValue.parse(String(decoding: data, as: UTF8.self)) else {
                throw ValidationError("--app-releases: \(appReleases) is not a readable JSON file")
            }
            c.cache.appReleases = json
        }
        c.relay.maxLimit = maxLimit
        c.relay.maxSubscriptions = maxSubscriptions
        c.relay.maxFilters = maxFilters
        c.maxMessageBytes = maxMessageBytes
        c.maxOutboundBytes = maxOutboundBytes
        c.maxTotalOutboundBytes = maxTotalOutboundBytes
        c.idleTimeout = idleTimeout
        c.maxConnectionsPerIP = maxConnectionsPerIP
        c.messagesPerSecond = messagesPerSecond
        c.messageBurst = max(messagesPerSecond * 4, 10)
        c.version = HearthVersion.current
        return c
    }
}
