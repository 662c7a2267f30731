import Histogram
import NIOConcurrencyHelpers
import NIOPosix
import Prometheus

/// Counters since start, for `system.stats`, `system.health` and `system.metrics`. Requests are
/// counted per thread (see `Shard`) and added up when read.
public final class ServerStats: Sendable {
    public struct MethodSnapshot: Sendable {
        public let requests: Int
        public let errors: Int
        public let errorsByReason: [String: Int]
        public let p50Micros: UInt64, p90Micros: UInt64, p99Micros: UInt64, maxMicros: UInt64
    }

    public struct Snapshot: Sendable {
        public let connectionsOpen: Int
        public let connectionsTotal: Int
        public let connectionsRejected: Int
        public let bytesIn: Int
        public let bytesOut: Int
        public let protocolErrors: Int
        /// Times a connection's unsent answers went over the bound (reading paused until it read).
        public let outputPaused: Int
        /// Connections closed because their answers stayed unread past the timeout.
        public let outputStuckClosed: Int
        public let methods: [String: MethodSnapshot]
    }

    private struct MethodCounters {
        var requests = 0
        var errorsByReason: [String: Int] = [:]
        // Microseconds, 2 significant digits, up to 10 minutes.
        var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000,
                                        numberOfSignificantValueDigits: .two)
        /// For `talentd_request_duration_seconds`: requests per latency bucket (not cumulative).
        var inBucket = [Int](repeating: 0, count: ServerStats.latencyBuckets.count)
        var totalNanoseconds: Int64 = 0

        mutating func record(nanoseconds: Int64, bucket: Int?, errorReason: String?) {
            requests += 1
            _ = latency.record(UInt64(max(1, nanoseconds / 1000)))
            if let bucket { inBucket[bucket] += 1 }
            totalNanoseconds += nanoseconds
            if let errorReason { errorsByReason[errorReason, default: 0] += 1 }
        }

