import Foundation
import Logging
import NIOCore
import TalentProtocol

/// The daemon's settings: defaults, overridden by the JSON config file (`--config`), overridden
/// by flags. Unknown keys and bad values in the file are refused with the offending key named,
/// so a typo never silently falls back to a default.
public struct DaemonConfig: Sendable {
    public var socketPath: String?
    public var databasePath: String?
    public var logLevel: Logger.Level = .info
    public var logFormat: LogFormat = .text
    public var limits = Limits()
    public var eventLoopThreads = System.coreCount
    /// Threads that run handlers touching the database. A writer mostly waits for its group
    /// commit's fsync, so more writers waiting means more writes per commit.
    public var workerThreads = max(16, System.coreCount * 4)
    /// Threads for password hashing (Argon2): at most one per core; by default half of them, so
    /// a flood of logins leaves the other half to everything else.
    public var hashThreads = max(1, System.coreCount / 2)
    /// How long an idempotency key is remembered.
    public var idempotencyRetentionSeconds: Int64 = 86_400
    public var drainTimeoutSeconds: Int64 = 10
    public var busyTimeoutMilliseconds = 5000
    public var diskDegradedBelowBytes: Int64 = 1 << 30
    public var diskFailingBelowBytes: Int64 = 64 << 20
    /// Leading experts the program must have in post (`recruitment.progress`): "at least 100".
    public var leadingExpertTarget: Int64 = 100
    /// How often late duties are looked for and published (`duty.late` audit entries).
    public var dutyLateSweepSeconds: Int64 = 60
    /// HOST:PORT where `GET /metrics` is served for a Prometheus scrape; off when nil.
    public var metricsListen: String?
    /// `system.health` is degraded when the last backup is older; no check when nil.
    public var backupMaxAgeSeconds: Int64?
    /// Event notifications sent to one subscriber and not yet read by it; past this it gets
    /// `event.overflow` and is disconnected (it resumes with `after_seq`).
    public var maxEventBacklog = 10_000

