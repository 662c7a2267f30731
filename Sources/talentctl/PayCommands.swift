import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

/// `talentctl pay ...`: pay computed from dated parameters, with its explanation; back-pay;
/// monthly cost; what-if simulations.
struct PayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay",
        abstract: "Show a person's pay with its explanation, back-pay after late decrees, monthly cost, and what-if simulations.",
        discussion: """
        Pay is computed by dated formulas from parameters (talentctl param): each component is a coefficient times the base salary, rounded once to the dong, half up.

        Examples:
          talentctl pay show 12 --at 2025-07-01 --explain
          talentctl pay arrears 12 --from 2025-01-01 --to 2025-12-31 --paid-as-of \\
              2025-08-05T00:00:00.000Z
          talentctl pay report --at 2025-07-01 -o csv > cost.csv
          talentctl pay simulate --set base_salary=2600000 --at 2026-07-01
        """,
        subcommands: [ShowPay.self, PayArrears.self, PayReport.self, SimulatePay.self])
}

struct ShowPay: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "A person's monthly pay on a date; --explain shows each formula with its numbers and decrees.",
        discussion: """
        Examples:
          talentctl pay show 12
          talentctl pay show 12 --at 2024-06-30 --as-of 2024-07-05T00:00:00.000Z \\
              --explain
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The person's id.") var personId: Int64
    @Option(help: "The date, YYYY-MM-DD or dd/mm/yyyy (default: today in Vietnam).", transform: isoDate) var at: String?
    @Option(help: "What the system knew at this instant (default now).") var asOf: String?
    @Flag(help: "Show each component's formula and inputs.") var explain = false

    func run() throws {
        let pay = try global.withClient { client -> JSONValue in
            var params: [String: JSONValue] = ["person_id": .int(personId), "at": .string(at ?? vietnamToday())]
            if let asOf { params["as_of"] = .string(asOf) }
            return try client.call("remuneration.compute", params: params)
        }
        let components = pay["components"]?.arrayValue ?? []
        let headers = ["key", "title", "amount", "formula", "source"]
        let rows = components.map { c in [text(c["key"]), text(c["title"]), text(c["amount"]), text(c["formula"]), source(c)] }
        global.emit(json: pay, headers: headers, rows: rows) {
            var out = "person \(text(pay["person_id"])) on \(text(pay["at"])) (as known at \(text(pay["as_of"]))): total \(text(pay["total"])) VND\n"
            if let reason = pay["reason"] { return out + text(reason) }
            var table = Table(headers: ["component", "amount", "source"])
            for c in components { table.add([text(c["title"]), text(c["amount"]), source(c)]) }
            out += table.render()
            if explain {
                for c in components {
                    out += "\n\n\(text(c["title"])):\n  \(text(c["formula"]))"
                    for input in c["inputs"]?.arrayValue ?? [] {
                        let from = input["effective_from"].map { " from \(text($0))" } ?? ""
                        let decree = input["decision_ref"].map { ", \(text($0))" } ?? ""
                        out += "\n  \(text(input["parameter"])) = \(text(input["value"]))\(from)\(decree)"
                    }
                }
            }
            return out
        }
    }
}

struct PayArrears: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "arrears", abstract: "Month by month, what was due as known when paid against what is due as known now.",
        discussion: "Example:\n  talentctl pay arrears 12 --from 2025-01-01 --to 2025-12-31 --paid-as-of \\\n      2025-08-05T00:00:00.000Z")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The person's id.") var personId: Int64
    @Option(help: "First month (any day in it), YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var from: String
    @Option(help: "Last month (any day in it), YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var to: String
    @Option(help: "When the pay was computed: YYYY-MM-DDTHH:MM:SS.sssZ.") var paidAsOf: String

    func run() throws {
        let arrears = try global.withClient {
            try $0.call("remuneration.arrears", params: ["person_id": .int(personId), "from": .string(from), "to": .string(to),
                                                         "paid_as_of": .string(paidAsOf)])
        }
        let months = arrears["months"]?.arrayValue ?? []
        let headers = ["month", "paid", "due", "difference", "changed_inputs"]
        let rows = months.map { m in
            [text(m["month"]), text(m["paid"]), text(m["due"]), text(m["difference"]),
             (m["changed_inputs"]?.arrayValue ?? []).map { "\(text($0["parameter"]))=\(text($0["value"])) (\(text($0["decision_ref"])))" }
                .joined(separator: "; ")]
        }
        global.emit(json: arrears, headers: headers, rows: rows) {
            var table = Table(headers: ["month", "paid", "due", "difference", "why"])
            for row in rows { table.add(row) }
            return table.render() + "\ntotal difference: \(text(arrears["total_difference"])) VND"
        }
    }
}

struct PayReport: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Monthly cost per org and nationally on a date, with head counts per post.",
        discussion: "Example: talentctl pay report --at 2025-07-01 -o csv")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "The date, YYYY-MM-DD or dd/mm/yyyy (default: today in Vietnam).", transform: isoDate) var at: String?
    @Option(help: "Only this org.", transform: orgCode) var org: String?

    func run() throws {
        var params: [String: JSONValue] = ["at": .string(at ?? vietnamToday())]
        if let org { params["org"] = .string(org) }
        let report = try global.withClient { try $0.call("remuneration.report", params: params) }
        let posts = ["chief_engineer_sti", "chief_engineer_ops", "chief_architect"]
        func row(_ cost: JSONValue?, _ org: String) -> [String] {
            let byPost = Dictionary((cost?["posts"]?.arrayValue ?? []).map { (text($0["post"]), text($0["head_count"])) }, uniquingKeysWith: { a, _ in a })
            return [org, text(cost?["head_count"]), text(cost?["total"])] + posts.map { byPost[$0] ?? "0" }
        }
        let rows = (report["orgs"]?.arrayValue ?? []).map { row($0, text($0["org"])) } + [row(report["national"], "national")]
        global.emit(json: report, headers: ["org", "head_count", "total"] + posts, rows: rows) {
            var table = Table(headers: ["org", "people", "monthly VND", "STI", "OPS", "architects"])
            for r in rows { table.add(r) }
            return "on \(text(report["at"])):\n" + table.render()
        }
    }
}

struct SimulatePay: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "What-if: everyone in post priced with changed parameters; nothing is written.",
        discussion: """
        Examples:
          talentctl pay simulate --set base_salary=2600000
          talentctl pay simulate --set leadership_allowance.director_general=1.3 \\
              --set base_salary=2600000 --at 2026-07-01
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(name: .customLong("set"), help: "NAME=VALUE (repeatable): whole dong for vnd, an exact decimal for a coefficient.") var changes: [String]
    @Option(help: "The date, YYYY-MM-DD or dd/mm/yyyy (default: today in Vietnam).", transform: isoDate) var at: String?
    @Option(help: "Only this org.", transform: orgCode) var org: String?

    func validate() throws {
        if changes.isEmpty { throw ValidationError("give at least one --set NAME=VALUE") }
        for change in changes where !change.contains("=") { throw ValidationError("--set \(change): expected NAME=VALUE") }
    }

    func run() throws {
        let result = try global.withClient { client -> JSONValue in
            var list: [JSONValue] = []
            for change in changes {
                let parts = change.split(separator: "=", maxSplits: 1).map(String.init)
                let unit = try client.call("param.history", params: ["name": .string(parts[0]), "limit": 1])["unit"]?.stringValue
                let value: JSONValue = unit == "vnd" ? (Int64(parts[1]).map(JSONValue.int) ?? .string(parts[1])) : .string(parts[1])
                list.append(["parameter": .string(parts[0]), "value": value])
            }
            var params: [String: JSONValue] = ["at": .string(at ?? vietnamToday()), "changes": .array(list)]
            if let org { params["org"] = .string(org) }
            return try client.call("remuneration.simulate", params: params)
        }
        let headers = ["org", "people", "affected", "baseline", "simulated", "delta"]
        let rows = (result["orgs"]?.arrayValue ?? []).map { o in headers.map { text(o[$0]) } }
            + [["national"] + headers.dropFirst().map { text(result["national"]?[$0]) }]
        global.emit(json: result, headers: headers, rows: rows) {
            var table = Table(headers: headers)
            for r in rows { table.add(r) }
            return "on \(text(result["at"])), nothing written:\n" + table.render()
        }
    }
}

private func source(_ component: JSONValue) -> String {
    if let id = component["source"]?["appointment_id"] { return "appointment \(text(id))" }
    if let id = component["source"]?["expert_id"] { return "expert \(text(id))" }
    return ""
}

/// Today in Vietnam (UTC+7), the daemon's "today".
func vietnamToday() -> String {
    let seconds = Int(Date().timeIntervalSince1970) + 7 * 3600
    let date = Date(timeIntervalSince1970: TimeInterval(seconds))
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let parts = calendar.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
}
