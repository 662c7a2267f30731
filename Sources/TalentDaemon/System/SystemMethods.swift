import GRDB
import NIOCore
import TalentProtocol
import TalentStorage

/// `rpc.discover` and the `system.*` methods: liveness, identity, health and load of the daemon.
/// Nothing here reads personal data, so ops staff can be given these alone.
final class SystemMethods: Sendable {
    static let version = "0.1.0"
    static let protocolVersion = "1.0"

    let store: Store
    private let contract: Contract
    let config: DaemonConfig
    private let startedAt = UTCTime.now()
    private let startedUptime = NIODeadline.now()
    private let serverStats: ServerStats
    /// The Prometheus families behind `system.metrics` and `--metrics-listen`.
    let prometheus: DaemonMetrics

    init(store: Store, contract: Contract, config: DaemonConfig, stats: ServerStats) {
        self.store = store
        self.contract = contract
        self.config = config
        self.serverStats = stats
        self.prometheus = DaemonMetrics(store: store, stats: stats)
    }

    private var uptimeSeconds: Int64 { (NIODeadline.now() - startedUptime).nanoseconds / 1_000_000_000 }

    func discover(_ call: Call) throws -> JSONValue {
        contract.document
    }

    func ping(_ call: Call) throws -> JSONValue {
        ["pong": true, "time": .string(call.timestamp)]
    }

    func info(_ call: Call) throws -> JSONValue {
        let settings = try store.settings()
        let synchronous = ["OFF", "NORMAL", "FULL", "EXTRA"].indices.contains(settings.synchronous)
            ? ["off", "normal", "full", "extra"][settings.synchronous] : String(settings.synchronous)
        return [
            "name": "talentd",
            "version": .string(Self.version),
            "protocol_version": .string(Self.protocolVersion),
            "schema_version": .int(Int64(try store.schemaVersion())),
            "started_at": .string(startedAt),
            "uptime_s": .int(uptimeSeconds),
            "sqlite_version": .string(try store.sqliteVersion()),
            "storage": ["journal_mode": .string(settings.journalMode), "synchronous": .string(synchronous),
                        "foreign_keys": .bool(settings.foreignKeys)],
        ]
    }

    enum Status: Int, Comparable {
        case ok, degraded, failing
        var json: JSONValue { .string(["ok", "degraded", "failing"][rawValue]) }
        static func < (a: Status, b: Status) -> Bool { a.rawValue < b.rawValue }
    }

    func health(_ call: Call) throws -> JSONValue {
        var database: [String: JSONValue] = [:]
        let databaseStatus: Status
        // The probe rewrites one row, which a full disk may still hold in pages already
        // allocated: below this much free space real writes fail, so the check does too.
        let fullBelowBytes: Int64 = 1 << 20
        do {
            try store.probeWrite(at: call.timestamp)
            if let free = store.freeDiskBytes(), free < fullBelowBytes { throw RPCError.storageFull() }
            databaseStatus = .ok
            database["writable"] = true
        } catch let error as RPCError {
            databaseStatus = .failing
            database["writable"] = false
            database["message"] = .string(error.message)
        } catch let error as DatabaseError where StorageErrors.isFullDisk(error) {
            databaseStatus = .failing
            database["writable"] = false
            database["message"] = .string(RPCError.storageFull().message)
        } catch {
            databaseStatus = .failing
            database["writable"] = false
            database["message"] = .string("test write failed: \(error)")
        }
        database["status"] = databaseStatus.json

        let free = store.freeDiskBytes() ?? 0
        let diskStatus: Status = free < config.diskFailingBelowBytes ? .failing
            : free < config.diskDegradedBelowBytes ? .degraded : .ok
        let disk: JSONValue = [
            "status": diskStatus.json, "free_bytes": .int(free),
            "degraded_below_bytes": .int(config.diskDegradedBelowBytes),
            "failing_below_bytes": .int(config.diskFailingBelowBytes),
        ]

        let open = serverStats.openConnections
        let limit = config.limits.maxConnections
        let connectionsStatus: Status = open * 10 >= limit * 9 ? .degraded : .ok
        let connections: JSONValue = ["status": connectionsStatus.json, "open": JSONValue(open), "limit": JSONValue(limit)]

        let (backupStatus, backup) = try backupCheck(now: call.now)
        let overall = max(databaseStatus, diskStatus, connectionsStatus, backupStatus)
        return ["status": overall.json,
                "checks": ["database": .object(database), "disk": disk, "connections": connections, "backup": backup]]
    }

    func stats(_ call: Call) throws -> JSONValue {
        let snapshot = serverStats.snapshot()
        var methods: [String: JSONValue] = [:]
        for (name, m) in snapshot.methods {
            methods[name] = [
                "requests": JSONValue(m.requests),
                "errors": JSONValue(m.errors),
                "errors_by_reason": .object(m.errorsByReason.mapValues { JSONValue($0) }),
                "latency_us": [
                    "p50": .int(Int64(m.p50Micros)), "p90": .int(Int64(m.p90Micros)),
                    "p99": .int(Int64(m.p99Micros)), "max": .int(Int64(m.maxMicros)),
                ],
            ]
        }
        return [
            "started_at": .string(startedAt),
            "uptime_s": .int(uptimeSeconds),
            "connections": [
                "open": JSONValue(snapshot.connectionsOpen), "total": JSONValue(snapshot.connectionsTotal),
                "rejected": JSONValue(snapshot.connectionsRejected), "limit": JSONValue(config.limits.maxConnections),
                "output_paused": JSONValue(snapshot.outputPaused), "output_stuck_closed": JSONValue(snapshot.outputStuckClosed),
            ],
            "bytes": ["in": JSONValue(snapshot.bytesIn), "out": JSONValue(snapshot.bytesOut)],
            "protocol_errors": JSONValue(snapshot.protocolErrors),
            "methods": .object(methods),
        ]
    }
}
