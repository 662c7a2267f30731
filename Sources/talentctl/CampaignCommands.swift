import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

/// `talentctl campaign ...`: recruitment campaigns, their evaluators and their ranking.
struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Create, open, close, cancel, list and show recruitment campaigns; assign evaluators; rank candidates.",
        discussion: """
        A campaign is created as a draft with its rubric, then opened: from then on its criteria never change. Applications are taken while it is open, from --opens-on to --closes-on (Vietnam time).

        Examples:
          talentctl campaign create MOST-LE-2026 --title "Chuyên gia đầu ngành AI" \\
              --org MOST --tier leading_expert --openings 5 --opens-on 2026-01-01 \\
              --closes-on 2026-03-31 --criteria rubric.csv --min-evaluators 3
          talentctl campaign open MOST-LE-2026
          talentctl campaign assign-evaluator MOST-LE-2026 council.an
          talentctl campaign ranking MOST-LE-2026 -o csv > ranking.csv
        """,
        subcommands: [CreateCampaign.self, OpenCampaign.self, CloseCampaign.self, CancelCampaign.self, ListCampaigns.self,
                      ShowCampaign.self, AssignEvaluator.self, UnassignEvaluator.self, CampaignRanking.self])
}

struct CreateCampaign: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a campaign (draft) with its rubric from a JSON or CSV file.",
        discussion: """
        Tiers: leading_expert, expert, chief_architect. The rubric file is either a JSON array of {key, title, weight, max_score, min_score?} or a CSV with the header key,title,weight,max_score,min_score (min_score may be empty). Weights and scores are integers.

        Example:
          talentctl campaign create MOST-LE-2026 --title "Chuyên gia đầu ngành AI" \\
              --org MOST --tier leading_expert --openings 5 --opens-on 2026-01-01 \\
              --closes-on 2026-03-31 --criteria rubric.csv --field AI --field \\
              "bán dẫn"
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Argument(help: "The campaign's code, used by every other command.") var code: String
    @Option(help: "Its title.") var title: String
    @Option(help: "The recruiting org (default: your principal's org).", transform: orgCode) var org: String?
    @Option(help: "leading_expert, expert or chief_architect.") var tier: String
    @Option(help: "How many experts it recruits.") var openings: Int64
    @Option(help: "First day applications are taken, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var opensOn: String
    @Option(help: "Last day applications are taken, YYYY-MM-DD or dd/mm/yyyy (Vietnam time).", transform: isoDate) var closesOn: String
    @Option(help: "The rubric: a .json or .csv file.") var criteria: String
    @Option(help: "Evaluations each candidate needs (default 1).") var minEvaluators: Int64?
    @Option(help: "A field of expertise (repeatable).") var field: [String] = []

    func run() throws {
        let rubric = try loadRubric(criteria)
        var params: [String: JSONValue] = [
            "code": .string(code), "title": .string(title), "tier": .string(tier), "openings": .int(openings),
            "opens_on": .string(opensOn), "closes_on": .string(closesOn), "criteria": .array(rubric),
        ]
        if let org { params["org"] = .string(org) }
        if let minEvaluators { params["min_evaluators"] = .int(minEvaluators) }
        if !field.isEmpty { params["fields"] = .array(field.map(JSONValue.string)) }
        let result = try global.withClient { try $0.call("campaign.create", params: params) }
        showCampaign(result, global)
    }
}

/// A rubric file: a JSON array of criteria, or CSV with the header key,title,weight,max_score,min_score.
func loadRubric(_ path: String) throws -> [JSONValue] {
    guard let data = FileManager.default.contents(atPath: path) else {
        printError("cannot read the rubric file \(path)")
        throw ExitCode(64)
    }
    let content = String(decoding: data, as: UTF8.self)
    if path.lowercased().hasSuffix(".json") {
        guard let parsed = try? JSONParser.parse(Array(data)), let items = parsed.arrayValue else {
            printError("\(path): expected a JSON array of {key, title, weight, max_score, min_score?}")
            throw ExitCode(64)
        }
        return items
    }
    let records = parseCSV(content).filter { !($0.count == 1 && $0[0].isEmpty) }
    guard let header = records.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
          ["key", "title", "weight", "max_score"].allSatisfy(header.contains) else {
        printError("\(path): the first line must be the header key,title,weight,max_score,min_score")
        throw ExitCode(64)
    }
    return try records.dropFirst().enumerated().map { index, record in
        var item: [String: JSONValue] = [:]
        for (column, name) in header.enumerated() where column < record.count {
            let value = record[column].trimmingCharacters(in: .whitespaces)
            if value.isEmpty { continue }
            if ["weight", "max_score", "min_score"].contains(name) {
                guard let number = Int64(value) else {
                    printError("\(path) line \(index + 2): \(name) must be an integer, not \(value)")
                    throw ExitCode(64)
                }
                item[name] = .int(number)
            } else {
                item[name] = .string(value)
            }
        }
        return .object(item)
    }
}

/// RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = [], record: [String] = [], field = ""
    var quoted = false, chars = Array(text.replacingOccurrences(of: "\r\n", with: "\n")), i = 0
    while i < chars.count {
        let c = chars[i]
        if quoted {
            if c == "\"" {
                if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
            } else {
                field.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            record.append(field); field = ""
        } else if c == "\n" {
            record.append(field); records.append(record); record = []; field = ""
        } else {
            field.append(c)
        }
        i += 1
    }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}

struct OpenCampaign: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Open a draft campaign: its criteria are fixed from now on.",
        discussion: "Example: talentctl campaign open MOST-LE-2026")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The campaign's code.") var code: String

    func run() throws {
        showCampaign(try global.withClient { try $0.call("campaign.open", params: ["code": .string(code)]) }, global)
    }
}

struct CloseCampaign: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "close", abstract: "Close an open campaign: no more applications.",
        discussion: "Example: talentctl campaign close MOST-LE-2026")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The campaign's code.") var code: String

    func run() throws {
        showCampaign(try global.withClient { try $0.call("campaign.close", params: ["code": .string(code)]) }, global)
    }
}

struct CancelCampaign: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a draft, open or closed campaign, saying why.",
        discussion: "Example: talentctl campaign cancel MOST-LE-2026 --reason \"Gộp vào đợt 2027\"")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The campaign's code.") var code: String
    @Option(help: "Why it is cancelled.") var reason: String

    func run() throws {
        let result = try global.withClient { try $0.call("campaign.cancel", params: ["code": .string(code), "reason": .string(reason)]) }
        showCampaign(result, global)
    }
}

struct ListCampaigns: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List campaigns in id order, filtered.",
        discussion: """
        One page (--limit, 1 to 500, default 100), the cursor of the next on stderr; with --all, every page.

        Examples:
          talentctl campaign list --state open
          talentctl campaign list --tier leading_expert --all -o csv > campaigns.csv
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "Only this org.", transform: orgCode) var org: String?
    @Option(help: "Only this state: draft, open, closed, filled, cancelled.") var state: String?
    @Option(help: "Only this tier.") var tier: String?
    @OptionGroup var page: PageOptions

    func run() throws {
        var params: [String: JSONValue] = [:]
        for (name, value) in [("org", org), ("state", state), ("tier", tier)] { if let value { params[name] = .string(value) } }
        let (campaigns, next) = try global.withClient { try global.readPages($0, "campaign.list", params, items: "campaigns", page) }
        global.emit(json: global.pageJSON(campaigns, named: "campaigns", next: next)) {
            let columns = ["code", "org", "tier", "state", "openings", "recruited", "opens_on", "closes_on", "title"]
            var table = Table(headers: columns)
            for c in campaigns { table.add(columns.map { cell(c[$0], global.missing) }) }
            return table
        }
        global.hintNextPage(next)
    }
}

