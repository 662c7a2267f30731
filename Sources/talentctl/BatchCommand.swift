import ArgumentParser
import Crypto
import Foundation
import TalentClient
import TalentProtocol

/// `talentctl batch`: many calls from a JSON-lines file, pipelined over one connection, with one
/// result line per input line in input order.
struct Batch: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run many calls from a JSON-lines file, pipelined; one result line per input line, in order.",
        discussion: """
        Each input line is {"method": "...", "params": {...}} or a full JSON-RPC request (its id is ignored). Blank lines are skipped. Each output line is {"line": N, "result": ...} or {"line": N, "error": {"code", "message", "data": {"reason", ...}}}, N counting input lines from 1. A summary goes to stderr. Exit status: 0 only when every call succeeded; 1 when any failed; 3 when the daemon could not be reached.

        --idempotent gives every mutating call the idempotency key "batch-<first 16 hex of the file's SHA-256>-<line>", so running a half-finished file again completes it: lines already done return their original result instead of running twice (keys are remembered 24 h by default).

        --stop-on-error stops at the first failed line: it sends one line at a time, so no line after the failed one has run; later lines get no output.

        Examples:
          talentctl batch proposals.jsonl > results.jsonl
          talentctl batch --idempotent --stop-on-error - < proposals.jsonl
        """)

    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Argument(help: "The JSON-lines file, or - for standard input.")
    var file: String = "-"

    @Flag(help: "Add a per-line idempotency key derived from the file's content and the line number.")
    var idempotent = false

    @Flag(help: "Stop at the first failed line (sends one line at a time).")
    var stopOnError = false

    @Option(help: "Lines in flight at once (1 to 2000).")
    var window = 500

    func validate() throws {
        guard (1...2000).contains(window) else { throw ValidationError("--window must be between 1 and 2000") }
    }

    /// One input line, ready to send (or refused before sending).
    private struct Line {
        let number: Int
        let method: String
        let params: [String: JSONValue]
        var localError: RPCError?
    }

    func run() throws {
        let content = try readInput()
        let prefix = "batch-" + SHA256.hash(data: content).prefix(8).map { String(format: "%02x", $0) }.joined()
        var lines: [Line] = []
        for (index, raw) in content.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let text = raw.last == 0x0D ? raw.dropLast() : raw
            if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            lines.append(Self.parse(Array(text), number: index + 1))
        }
        let started = Date()
        var succeeded = 0, failed = 0, stopped = false
        try global.withClient { client in
            let mutating = idempotent ? try Self.mutatingMethods(client) : []
            let window = stopOnError ? 1 : self.window
            var next = 0
            while next < lines.count, !stopped {
                let chunk = lines[next..<min(next + window, lines.count)]
                next = chunk.endIndex
                var sent: [(Line, Int64)] = []
                for (offset, line) in chunk.enumerated() where line.localError == nil {
                    var params = line.params
                    if mutating.contains(line.method), params["idempotency_key"] == nil {
                        params["idempotency_key"] = .string("\(prefix)-\(line.number)")
                    }
                    let id = Int64(line.number)
                    var request: [String: JSONValue] = ["jsonrpc": "2.0", "id": .int(id), "method": .string(line.method)]
                    if !params.isEmpty { request["params"] = .object(params) }
                    try client.send(line: JSONWriter.bytes(.object(request)))
                    sent.append((chunk[chunk.startIndex + offset], id))
                }
                var answers: [Int64: JSONValue] = [:]
                for _ in sent {
                    guard let bytes = try client.readLine() else { throw ClientError.closed }
                    let response = try JSONParser.parse(bytes)
                    if let id = response["id"]?.intValue { answers[id] = response }
                }
                for line in chunk {
                    var out: [String: JSONValue] = ["line": .int(Int64(line.number))]
                    if let error = line.localError {
                        out["error"] = error.json
                    } else if let response = answers[Int64(line.number)] {
                        if let error = response["error"] { out["error"] = error } else { out["result"] = response["result"] ?? .null }
                    } else {
                        out["error"] = RPCError.internalError("no answer for this line").json
                    }
                    print(JSONWriter.string(.object(out)))
                    if out["error"] == nil { succeeded += 1 } else { failed += 1 }
                    if out["error"] != nil, stopOnError { stopped = true; break }
                }
            }
        }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let skipped = lines.count - succeeded - failed
        printError("\(lines.count) lines: \(succeeded) succeeded, \(failed) failed" + (skipped > 0 ? ", \(skipped) not run (stopped at the first failure)" : "")
                   + " in \(String(format: "%.2f", seconds)) s (\(Int(Double(succeeded + failed) / seconds)) lines/s)")
        if failed > 0 || skipped > 0 { throw ExitCode(1) }
    }

    private func readInput() throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        return Array(data)
    }

    /// A line is {"method", "params"?} or a JSON-RPC request; anything else is refused locally,
    /// with the same reasons the daemon would give.
    private static func parse(_ bytes: [UInt8], number: Int) -> Line {
        func refused(_ error: RPCError) -> Line { Line(number: number, method: "", params: [:], localError: error) }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { return refused(.parseError("line \(number): \(error.message)")) }
        guard case .object(let members) = value, case .string(let method)? = members["method"] else {
            return refused(.invalidRequest("line \(number): expected {\"method\": ..., \"params\": {...}}"))
        }
        switch members["params"] {
        case nil, .null?: return Line(number: number, method: method, params: [:])
        case .object(let params)?: return Line(number: number, method: method, params: params)
        default: return refused(.invalidParams(field: "params", "line \(number): params must be a JSON object"))
        }
    }

    /// Methods the daemon's contract marks `x-mutating`: only those take an idempotency key.
    private static func mutatingMethods(_ client: RPCClient) throws -> Set<String> {
        let document = try client.call("rpc.discover")
        return Set((document["methods"]?.arrayValue ?? []).compactMap { method in
            method["x-mutating"]?.boolValue == true ? method["name"]?.stringValue : nil
        })
    }
}
