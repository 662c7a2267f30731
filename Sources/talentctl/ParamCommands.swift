import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl param ...`: dated remuneration parameters (base salary, allowance coefficients).
struct ParamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "param",
        abstract: "List, show, define and set dated remuneration parameters (base salary, allowance coefficients).",
        discussion: """
        A parameter has values, each from a date and with the decree it comes from; values may be entered late, and a correction never erases the value it replaces. Units: vnd (whole dong) or coefficient (an exact decimal, up to 3 places). Names: base_salary, leadership_allowance.<equivalent_rank>, expert_allowance.<tier>.

        Examples:
          talentctl param list
          talentctl param show base_salary --at 2024-06-30
          talentctl param history base_salary
          talentctl param define leadership_allowance.director_general --unit \\
              coefficient --description "Phụ cấp chức vụ tổng cục trưởng"
          talentctl param set leadership_allowance.director_general --from \\
              2024-07-01 --value 1.25 --decision-ref 204/2004/NĐ-CP
        """,
        subcommands: [ListParams.self, ShowParam.self, ParamHistory.self, DefineParam.self, SetParam.self])
}

struct ListParams: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every parameter with its value in force today.",
        discussion: "Example: talentctl param list -o csv")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    func run() throws {
        let params = try global.withClient { client -> [JSONValue] in
            var collected: [JSONValue] = [], request: [String: JSONValue] = ["limit": 500]
            while true {
                let page = try client.call("param.list", params: request)
                collected += page["params"]?.arrayValue ?? []
                guard let next = page["next_cursor"] else { return collected }
                request["cursor"] = next
            }
        }
        let headers = ["name", "unit", "value", "effective_from", "decision_ref", "description"]
        let rows = params.map { p in
            [text(p["name"]), text(p["unit"]), p["current"].map { text($0["value"]) } ?? "",
             p["current"].map { text($0["effective_from"]) } ?? "", p["current"].map { text($0["decision_ref"]) } ?? "", text(p["description"])]
        }
        global.emit(json: ["params": .array(params)], headers: headers, rows: rows) {
            var table = Table(headers: ["name", "unit", "today", "since", "decision"])
            for row in rows { table.add(Array(row.prefix(5)).map { $0.isEmpty ? "—" : $0 }) }
            return table.render()
        }
    }
}

struct ShowParam: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "A parameter's value in force on a date, as known at a time.",
        discussion: """
        Examples:
          talentctl param show base_salary
          talentctl param show base_salary --at 2024-06-30 --as-of \\
              2024-08-01T00:00:00.000Z
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The parameter's name.") var name: String
    @Option(help: "The date, YYYY-MM-DD or dd/mm/yyyy (default: today in Vietnam).", transform: isoDate) var at: String?
    @Option(help: "What the system knew at this instant (YYYY-MM-DDTHH:MM:SS.sssZ; default now).") var asOf: String?

    func run() throws {
        var params: [String: JSONValue] = ["name": .string(name)]
        if let at { params["at"] = .string(at) }
        if let asOf { params["as_of"] = .string(asOf) }
        let value = try global.withClient { try $0.call("param.get", params: params) }
        showFields(value, ["name", "value", "unit", "at", "effective_from", "decision_ref", "note", "recorded_at", "recorded_by", "as_of"], global)
    }
}

struct ParamHistory: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every value recorded for a parameter, corrections included, in the order recorded.",
        discussion: "Example: talentctl param history base_salary")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The parameter's name.") var name: String

    func run() throws {
        let (about, values) = try global.withClient { client -> (JSONValue, [JSONValue]) in
            var collected: [JSONValue] = [], request: [String: JSONValue] = ["name": .string(name), "limit": 500]
            while true {
                let page = try client.call("param.history", params: request)
                collected += page["values"]?.arrayValue ?? []
                guard let next = page["next_cursor"] else { return (page, collected) }
                request["cursor"] = next
            }
        }
        var json = about.objectValue ?? [:]
        json["values"] = .array(values)
        json.removeValue(forKey: "next_cursor")
        let headers = ["id", "effective_from", "value", "decision_ref", "recorded_at", "recorded_by", "corrects_id", "note", "replaced_at", "replaced_by"]
        let rows = values.map { v in headers.map { v[$0].map(text) ?? "" } }
        global.emit(json: .object(json), headers: headers, rows: rows) {
            var table = Table(headers: ["id", "from", "value", "decision", "recorded", "by", "status"])
            for v in values {
                let status = v["replaced_at"].map { "replaced \(text($0)) by \(text(v["replaced_by"]))" }
                    ?? v["corrects_id"].map { "corrects \(text($0)): \(text(v["note"]))" } ?? "in force"
                table.add([text(v["id"]), text(v["effective_from"]), text(v["value"]), text(v["decision_ref"]),
                           text(v["recorded_at"]), text(v["recorded_by"]), status])
            }
            return "\(text(about["name"])) (\(text(about["unit"]))): \(text(about["description"]))\n" + table.render()
        }
    }
}

struct DefineParam: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "define", abstract: "Define a parameter (national HR official or admin).",
        discussion: "Example:\n  talentctl param define expert_allowance.leading_expert --unit \\\n      coefficient --description \"Chuyên gia đầu ngành\"")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The parameter's name.") var name: String
    @Option(help: "vnd or coefficient.") var unit: String
    @Option(name: .customLong("description"), help: "What it is.") var about: String

    func run() throws {
        let result = try global.withClient {
            try $0.call("param.define", params: ["name": .string(name), "unit": .string(unit), "description": .string(about)])
        }
        showFields(result, ["name", "unit", "description", "defined_by", "defined_at"], global)
    }
}

struct SetParam: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Record a parameter's value from a date, with its decree (national HR official or admin).",
        discussion: """
        A date in the past is fine (a decree entered late). A second value for the same date needs --corrects and a --note.

        Examples:
          talentctl param set base_salary --from 2026-07-01 --value 2600000 \\
              --decision-ref 999/2026/NĐ-CP
          talentctl param set leadership_allowance.director_general --from \\
              2024-07-01 --value 1.3 --decision-ref 204/2004/NĐ-CP --corrects \\
              --note "Nhập sai hệ số"
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The parameter's name.") var name: String
    @Option(name: .customLong("from"), help: "The date it applies from, YYYY-MM-DD.") var effectiveFrom: String
    @Option(help: "Whole dong for a vnd parameter; an exact decimal (1.25) for a coefficient.") var value: String
    @Option(help: "The decree or decision.") var decisionRef: String
    @Option(help: "Why (required with --corrects).") var note: String?
    @Flag(help: "Replace the value already recorded for that date.") var corrects = false

    func run() throws {
        let result = try global.withClient { client -> JSONValue in
            // The unit decides how the value travels: an integer for vnd, a string for a coefficient.
            let unit = try client.call("param.history", params: ["name": .string(name), "limit": 1])["unit"]?.stringValue
            var params: [String: JSONValue] = [
                "name": .string(name), "effective_from": .string(effectiveFrom), "decision_ref": .string(decisionRef),
                "value": unit == "vnd" ? (Int64(value).map(JSONValue.int) ?? .string(value)) : .string(value),
            ]
            if let note { params["note"] = .string(note) }
            if corrects { params["corrects"] = true }
            return try client.call("param.set", params: params)
        }
        showFields(result, ["id", "name", "effective_from", "value", "unit", "decision_ref", "note", "corrects_id", "recorded_at", "recorded_by"], global)
    }
}

/// A record as a two-column table (present fields only), a CSV row, or JSON.
func showFields(_ record: JSONValue, _ fields: [String], _ global: GlobalOptions) {
    global.emit(json: record, headers: fields, rows: [fields.map { record[$0].map(text) ?? "" }]) {
        var table = Table(headers: [])
        for field in fields { if let value = record[field] { table.add([field, text(value)]) } }
        return table.render()
    }
}
