import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `talentctl backup`: an online copy of the database, verified by the daemon.
struct Backup: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the live database to a new file on the daemon's machine and verify it (admin).",
        discussion: """
        Writers go on during the copy; it holds every write acknowledged before it started. The daemon checks the copy (integrity, audit chain) before answering, and reports its audit head: publish it as an anchor. PATH must be absolute and must not exist; the daemon's user must be able to create it.

        Examples:
          talentctl backup --to /var/backups/talentd/talent-$(date -u +%F).db
          talentd verify --db /var/backups/talentd/talent-2026-11-25.db
          talentd restore --from /var/backups/talentd/talent-2026-11-25.db --db /var/lib/talentd/talent.db   (daemon stopped)
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "Absolute file name for the copy, on the daemon's machine.") var to: String

    func run() throws {
        let result = try global.withClient { try $0.call("system.backup", params: ["path": .string(to)]) }
        global.emit(json: result) {
            let head = result["audit_head"]
            let seconds: String
            if case .double(let d)? = result["seconds"] { seconds = "\((d * 1000).rounded() / 1000)" } else { seconds = text(result["seconds"]) }
            return "backed up \(text(result["pages"])) pages (\(text(result["bytes"])) bytes) in \(seconds) s to \(text(result["path"])), verified; audit head \(text(head?["seq"])):\(text(head?["hash"]))"
        }
    }
}

/// `talentctl metrics`: the Prometheus text, as `GET /metrics` would serve it.
struct Metrics: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the daemon's Prometheus metrics (text format 0.0.4) (admin, ops, auditor).",
        discussion: """
        The same text `talentd serve --metrics-listen 127.0.0.1:9464` serves at GET /metrics. No personal data.

        Examples:
          talentctl metrics | grep talentd_requests_total
          talentctl metrics | promtool check metrics
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let result = try global.withClient { try $0.call("system.metrics") }
        if global.format == .json { print(JSONWriter.string(result)) } else { print(text(result["text"]), terminator: "") }
    }
}

/// `talentctl top`: one line per interval, as `redis-cli --stat` prints.
struct Top: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "A live view of the daemon's load, one line per second: requests/s, p99, errors, connections, queue (admin, ops, auditor).",
        discussion: """
        Read from system.metrics each interval; talentctl's own calls are not counted. p99 is the upper bound of the latency bucket holding the 99th percentile of the interval's requests. Stop with Ctrl-C, or give --count.

        Example: talentctl top --interval 1
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "Seconds between lines (default 1).") var interval: Double = 1
    @Option(help: "Stop after this many lines (default: never).") var count: Int?

    func run() throws {
        try global.withClient { client in
            var previous = Exposition(try client.call("system.metrics"))
            var lines = 0
            while count.map({ lines < $0 }) ?? true {
                usleep(UInt32(max(0.05, interval) * 1_000_000))
                let current = Exposition(try client.call("system.metrics"))
                if lines % 20 == 0 { print("requests/s   p99        errors/s   connections  queue") }
                let requests = current.requests - previous.requests
                let errors = current.errors - previous.errors
                let columns = [oneDecimal(requests / interval), current.p99(since: previous) ?? "-", oneDecimal(errors / interval),
                               String(Int(current.gauge("talentd_connections_open"))), String(Int(current.gauge("talentd_requests_on_workers")))]
                print(zip(columns, [13, 11, 11, 13, 0]).map { $0.0.padding(toLength: max($0.1, $0.0.count), withPad: " ", startingAt: 0) }.joined())
                fflush(nil)  // every stream: a pipe sees each line as it comes
                previous = current
                lines += 1
            }
        }
    }
}

private func oneDecimal(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

/// The few families `top` reads, parsed from the exposition text.
private struct Exposition {
    var samples: [(name: String, labels: String, value: Double)] = []

    init(_ result: JSONValue) {
        for line in text(result["text"]).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let brace = series.firstIndex(of: "{") ?? series.endIndex
            samples.append((String(series[..<brace]), String(series[brace...]), value))
        }
    }

    private func sum(_ name: String, where keep: (String) -> Bool = { _ in true }) -> Double {
        samples.filter { $0.name == name && !$0.labels.contains("method=\"system.metrics\"") && keep($0.labels) }.reduce(0) { $0 + $1.value }
    }

    var requests: Double { sum("talentd_requests_total") }
    var errors: Double { sum("talentd_requests_total") { !$0.contains("outcome=\"ok\"") } }
    func gauge(_ name: String) -> Double { sum(name) }

    /// Buckets summed over methods, as (upper bound, cumulative count).
    private var buckets: [String: Double] {
        var out: [String: Double] = [:]
        for s in samples where s.name == "talentd_request_duration_seconds_bucket" && !s.labels.contains("method=\"system.metrics\"") {
            guard let range = s.labels.range(of: "le=\"") else { continue }
            let le = String(s.labels[range.upperBound...].prefix { $0 != "\"" })
            out[le, default: 0] += s.value
        }
        return out
    }

    func p99(since earlier: Exposition) -> String? {
        let now = buckets, before = earlier.buckets
        let deltas = now.map { (le: $0.key == "+Inf" ? Double.infinity : Double($0.key) ?? .infinity, count: $0.value - (before[$0.key] ?? 0)) }
            .sorted { $0.le < $1.le }
        guard let total = deltas.last?.count, total > 0 else { return nil }
        guard let bucket = deltas.first(where: { $0.count >= total * 0.99 }) else { return nil }
        if bucket.le == .infinity { return ">10s" }
        return bucket.le < 0.001 ? "≤\(Int(bucket.le * 1_000_000))µs" : "≤\(bucket.le * 1000)ms"
    }
}
