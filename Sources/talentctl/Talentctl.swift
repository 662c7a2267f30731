import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

#if canImport(Glibc)
import Glibc
#endif

@main
struct Talentctl: ParsableCommand {
    static let version = "0.2.0"

    static let configuration = CommandConfiguration(
        commandName: "talentctl",
        abstract: "Talk to the talentd daemon: HR operations, ops checks, any JSON-RPC method.",
        discussion: """
        Global options (--socket, --principal, --secret-file, -o, --excel, --lang) may come before or after the command.

        The daemon's socket is --socket, else $TALENT_SOCKET, else the current context's (talentctl context), else ./var/talentd.sock. Output is a table, piped or not; -o json (indented on a terminal) or -o csv for scripts and spreadsheets, which read every page unless --limit or --cursor is given.

        Credentials, first found wins: --principal with --secret-file; $TALENT_PRINCIPAL with $TALENT_SECRET (a password) or $TALENT_TOKEN (an API token), an empty variable counting as unset; the login saved by `talentctl login` for this socket; --principal or $TALENT_PRINCIPAL alone on a terminal prompts for the password without echo; otherwise the daemon logs you in by your Unix user if an admin bound it (principal.bind_uid). A secret is never accepted as a plain argument.

        Dates may be written YYYY-MM-DD or dd/mm/yyyy (08/03/1985 is 8 March 1985). Org codes may be typed in any case.

        Shell completion: source <(talentctl --generate-completion-script bash) (or zsh, fish); `make install` installs the scripts and the man page.

        Exit status: 0 success; 1 the daemon answered an error (or health is not ok); 3 the daemon could not be reached; 64 bad usage.

        Examples:
          talentctl login --principal moha-hr-huong
          talentctl person list --missing national_id
          talentctl coverage --missing
          talentctl call system.info '{}'
        """,
        subcommands: [Ping.self, Info.self, Health.self, Methods.self, Stats.self, Call.self, OrgCommand.self, PersonCommand.self, Batch.self,
                      AppointmentCommand.self, CoverageCommand.self, ParamCommand.self, PayCommand.self,
                      CampaignCommand.self, ApplicationCommand.self, EvaluationCommand.self, ExpertCommand.self, RecruitmentCommand.self,
                      AwardCommand.self, NominationCommand.self, ReviewCommand.self, DutyCommand.self, KpiCommand.self,
                      PublishCommand.self,
                      Whoami.self, PrincipalCommand.self, TokenCommand.self, AuditCommand.self,
                      Backup.self, Metrics.self, Top.self, EventsCommand.self,
                      Login.self, Logout.self, ContextCommand.self]
    )

    /// --socket and -o may come before the subcommand too (`talentctl --socket S ping`).
    @OptionGroup var global: GlobalOptions

