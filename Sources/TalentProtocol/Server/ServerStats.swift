import Histogram
import NIOConcurrencyHelpers
import Prometheus

/// Counters since start, for `system.stats` and `system.health`. One lock: updates are a few
/// additions, and the histogram record is constant time.
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
        // This method's Prometheus series, looked up in the registry once, not on every request.
        var requestsByOutcome: [String: Counter] = [:]
        var duration: DurationHistogram?
    }

    private struct State {
        var connectionsOpen = 0
        var connectionsTotal = 0
        var connectionsRejected = 0
        var bytesIn = 0
        var bytesOut = 0
        var protocolErrors = 0
        var outputPaused = 0
        var outputStuckClosed = 0
        var methods: [String: MethodCounters] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// The Prometheus families (`system.metrics`): requests and latency here; the daemon adds
    /// its own. Labels are method names and error reasons only, never a principal.
    public let metrics = PrometheusCollectorRegistry()

    // Immutable structs of strings that the library does not mark Sendable.
    nonisolated(unsafe) private static let requestsTotal = MetricNameDescriptor(
        namespace: "talentd", metricName: "requests", unitName: "total",
        helpText: "Requests answered, by method (\"(unknown)\" for names that do not exist) and outcome (ok or the error reason).")
    nonisolated(unsafe) private static let requestDuration = MetricNameDescriptor(
        namespace: "talentd", metricName: "request_duration", unitName: "seconds",
        helpText: "Time from taking up a request to its answer being ready, by method.")
    private static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2), .seconds(5), .seconds(10),
    ]

    public init() {}

    /// Method names are keyed as given only for methods that exist; anything else counts under
    /// "(unknown)", so random method names cannot grow this table.
    func recordRequest(method: String?, nanoseconds: Int64, errorReason: String?) {
        let (counter, duration) = state.withLockedValue { state in
            let key = method ?? "(unknown)"
            let outcome = errorReason ?? "ok"
            state.methods[key, default: MethodCounters()].requests += 1
            _ = state.methods[key]!.latency.record(UInt64(max(1, nanoseconds / 1000)))
            if let errorReason { state.methods[key]!.errorsByReason[errorReason, default: 0] += 1 }
            if state.methods[key]!.requestsByOutcome[outcome] == nil {
                state.methods[key]!.requestsByOutcome[outcome] = metrics.makeCounter(
                    descriptor: Self.requestsTotal, labels: [("method", key), ("outcome", outcome)])
            }
            if state.methods[key]!.duration == nil {
                state.methods[key]!.duration = metrics.makeDurationHistogram(
                    descriptor: Self.requestDuration, labels: [("method", key)], buckets: Self.latencyBuckets)
            }
            return (state.methods[key]!.requestsByOutcome[outcome]!, state.methods[key]!.duration!)
        }
        counter.increment()
        duration.recordNanoseconds(nanoseconds)
    }

    func recordProtocolError() { state.withLockedValue { $0.protocolErrors += 1 } }
    func recordOutputPaused() { state.withLockedValue { $0.outputPaused += 1 } }
    func recordStuckOutputClosed() { state.withLockedValue { $0.outputStuckClosed += 1 } }
    func addBytes(in bytesIn: Int = 0, out bytesOut: Int = 0) {
        state.withLockedValue { $0.bytesIn += bytesIn; $0.bytesOut += bytesOut }
    }

    /// Admits a connection if fewer than `limit` are open.
    func admitConnection(limit: Int) -> Bool {
        state.withLockedValue { state in
            guard state.connectionsOpen < limit else { state.connectionsRejected += 1; return false }
            state.connectionsOpen += 1
            state.connectionsTotal += 1
            return true
        }
    }

    func connectionClosed() { state.withLockedValue { $0.connectionsOpen -= 1 } }

    public var openConnections: Int { state.withLockedValue { $0.connectionsOpen } }

    public func snapshot() -> Snapshot {
        state.withLockedValue { state in
            Snapshot(
                connectionsOpen: state.connectionsOpen, connectionsTotal: state.connectionsTotal,
                connectionsRejected: state.connectionsRejected, bytesIn: state.bytesIn, bytesOut: state.bytesOut,
                protocolErrors: state.protocolErrors,
                outputPaused: state.outputPaused, outputStuckClosed: state.outputStuckClosed,
                methods: state.methods.mapValues { counters in
                    MethodSnapshot(
                        requests: counters.requests, errors: counters.errorsByReason.values.reduce(0, +),
                        errorsByReason: counters.errorsByReason,
                        p50Micros: counters.latency.valueAtPercentile(50), p90Micros: counters.latency.valueAtPercentile(90),
                        p99Micros: counters.latency.valueAtPercentile(99), maxMicros: counters.latency.max)
                })
        }
    }
}