struct ShowCampaign: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one campaign with its rubric and evaluators.",
        discussion: "Example: talentctl campaign show MOST-LE-2026")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The campaign's code.") var code: String

    func run() throws {
        showCampaign(try global.withClient { try $0.call("campaign.get", params: ["code": .string(code)]) }, global)
    }
}

struct AssignEvaluator: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign-evaluator", abstract: "Assign a principal holding the evaluator role to a campaign.",
        discussion: "Example: talentctl campaign assign-evaluator MOST-LE-2026 council.an")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The campaign's code.") var campaign: String
    @Argument(help: "The evaluator's principal name.") var principal: String

    func run() throws {
        let result = try global.withClient {
            try $0.call("campaign.assign_evaluator", params: ["campaign": .string(campaign), "principal": .string(principal)])
        }
        showCampaign(result, global)
    }
}

struct UnassignEvaluator: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "unassign-evaluator", abstract: "Remove an evaluator from a campaign (its evaluations stay).",
        discussion: "Example: talentctl campaign unassign-evaluator MOST-LE-2026 council.an")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The campaign's code.") var campaign: String
    @Argument(help: "The evaluator's principal name.") var principal: String

    func run() throws {
        let result = try global.withClient {
            try $0.call("campaign.unassign_evaluator", params: ["campaign": .string(campaign), "principal": .string(principal)])
        }
        showCampaign(result, global)
    }
}