    /// Before ArgumentParser: `--version`, and a mistyped command answered with the closest one
    /// (ArgumentParser alone says "Unexpected argument", or prints the group's help for
    /// `person update --help`).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        L10n.configure(arguments: arguments)
        if arguments == ["--version"] {
            print(version)
            return
        }
        if let mistake = CommandSuggestion.check(arguments) {
            printError(mistake)
            Foundation.exit(64)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// A subcommand's options, falling back to those given before the subcommand's name.
protocol TalentctlCommand: ParsableCommand {
    var local: GlobalOptions { get }
    var root: Talentctl { get }
}

extension TalentctlCommand {
    var global: GlobalOptions {
        var merged = local
        merged.socket = local.socket ?? root.global.socket
        merged.output = local.output ?? root.global.output
        merged.principal = local.principal ?? root.global.principal
        merged.secretFile = local.secretFile ?? root.global.secretFile
        merged.excel = local.excel || root.global.excel
        merged.lang = local.lang ?? root.global.lang
        return merged
    }
}

/// Listed once, in `talentctl --help`; subcommands accept them without repeating them in their help.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Daemon socket (default: $TALENT_SOCKET, else the current context's, else ./var/talentd.sock).")
    var socket: String?

    @Option(name: .long, help: "Log in as this principal (default: $TALENT_PRINCIPAL, else the current context's).")
    var principal: String?

    @Option(name: .long, help: "File holding the password or API token for --principal (never pass a secret as an argument).")
    var secretFile: String?

    @Option(name: [.short, .customLong("output")], help: "Output format: table (default), json or csv. json and csv read every page unless --limit or --cursor is given.")
    var output: OutputFormat?

    @Flag(help: "With -o csv: start with a UTF-8 byte-order mark, so that Excel shows Vietnamese letters.")
    var excel = false

    @Option(help: "Language of talentctl's messages: vi or en (default: from $LC_ALL, $LC_MESSAGES, $LANG).")
    var lang: String?

    var format: OutputFormat { output ?? .table }
    var socketPath: String { DefaultPaths.socket(flag: socket, configured: Contexts.current()?.socket) }

    /// Connects, logs in when credentials are given (see `Credentials`), runs `body`, and turns
    /// failures into the documented exit statuses.
    func withClient<T>(login: Bool = true, _ body: (RPCClient) throws -> T) throws -> T {
        do {
            return try quietly(login: login, body)
        } catch let error as Credentials.Failure {
            printError(error.description)
            throw ExitCode(64)
        } catch let error as RPCError {
            printError(Hints.explain(error), colour: .red)
            if error.reason == "not_found", let parameter = error.details["parameter"]?.stringValue, let at = error.details["at"]?.stringValue {
                printError("hint: talentctl param set \(parameter) --from \(at) --value VALUE --decision-ref DECREE")
            }
            if error.reason == "conflict", let nomination = error.details["nomination_id"]?.intValue {
                printError("hint: talentctl nomination show \(nomination)")
            }
            throw ExitCode(1)
        } catch let error as ClientError {
            printError(error.description, colour: .red)
            throw ExitCode(3)
        }
    }

    /// `withClient` without printing anything (shell completion).
    func quietly<T>(login: Bool = true, _ body: (RPCClient) throws -> T) throws -> T {
        if let client = Connection.open { return try body(client) }
        let client = try RPCClient(socketPath: socketPath)
        if login { try Credentials.logIn(client, principal: principal, secretFile: secretFile) }
        if Connection.keepOpen { Connection.open = client }
        return try body(client)
    }
}

/// A wall-clock interval in milliseconds, for round-trip times.
func milliseconds(since start: timespec) -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec - start.tv_sec) * 1000 + Double(now.tv_nsec - start.tv_nsec) / 1_000_000
}

struct Ping: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that the daemon answers, and how fast.",
        discussion: "Example: talentctl ping   ->   pong from ./var/talentd.sock in 0.21 ms")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let (result, elapsed) = try global.withClient(login: false) { client -> (JSONValue, Double) in
            var start = timespec()
            clock_gettime(CLOCK_MONOTONIC, &start)
            let result = try client.call("system.ping")
            return (result, milliseconds(since: start))
        }
        global.emit(json: result) {
            "pong from \(global.socketPath) in \(String(format3(elapsed))) ms (daemon time \(text(result["time"])))"
        }
    }
}

/// Three significant decimals without Foundation's formatters.
func format3(_ value: Double) -> String {
    let scaled = Int((value * 1000).rounded())
    let fraction = String(scaled % 1000)
    return "\(scaled / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}

struct Info: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what is running: version, protocol and schema versions, uptime, SQLite version.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let result = try global.withClient { try $0.call("system.info") }
        global.emit(json: result) {
            var table = Table(headers: [])
            for key in ["name", "version", "protocol_version", "schema_version", "started_at", "uptime_s", "sqlite_version"] {
                table.add([key, text(result[key])])
            }
            return table.render()
        }
    }
}