    public init() {}

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(path: String) throws -> DaemonConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "cannot read config file \(path)")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(Array(data))
        } catch {
            throw LoadError(description: "config file \(path) is not valid JSON: \(error.message) (byte \(error.offset))")
        }
        guard case .object(let members) = json else { throw LoadError(description: "config file \(path) must hold a JSON object") }
        do {
            try schema.validateMembers(members, prefix: "")
        } catch {
            throw LoadError(description: "config file \(path): \(error.message)")
        }
        var config = DaemonConfig()
        config.socketPath = json["socket"]?.stringValue
        config.databasePath = json["db"]?.stringValue
        config.metricsListen = json["metrics_listen"]?.stringValue
        if let level = json["log_level"]?.stringValue { config.logLevel = Logger.Level(rawValue: level)! }
        if let format = json["log_format"]?.stringValue { config.logFormat = LogFormat(rawValue: format)! }
        if let n = json["event_loop_threads"]?.intValue { config.eventLoopThreads = Int(n) }
        if let n = json["worker_threads"]?.intValue { config.workerThreads = Int(n) }
        if let n = json["drain_timeout_s"]?.intValue { config.drainTimeoutSeconds = n }
        if let n = json["busy_timeout_ms"]?.intValue { config.busyTimeoutMilliseconds = Int(n) }
        if let n = json["hash_threads"]?.intValue { config.hashThreads = Int(n) }
        if let n = json["idempotency_retention_s"]?.intValue { config.idempotencyRetentionSeconds = n }
        if let n = json["leading_expert_target"]?.intValue { config.leadingExpertTarget = n }
        if let limits = json["limits"] {
            if let n = limits["max_line_bytes"]?.intValue { config.limits.maxLineBytes = Int(n) }
            if let n = limits["max_depth"]?.intValue { config.limits.maxDepth = Int(n) }
            if let n = limits["max_batch"]?.intValue { config.limits.maxBatch = Int(n) }
            if let n = limits["max_connections"]?.intValue { config.limits.maxConnections = Int(n) }
            if let n = limits["max_queued_per_connection"]?.intValue { config.limits.maxQueuedPerConnection = Int(n) }
            if let n = limits["max_unsent_bytes_per_connection"]?.intValue { config.limits.maxUnsentBytesPerConnection = Int(n) }
            if let n = limits["stuck_output_timeout_s"]?.intValue { config.limits.stuckOutputTimeoutSeconds = n }
            if let n = limits["idle_timeout_unauthenticated_s"]?.intValue { config.limits.idleTimeoutUnauthenticatedSeconds = n }
            if let n = limits["idle_timeout_s"]?.intValue { config.limits.idleTimeoutSeconds = n }
            if let n = limits["max_event_backlog"]?.intValue { config.maxEventBacklog = Int(n) }
        }
        if let n = json["duties"]?["late_sweep_interval_s"]?.intValue { config.dutyLateSweepSeconds = n }
        if let health = json["health"] {
            if let n = health["disk_degraded_below_bytes"]?.intValue { config.diskDegradedBelowBytes = n }
            if let n = health["disk_failing_below_bytes"]?.intValue { config.diskFailingBelowBytes = n }
            if let n = health["backup_max_age_s"]?.intValue { config.backupMaxAgeSeconds = n }
        }
        return config
    }

    private static let schema: Schema = {
        let text = """
        {"type": "object", "additionalProperties": false, "properties": {
          "socket": {"type": "string", "minLength": 1},
          "db": {"type": "string", "minLength": 1},
          "metrics_listen": {"type": "string", "pattern": "^.+:[0-9]{1,5}$"},
          "log_level": {"enum": ["trace", "debug", "info", "notice", "warning", "error", "critical"]},
          "log_format": {"enum": ["text", "json"]},
          "event_loop_threads": {"type": "integer", "minimum": 1, "maximum": 64},
          "worker_threads": {"type": "integer", "minimum": 1, "maximum": 256},
          "drain_timeout_s": {"type": "integer", "minimum": 0, "maximum": 3600},
          "busy_timeout_ms": {"type": "integer", "minimum": 0, "maximum": 600000},
          "hash_threads": {"type": "integer", "minimum": 1, "maximum": 256},
          "idempotency_retention_s": {"type": "integer", "minimum": 60, "maximum": 31536000},
          "leading_expert_target": {"type": "integer", "minimum": 1, "maximum": 1000000},
          "limits": {"type": "object", "additionalProperties": false, "properties": {
            "max_line_bytes": {"type": "integer", "minimum": 1024, "maximum": 268435456},
            "max_depth": {"type": "integer", "minimum": 2, "maximum": 512},
            "max_batch": {"type": "integer", "minimum": 1, "maximum": 100000},
            "max_connections": {"type": "integer", "minimum": 1, "maximum": 100000},
            "max_queued_per_connection": {"type": "integer", "minimum": 1, "maximum": 1000000},
            "max_unsent_bytes_per_connection": {"type": "integer", "minimum": 65536, "maximum": 1073741824},
            "stuck_output_timeout_s": {"type": "integer", "minimum": 1, "maximum": 86400},
            "idle_timeout_unauthenticated_s": {"type": "integer", "minimum": 1, "maximum": 86400},
            "idle_timeout_s": {"type": "integer", "minimum": 1, "maximum": 604800},
            "max_event_backlog": {"type": "integer", "minimum": 1, "maximum": 10000000}}},
          "duties": {"type": "object", "additionalProperties": false, "properties": {
            "late_sweep_interval_s": {"type": "integer", "minimum": 1, "maximum": 86400}}},
          "health": {"type": "object", "additionalProperties": false, "properties": {
            "disk_degraded_below_bytes": {"type": "integer", "minimum": 0},
            "disk_failing_below_bytes": {"type": "integer", "minimum": 0},
            "backup_max_age_s": {"type": "integer", "minimum": 1}}}
        }}
        """
        return try! Schema(try! JSONParser.parse(text), components: [:])
    }()
}