struct CampaignRanking: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranking",
        abstract: "Rank a campaign's candidates by weighted score (exact, two decimals).",
        discussion: """
        Weighted score: sum of weight x score over the sum of weights, averaged over evaluators. Ties: more evaluations first, then the earlier application. "enough" says whether a candidate has the campaign's min_evaluators; "eligible" whether every criterion's mean reaches its min_score.

        Examples:
          talentctl campaign ranking MOST-LE-2026
          talentctl campaign ranking MOST-LE-2026 --all -o csv > ranking.csv
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The campaign's code.") var campaign: String
    @OptionGroup var page: PageOptions

    func run() throws {
        let (rows, next) = try global.withClient { try global.readPages($0, "campaign.ranking", ["campaign": .string(campaign)], items: "ranking", page) }
        let keys = rows.first?["criteria"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
        global.emit(json: global.pageJSON(rows, named: "ranking", next: next)) {
            var table = Table(headers: ["rank", "application_id", "person_name", "stage", "weighted_score"] + keys
                              + ["evaluations", "enough", "eligible", "spread", "conflicts"])
            for r in rows {
                let means = (r["criteria"]?.arrayValue ?? []).map { cell($0["mean"], global.missing) }
                let conflicts = (r["conflicts"]?.arrayValue ?? []).map { "\(text($0["evaluator"])) (\(text($0["kind"])))" }
                table.add([cell(r["rank"], global.missing), cell(r["application_id"], global.missing), cell(r["person_name"], global.missing),
                           cell(r["stage"], global.missing), cell(r["weighted_score"], global.missing)] + means
                          + [cell(r["evaluations"], global.missing), cell(r["enough_evaluations"], global.missing),
                             cell(r["eligible"], global.missing), cell(r["spread"], global.missing), conflicts.joined(separator: "; ")])
            }
            return table
        }
        global.hintNextPage(next)
    }
}

private func showCampaign(_ c: JSONValue, _ global: GlobalOptions) {
    global.emit(json: c) {
        var table = fieldTable(c, global.missing, ["code", "title", "org", "tier", "state", "fields", "openings", "recruited", "opens_on",
                                                   "closes_on", "min_evaluators", "evaluators", "cancel_reason", "created_by",
                                                   "created_at", "opened_at", "closed_at", "cancelled_at", "updated_at"])
        for criterion in c["criteria"]?.arrayValue ?? [] {
            let min = criterion["min_score"].map { ", min \(text($0))" } ?? ""
            table.add(["criterion \(text(criterion["key"]))",
                       "\(text(criterion["title"])): weight \(text(criterion["weight"])), 0..\(text(criterion["max_score"]))\(min)"])
        }
        return table
    }
}