struct Health: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the daemon's health; exit 0 only when it is ok.",
        discussion: """
        Usable as a monitoring probe: exit 0 when status is ok, 1 when degraded or failing, 3 when the daemon cannot be reached.

        Checks: database (a real synced write), disk (free space), connections (against the limit), backup (age of the last one, against health.backup_max_age_s).
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let result = try global.withClient { try $0.call("system.health") }
        global.emit(json: result) {
            var table = Table(headers: ["check", "status", "details"])
            let checks = result["checks"]?.objectValue ?? [:]
            for name in checks.keys.sorted() {
                let check = checks[name]!
                let details: String
                switch name {
                case "disk":
                    details = "free \(bytes(check["free_bytes"])) (degraded below \(bytes(check["degraded_below_bytes"])), failing below \(bytes(check["failing_below_bytes"])))"
                case "connections":
                    details = "\(text(check["open"])) open of \(text(check["limit"]))"
                case "backup":
                    details = check["last_at"] == .null ? "no backup yet (talentctl backup --to PATH)"
                        : "last \(text(check["last_at"])), \(text(check["age_s"])) s ago"
                case "database":
                    details = check["writable"] == .bool(true) ? "writable" : "not writable: \(text(check["message"]))"
                default:
                    details = JSONWriter.string(check)
                }
                table.add([name, text(check["status"]), details])
            }
            return "status: \(text(result["status"]))\n" + table.render()
        }
        if result["status"] != .string("ok") { throw ExitCode(1) }
    }

    private func bytes(_ value: JSONValue?) -> String {
        guard let n = value?.intValue else { return "-" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var size = Double(n)
        var unit = 0
        while size >= 1024, unit < units.count - 1 { size /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : "\(format1(size)) \(units[unit])"
    }

    private func format1(_ value: Double) -> String {
        let scaled = Int((value * 10).rounded())
        return "\(scaled / 10).\(scaled % 10)"
    }
}

struct Methods: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the methods the daemon serves (from rpc.discover).")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let document = try global.withClient(login: false) { try $0.call("rpc.discover") }
        let methods = (document["methods"]?.arrayValue ?? [])
            .map { (name: text($0["name"]), summary: text($0["summary"])) }
            .sorted { $0.name < $1.name }
        let json: JSONValue = .array(methods.map { ["name": .string($0.name), "summary": .string($0.summary)] })
        global.emit(json: json) {
            var table = Table(headers: ["method", "summary"])
            for method in methods { table.add([method.name, method.summary]) }
            return table.render()
        }
    }
}

struct Stats: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show load since start: connections, bytes, and per-method requests, errors and latency.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let result = try global.withClient { try $0.call("system.stats") }
        global.emit(json: result) {
            let connections = result["connections"]
            var lines = [
                "uptime \(text(result["uptime_s"])) s since \(text(result["started_at"]))",
                "connections: \(text(connections?["open"])) open of \(text(connections?["limit"])), \(text(connections?["total"])) total, \(text(connections?["rejected"])) rejected",
                "bytes: \(text(result["bytes"]?["in"])) in, \(text(result["bytes"]?["out"])) out; protocol errors: \(text(result["protocol_errors"]))",
                "",
            ]
            var table = Table(headers: ["method", "requests", "errors", "p50 µs", "p90 µs", "p99 µs", "max µs"])
            let methods = result["methods"]?.objectValue ?? [:]
            for name in methods.keys.sorted() {
                let m = methods[name]!
                let latency = m["latency_us"]
                table.add([name, text(m["requests"]), text(m["errors"]), text(latency?["p50"]), text(latency?["p90"]),
                           text(latency?["p99"]), text(latency?["max"])])
            }
            lines.append(table.render())
            return lines.joined(separator: "\n")
        }
    }
}

struct Call: TalentctlCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call any method with JSON params and print its result as JSON.",
        discussion: """
        PARAMS is a JSON object (named params), or - to read it from standard input. On an error answer, prints `reason: message` to stderr and exits 1.

        Examples:
          talentctl call system.ping
          talentctl call system.info '{}'
          echo '{}' | talentctl call system.health -
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Argument(help: "The method name, e.g. system.info.")
    var method: String

    @Argument(help: "Named params as a JSON object, or - for standard input.")
    var params: String?

    func validate() throws {
        if params != "-" { _ = try parsedParams() }  // standard input is read once, in run()
    }

    private func parsedParams() throws -> [String: JSONValue] {
        guard var text = params else { return [:] }
        if text == "-" {
            var input: [UInt8] = []
            while let line = readLine(strippingNewline: false) { input.append(contentsOf: line.utf8) }
            text = String(decoding: input, as: UTF8.self)
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw ValidationError("PARAMS is not valid JSON: \(error.message)")
        }
        guard case .object(let object) = value else {
            throw ValidationError("PARAMS must be a JSON object such as '{\"id\": 1}', not \(value.typeName)")
        }
        return object
    }

    func run() throws {
        let params = try parsedParams()
        let result = try global.withClient { try $0.call(method, params: params) }
        print(global.format == .table ? PrettyJSON.string(result) : JSONWriter.string(result))
    }
}
