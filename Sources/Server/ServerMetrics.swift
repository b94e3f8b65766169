import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// The server's metrics, through swift-metrics into a Prometheus registry of its own (so
/// several servers in one process, as in the tests, do not share counters).
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory

    let connections: CoreMetrics.Gauge
    let subscriptions: CoreMetrics.Gauge
    let messagesIn: CoreMetrics.Counter
    let messagesOut: CoreMetrics.Counter
    let droppedSlowClients: CoreMetrics.Counter
    /// Messages refused by the per-connection rate limit, and connections closed for going on.
    let rateLimited: CoreMetrics.Counter
    let floodingClientsDropped: CoreMetrics.Counter
    let writerQueueDepth: CoreMetrics.Gauge
    let databaseBytes: CoreMetrics.Gauge
    private let written = Mutex<[String: CoreMetrics.Counter]>([:])
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])
    private let mirrors = Mutex<[String: (counter: CoreMetrics.Counter, last: Int64)]>([:])
    private let gauges = Mutex<[String: CoreMetrics.Gauge]>([:])
    private let resultCache = Mutex<[String: (hits: CoreMetrics.Counter, misses: CoreMetrics.Counter)]>([:])
    private let ignoredParameters = Mutex<[String: CoreMetrics.Counter]>([:])
    /// Distinct (op, param) series at most; later names count as `param="other"`, so a
    /// client inventing names cannot grow /metrics without bound.
    static let ignoredParameterSeries = 200

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        ]
        self.factory = factory
        connections = CoreMetrics.Gauge(label: "hearth_connections", factory: factory)
        subscriptions = CoreMetrics.Gauge(label: "hearth_subscriptions", factory: factory)
        messagesIn = CoreMetrics.Counter(label: "hearth_messages_in_total", factory: factory)
        messagesOut = CoreMetrics.Counter(label: "hearth_messages_out_total", factory: factory)
        droppedSlowClients = CoreMetrics.Counter(label: "hearth_slow_clients_dropped_total", factory: factory)
        rateLimited = CoreMetrics.Counter(label: "hearth_rate_limited_messages_total", factory: factory)
        floodingClientsDropped = CoreMetrics.Counter(label: "hearth_flooding_clients_dropped_total", factory: factory)
        writerQueueDepth = CoreMetrics.Gauge(label: "hearth_writer_queue_depth", factory: factory)
        databaseBytes = CoreMetrics.Gauge(label: "hearth_database_bytes", factory: factory)
    }

    /// Events handed to the writer, by where they came from.
    func eventsWritten(source: String) -> CoreMetrics.Counter {
        written.withLock { counters in
            if let counter = counters[source] { return counter }
            let counter = CoreMetrics.Counter(label: "hearth_events_written_total", dimensions: [("source", source)], factory: factory)
            counters[source] = counter
            return counter
        }
    }

    /// How long a request took, by kind (`req`, `count`, `event`, or a cache op).
    func queryTimer(_ kind: String) -> CoreMetrics.Timer {
        timers.withLock { timers in
            if let timer = timers[kind] { return timer }
            let timer = CoreMetrics.Timer(label: "hearth_query_seconds", dimensions: [("kind", kind)], preferredDisplayUnit: .seconds, factory: factory)
            timers[kind] = timer
            return timer
        }
    }

    /// Brings a counter up to `total`, a running total kept elsewhere (relay and pipeline
    /// counters), at scrape time.
    func mirror(_ label: String, _ dimensions: [(String, String)], total: Int64) {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        let (counter, delta): (CoreMetrics.Counter, Int64) = mirrors.withLock { mirrors in
            let entry = mirrors[key] ?? (CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory), 0)
            mirrors[key] = (entry.counter, max(entry.last, total))
            return (entry.counter, total - entry.last)
        }
        if delta > 0 { counter.increment(by: delta) }
    }

    /// Sets a labelled gauge.
    func gauge(_ label: String, _ dimensions: [(String, String)], _ value: Int64) {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        let gauge = gauges.withLock { gauges in
            if let gauge = gauges[key] { return gauge }
            let gauge = CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
            gauges[key] = gauge
            return gauge
        }
        gauge.record(value)
    }

    /// Result-cache lookups, by read model.
    func recordResultCache(_ model: String, hits: Int, misses: Int) {
        let counters = resultCache.withLock { counters in
            if let pair = counters[model] { return pair }
            let pair = (hits: CoreMetrics.Counter(label: "hearth_result_cache_hits_total", dimensions: [("model", model)], factory: factory),
                        misses: CoreMetrics.Counter(label: "hearth_result_cache_misses_total", dimensions: [("model", model)], factory: factory))
            counters[model] = pair
            return pair
        }
        if hits > 0 { counters.hits.increment(by: hits) }
        if misses > 0 { counters.misses.increment(by: misses) }
    }

    /// A cache request param that its op ignored. `op` is a known op's name (unknown ops are
    /// refused before params are read); a param name is kept when short and plain.
    func recordIgnoredParameter(op: String, name: String) {
        let plain = name.utf8.count <= 40 && name.utf8.allSatisfy { $0 == 0x5F || $0 == 0x2D || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) }
        let counter = ignoredParameters.withLock { counters -> CoreMetrics.Counter in
            var key = op + " " + (plain ? name : "other")
            if counters[key] == nil && counters.count >= Self.ignoredParameterSeries { key = op + " other" }
            if let counter = counters[key] { return counter }
            let param = String(key.split(separator: " ", maxSplits: 1)[1])
            let counter = CoreMetrics.Counter(label: "hearth_cache_ignored_params_total", dimensions: [("op", op), ("param", param)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
