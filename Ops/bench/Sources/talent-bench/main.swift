// talent-bench: a load generator for talentd's Unix socket.
//
// Each connection keeps `--pipeline` requests outstanding (it writes that many lines, then one
// more per answer line it reads), counts answers, checks that each has a `result`, and records
// the latency from the write of a request to the read of its answer in an HdrHistogram. The
// connections are spread over `--threads` epoll loops (one by default, like redis-benchmark),
// so the generator costs about one core at most.

#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Histogram

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct TalentBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "talent-bench",
        abstract: "Load generator for talentd: requests/s and latency percentiles over the Unix socket."
    )

    @Option(help: "The daemon's socket (default: $TALENT_SOCKET, then ./var/talentd.sock).")
    var socket: String?

    @Option(help: "Concurrent connections.")
    var connections: Int = 1

    @Option(help: "Requests in flight per connection.")
    var pipeline: Int = 1

    @Option(help: "Seconds to measure, after the warm-up.")
    var duration: Double = 10

    @Option(help: "Seconds of load before measuring starts.")
    var warmup: Double = 1

    @Option(help: "Stop once this many answers were measured (the duration still bounds the run).")
    var requests: UInt64?

    @Option(help: "The method to call.")
    var method: String = "system.ping"

    @Option(help: "The params, as one line of JSON (an object); omitted by default. $ID in it becomes the request's id, unique over all connections.")
    var params: String?

    @Option(help: "Event-loop threads for the connections.")
    var threads: Int = 1

    @Option(help: "Log every connection in as this principal before measuring (session.login).")
    var loginPrincipal: String?

    @Option(help: "File holding the secret for --login-principal (a trailing newline is stripped).")
    var loginSecretFile: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard pipeline >= 1 else { throw ValidationError("--pipeline must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        if let requests, requests == 0 { throw ValidationError("--requests must be at least 1") }
        if let params {
            let trimmed = params.trimmingSpaces
            guard trimmed.hasPrefix("{") && trimmed.hasSuffix("}") || trimmed.hasPrefix("[") && trimmed.hasSuffix("]") else {
                throw ValidationError("--params must be a JSON object")
            }
            guard !params.contains("\n") && !params.contains("\r") else {
                throw ValidationError("--params must be one line of JSON")
            }
        }
        if (loginPrincipal == nil) != (loginSecretFile == nil) {
            throw ValidationError("--login-principal and --login-secret-file go together")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let path = socket
            ?? getenv("TALENT_SOCKET").map { String(cString: $0) }
            ?? "./var/talentd.sock"
        let loginLine = try loginPrincipal.map { principal in
            try makeLoginLine(principal: principal, secretFile: loginSecretFile!)
        }

        // Connect (and log in) every connection before the clock starts.
        var fds: [Int32] = []
        do {
            for _ in 0..<connections {
                let fd = try connectUnix(path: path)
                fds.append(fd)
                if let loginLine { try login(fd: fd, line: loginLine) }
                try setNonBlocking(fd)
            }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }

        let template = RequestTemplate(method: method, paramsJSON: params)
        let threadCount = min(threads, connections)
        var shares = Array(repeating: [(fd: Int32, firstID: Int64)](), count: threadCount)
        // Ids unique over every connection (for `$ID` in the params).
        for (index, fd) in fds.enumerated() { shares[index % threadCount].append((fd, Int64(index) * 1_000_000_000 + 1)) }
        let start = nowNanos()
        let measureStart = start + UInt64(warmup * 1e9)
        let deadline = measureStart + UInt64(duration * 1e9)
        let workers = shares.enumerated().map { index, share -> Worker in
            var quota: UInt64? = nil
            if let requests {
                // Split the total evenly; the first threads take the remainder.
                let base = requests / UInt64(threadCount)
                quota = base + (UInt64(index) < requests % UInt64(threadCount) ? 1 : 0)
            }
            return Worker(fds: share, pipeline: pipeline, template: template,
                          schedule: Schedule(measureStart: measureStart, deadline: deadline, quota: quota))
        }
        runAll(workers)

        var total = WorkerResult()
        var endedAt = measureStart
        for worker in workers {
            let part = worker.result
            total.histogram.add(part.histogram)
            total.responses += part.responses
            total.errors += part.errors
            total.closedConnections += part.closedConnections
            if total.firstError == nil { total.firstError = part.firstError }
            if total.failure == nil { total.failure = part.failure }
            endedAt = max(endedAt, part.endedAt)
        }
        let seconds = Double(endedAt &- measureStart) / 1e9
        report(total, seconds: seconds, path: path, threads: threadCount)
        if total.responses == 0 {
            throw BenchError(total.failure ?? total.firstError ?? "no answers were measured")
        }
    }

    private func makeLoginLine(principal: String, secretFile: String) throws -> [UInt8] {
        guard let file = fopen(secretFile, "r") else {
            throw BenchError("cannot read \(secretFile): \(errnoText())")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        let secret = String(decoding: bytes, as: UTF8.self)
        let text = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"session.login\",\"params\":{\"principal\":"
            + jsonString(principal) + ",\"secret\":" + jsonString(secret) + "}}\n"
        return Array(text.utf8)
    }

    private func login(fd: Int32, line: [UInt8]) throws {
        try writeAll(fd, line)
        let (answer, rest) = try readLineBlocking(fd)
        let summary = answer.withUnsafeBufferPointer { ResponseScanner.scan($0) }
        guard summary.hasResult && !summary.hasError else {
            // Never echo the request (it holds the secret); the answer does not.
            throw BenchError("session.login failed: " + String(decoding: answer.prefix(500), as: UTF8.self))
        }
        guard rest.isEmpty else { throw BenchError("unexpected extra answer after session.login") }
    }

    private func report(_ total: WorkerResult, seconds: Double, path: String, threads: Int) {
        let rate = seconds > 0 ? Double(total.responses) / seconds : 0
        let histogram = total.histogram
        func micros(_ nanos: UInt64) -> Double { Double(nanos) / 1000 }
        let p50 = micros(histogram.valueAtPercentile(50))
        let p99 = micros(histogram.valueAtPercentile(99))
        let p999 = micros(histogram.valueAtPercentile(99.9))
        let maxValue = micros(histogram.max)
        let mean = histogram.totalCount > 0 ? histogram.mean / 1000 : 0
        switch output {
        case .json:
            var fields: [String] = [
                "\"method\":\(jsonString(method))",
                "\"socket\":\(jsonString(path))",
                "\"connections\":\(connections)",
                "\"pipeline\":\(pipeline)",
                "\"threads\":\(threads)",
                "\"warmup_s\":\(format(warmup, 3))",
                "\"duration_s\":\(format(seconds, 3))",
                "\"requests\":\(total.responses)",
                "\"errors\":\(total.errors)",
                "\"requests_per_second\":\(format(rate, 1))",
                "\"latency_us\":{\"p50\":\(format(p50, 1)),\"p99\":\(format(p99, 1)),\"p999\":\(format(p999, 1)),\"max\":\(format(maxValue, 1)),\"mean\":\(format(mean, 1))}",
                "\"closed_connections\":\(total.closedConnections)",
            ]
            if let firstError = total.firstError { fields.append("\"first_error\":\(jsonString(firstError))") }
            print("{" + fields.joined(separator: ",") + "}")
        case .text:
            print("\(method) on \(path): \(connections) connection(s), pipeline \(pipeline), \(threads) thread(s), \(format(seconds, 2)) s measured after \(format(warmup, 2)) s warm-up")
            print("requests:      \(total.responses)  (errors: \(total.errors))")
            print("requests/s:    \(format(rate, 0))")
            print("latency (µs):  p50 \(format(p50, 1))  p99 \(format(p99, 1))  p99.9 \(format(p999, 1))  max \(format(maxValue, 1))  mean \(format(mean, 1))")
            if total.closedConnections > 0 { print("closed:        \(total.closedConnections) connection(s) closed by the daemon") }
            if let firstError = total.firstError { print("first error:   \(firstError)") }
        }
    }
}

/// Runs each worker on its own thread (the first on this one) and waits for all of them.
func runAll(_ workers: [Worker]) {
    final class Box { let worker: Worker; init(_ worker: Worker) { self.worker = worker } }
    var threads: [pthread_t] = []
    for worker in workers.dropFirst() {
        var thread = pthread_t()
        let argument = Unmanaged.passRetained(Box(worker)).toOpaque()
        let status = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.worker.run()
            return nil
        }, argument)
        if status == 0 { threads.append(thread) } else { Unmanaged<Box>.fromOpaque(argument).release() }
    }
    workers.first?.run()
    for thread in threads { pthread_join(thread, nil) }
}

/// `value` with `places` decimals, without Foundation.
func format(_ value: Double, _ places: Int) -> String {
    guard value.isFinite else { return "0" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (value * scale).rounded()
    if places == 0 { return String(Int64(scaled)) }
    let whole = Int64(scaled) / Int64(scale)
    var fraction = String(Int64(scaled) % Int64(scale))
    fraction = String(repeating: "0", count: places - fraction.count) + fraction
    return "\(whole).\(fraction)"
}

extension String {
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}

TalentBench.main()