        mutating func add(_ other: MethodCounters) {
            requests += other.requests
            errorsByReason.merge(other.errorsByReason, uniquingKeysWith: +)
            latency.add(other.latency)
            for index in inBucket.indices { inBucket[index] += other.inBucket[index] }
            totalNanoseconds += other.totalNanoseconds
        }
    }

    /// What one thread counted. Only that thread updates it, under the shard's own lock, which
    /// is contended only while a snapshot reads it: requests on different event loops share no
    /// lock and no cache line. Snapshots merge every shard.
    private final class Shard: @unchecked Sendable {
        let lock = NIOLock()
        var bytesIn = 0
        var bytesOut = 0
        var protocolErrors = 0
        var methods: [String: MethodCounters] = [:]
    }

    /// Per connection, not per request: one lock will do.
    private struct Connections {
        var open = 0
        var total = 0
        var rejected = 0
        var outputPaused = 0
        var outputStuckClosed = 0
    }

    /// A thread's current shard, and the stats it belongs to. One thread-specific key for every
    /// `ServerStats` (a key per instance would run out where many are made, as in the fuzzer):
    /// a thread that records for another instance takes a new shard there, so nothing is lost.
    private final class ThreadShard: Sendable {
        let owner: UInt64
        let shard: Shard
        init(owner: UInt64, shard: Shard) { self.owner = owner; self.shard = shard }
    }

    private static let threadShard = ThreadSpecificVariable<ThreadShard>()
    private static let instances = NIOLockedValueBox<UInt64>(0)
    private let instance = ServerStats.instances.withLockedValue { $0 += 1; return $0 }
    private let connections = NIOLockedValueBox(Connections())
    private let shards = NIOLockedValueBox<[Shard]>([])

    /// The Prometheus families the daemon adds (`system.metrics`); the request families are
    /// written from the shards by `exposition(appendingTo:)`. Labels are method names and
    /// error reasons only, never a principal.
    public let metrics = PrometheusCollectorRegistry()

    private static let requestsHelp = "Requests answered, by method (\"(unknown)\" for names that do not exist) and outcome (ok or the error reason)."
    private static let durationHelp = "Time from taking up a request to its answer being ready, by method."
    private static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2), .seconds(5), .seconds(10),
    ]
    private static let latencyBucketNanoseconds: [Int64] = latencyBuckets.map {
        $0.components.seconds * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000
    }

    public init() {}

    /// This thread's shard, made on its first count.
    private var shard: Shard {
        if let current = Self.threadShard.currentValue, current.owner == instance { return current.shard }
        let shard = Shard()
        shards.withLockedValue { $0.append(shard) }
        Self.threadShard.currentValue = ThreadShard(owner: instance, shard: shard)
        return shard
    }

    /// Method names are keyed as given only for methods that exist; anything else counts under
    /// "(unknown)", so random method names cannot grow this table.
    func recordRequest(method: String?, nanoseconds: Int64, errorReason: String?) {
        let shard = self.shard
        let bucket = Self.latencyBucketNanoseconds.firstIndex { nanoseconds <= $0 }
        // One lookup, counters changed in place: every request passes here.
        shard.lock.withLock {
            shard.methods[method ?? "(unknown)", default: MethodCounters()]
                .record(nanoseconds: nanoseconds, bucket: bucket, errorReason: errorReason)
        }
    }

    func recordProtocolError() {
        let shard = self.shard
        shard.lock.withLock { shard.protocolErrors += 1 }
    }

    func addBytes(in bytesIn: Int = 0, out bytesOut: Int = 0) {
        let shard = self.shard
        shard.lock.withLock { shard.bytesIn += bytesIn; shard.bytesOut += bytesOut }
    }

    func recordOutputPaused() { connections.withLockedValue { $0.outputPaused += 1 } }
    func recordStuckOutputClosed() { connections.withLockedValue { $0.outputStuckClosed += 1 } }

    /// Admits a connection if fewer than `limit` are open.
    func admitConnection(limit: Int) -> Bool {
        connections.withLockedValue { state in
            guard state.open < limit else { state.rejected += 1; return false }
            state.open += 1
            state.total += 1
            return true
        }
    }

    func connectionClosed() { connections.withLockedValue { $0.open -= 1 } }

    public var openConnections: Int { connections.withLockedValue { $0.open } }

    /// Every shard's counts added up.
    private func merged() -> (bytesIn: Int, bytesOut: Int, protocolErrors: Int, methods: [String: MethodCounters]) {
        var total = (bytesIn: 0, bytesOut: 0, protocolErrors: 0, methods: [String: MethodCounters]())
        for shard in shards.withLockedValue({ $0 }) {
            shard.lock.withLock {
                total.bytesIn += shard.bytesIn
                total.bytesOut += shard.bytesOut
                total.protocolErrors += shard.protocolErrors
                for (name, counters) in shard.methods { total.methods[name, default: MethodCounters()].add(counters) }
            }
        }
        return total
    }

    /// `talentd_requests_total` and `talentd_request_duration_seconds` in the Prometheus text
    /// format, from the merged shards (the daemon appends them to its registry's exposition).
    public func requestExposition() -> String {
        let methods = merged().methods.sorted { $0.key < $1.key }
        var out = "# HELP talentd_requests_total \(Self.requestsHelp)\n# TYPE talentd_requests_total counter\n"
        for (name, counters) in methods {
            let errors = counters.errorsByReason.values.reduce(0, +)
            let outcomes = [("ok", counters.requests - errors)] + counters.errorsByReason.sorted { $0.key < $1.key }
            for (outcome, count) in outcomes where count > 0 {
                out += "talentd_requests_total{method=\"\(name)\",outcome=\"\(outcome)\"} \(count)\n"
            }
        }
        out += "# HELP talentd_request_duration_seconds \(Self.durationHelp)\n# TYPE talentd_request_duration_seconds histogram\n"
        for (name, counters) in methods {
            var cumulative = 0
            for (bound, count) in zip(Self.latencyBuckets, counters.inBucket) {
                cumulative += count
                out += "talentd_request_duration_seconds_bucket{method=\"\(name)\",le=\"\(bound.bucketRepresentation)\"} \(cumulative)\n"
            }
            out += "talentd_request_duration_seconds_bucket{method=\"\(name)\",le=\"+Inf\"} \(counters.requests)\n"
            out += "talentd_request_duration_seconds_sum{method=\"\(name)\"} \(Duration.nanoseconds(counters.totalNanoseconds).bucketRepresentation)\n"
            out += "talentd_request_duration_seconds_count{method=\"\(name)\"} \(counters.requests)\n"
        }
        return out
    }

    public func snapshot() -> Snapshot {
        let counts = merged()
        let connections = self.connections.withLockedValue { $0 }
        return Snapshot(
            connectionsOpen: connections.open, connectionsTotal: connections.total,
            connectionsRejected: connections.rejected, bytesIn: counts.bytesIn, bytesOut: counts.bytesOut,
            protocolErrors: counts.protocolErrors,
            outputPaused: connections.outputPaused, outputStuckClosed: connections.outputStuckClosed,
            methods: counts.methods.mapValues { counters in
                MethodSnapshot(
                    requests: counters.requests, errors: counters.errorsByReason.values.reduce(0, +),
                    errorsByReason: counters.errorsByReason,
                    p50Micros: counters.latency.valueAtPercentile(50), p90Micros: counters.latency.valueAtPercentile(90),
                    p99Micros: counters.latency.valueAtPercentile(99), maxMicros: counters.latency.max)
            })
    }
}
