import Foundation
import NIOConcurrencyHelpers
import Prometheus
import TalentProtocol
import TalentStorage

/// Prometheus text exposition (format 0.0.4) for `system.metrics` and `GET /metrics`. Requests
/// and latency are counted as they happen (ServerStats); levels (connections, queue, file sizes,
/// audit head, backup age) are read at each scrape. No label names a principal or personal data.
final class DaemonMetrics: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let registry: PrometheusCollectorRegistry
    private let store: Store
    private let stats: ServerStats
    private let queueDepth = NIOLockedValueBox<@Sendable () -> Int>({ 0 })
    private let loginsCounted = NIOLockedValueBox((failed: 0, throttled: 0))

    private let openConnections: Gauge
    private let queued: Gauge
    private let databaseBytes: Gauge
    private let walBytes: Gauge
    private let auditHeadSeq: Gauge
    private let backupAge: Gauge
    private let loginsFailed: Counter
    private let loginsThrottled: Counter
    /// Mutations per SQLite commit. Each write method commits alone today, so this is all ones;
    /// a group-commit writer would raise it, and this is where it would show.
    let writesPerCommit: ValueHistogram

    init(store: Store, stats: ServerStats) {
        self.store = store
        self.stats = stats
        let registry = stats.metrics
        self.registry = registry
        func gauge(_ name: String, _ unit: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "talentd", metricName: name, unitName: unit, helpText: help))
        }
        openConnections = gauge("connections", "open", "Connections open now.")
        queued = gauge("requests", "on_workers", "Requests handed to the worker pools or queued into the shared commit, not answered yet.")
        databaseBytes = gauge("database", "bytes", "Size of the SQLite database file.")
        walBytes = gauge("wal", "bytes", "Size of the SQLite write-ahead log.")
        auditHeadSeq = gauge("audit_head", "seq", "Sequence number of the newest audit entry.")
        backupAge = gauge("backup_age", "seconds", "Seconds since the last verified system.backup finished; -1 when there never was one.")
        let logins = MetricNameDescriptor(namespace: "talentd", metricName: "login_failures", unitName: "total",
                                          helpText: "Logins refused: failed (wrong principal or secret, or disabled) or throttled (too many failures).")
        loginsFailed = registry.makeCounter(descriptor: logins, labels: [("kind", "failed")])
        loginsThrottled = registry.makeCounter(descriptor: logins, labels: [("kind", "throttled")])
        writesPerCommit = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(namespace: "talentd", metricName: "writes_per_commit", unitName: "",
                                             helpText: "Mutations committed together in one SQLite transaction."),
            buckets: [1, 2, 4, 8, 16, 32, 64])
    }

    /// Where the queue depth is read (the dispatcher exists only after the method table).
    func readQueueDepth(from read: @escaping @Sendable () -> Int) {
        queueDepth.withLockedValue { $0 = read }
    }

    /// The exposition text, with every level read now. `callerOnWorkers`: 1 when the caller is
    /// itself a request on a worker (system.metrics), which the queue depth leaves out.
    func exposition(callerOnWorkers: Int = 0) -> String {
        openConnections.set(Double(stats.openConnections))
        queued.set(Double(max(0, queueDepth.withLockedValue { $0 }() - callerOnWorkers)))
        let sizes = store.fileSizes()
        databaseBytes.set(Double(sizes.database))
        walBytes.set(Double(sizes.wal))
        if let seq = try? store.pool.read({ try AuditStore($0).newest().seq }) { auditHeadSeq.set(Double(seq)) }
        let last = (try? store.lastBackupAt())?.flatMap(SystemMethods.epochSeconds)
        backupAge.set(last.map { Double(Int(Date().timeIntervalSince1970) - $0) } ?? -1)
        // session.login answers unauthenticated only for a refused secret, rate_limited only when throttled.
        loginsCounted.withLockedValue { counted in
            let reasons = stats.snapshot().methods["session.login"]?.errorsByReason ?? [:]
            let now = (failed: reasons["unauthenticated"] ?? 0, throttled: reasons["rate_limited"] ?? 0)
            loginsFailed.increment(by: Int64(now.failed - counted.failed))
            loginsThrottled.increment(by: Int64(now.throttled - counted.throttled))
            counted = now
        }
        return registry.emitToString() + stats.requestExposition()
    }
}

extension SystemMethods {
    /// `system.metrics`: the exposition text in a JSON string (the socket speaks JSON-RPC).
    func metrics(_ call: Call) throws -> JSONValue {
        ["content_type": .string(DaemonMetrics.contentType), "text": .string(prometheus.exposition(callerOnWorkers: 1))]
    }
}
