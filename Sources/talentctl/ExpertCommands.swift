import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl expert ...`: the experts recruited through campaigns.
struct ExpertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expert",
        abstract: "List, show and end the experts recruited through campaigns.",
        discussion: """
        Examples:
          talentctl expert list --tier leading_expert --at 2026-12-31
          talentctl expert show 3
          talentctl expert end 3 --end-on 2028-12-31 --reason "Hết hợp đồng"
        """,
        subcommands: [ListExperts.self, ShowExpert.self, EndExpert.self])
}

private let expertFields = ["id", "person_id", "person_name", "org", "tier", "campaign", "start_on", "end_on", "overseas", "in_post",
                            "application_id", "end_reason", "created_at", "updated_at"]

struct ListExperts: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List experts in id order; --at DATE: only those in post that day.",
        discussion: """
        One page (--limit, 1 to 500, default 100), the cursor of the next on stderr; with --all, every page.

        Example: talentctl expert list --tier leading_expert --at 2026-12-31 --all -o csv
        """)
    @OptionGroup var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "Only this org.") var org: String?
    @Option(help: "Only this tier.") var tier: String?
    @Option(help: "In post on this date, YYYY-MM-DD.") var at: String?
    @OptionGroup var page: PageOptions

    func run() throws {
        var params: [String: JSONValue] = [:]
        for (name, value) in [("org", org), ("tier", tier), ("at", at)] { if let value { params[name] = .string(value) } }
        let (experts, next) = try global.withClient { try readPages($0, "expert.list", params, items: "experts", page) }
        global.emit(json: global.pageJSON(experts, named: "experts", next: next)) {
            let columns = Array(expertFields.prefix(10))
            var table = Table(headers: columns)
            for x in experts { table.add(columns.map { cell(x[$0], global.missing) }) }
            return table
        }
        global.hintNextPage(next)
    }
}

struct ShowExpert: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one expert.", discussion: "Example: talentctl expert show 3")
    @OptionGroup var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The expert's id.") var id: Int64

    func run() throws {
        let result = try global.withClient { try $0.call("expert.get", params: ["id": .int(id)]) }
        global.emit(json: result) { fieldTable(result, global.missing, expertFields) }
    }
}

struct EndExpert: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "end", abstract: "Record the end of an expert's service; --end-on is the last day in post.",
        discussion: "Example: talentctl expert end 3 --end-on 2028-12-31 --reason \"Hết hợp đồng\"")
    @OptionGroup var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The expert's id.") var id: Int64
    @Option(help: "Last day in post, YYYY-MM-DD.") var endOn: String
    @Option(help: "Why it ends.") var reason: String

    func run() throws {
        let params: [String: JSONValue] = ["id": .int(id), "end_on": .string(endOn), "reason": .string(reason)]
        let result = try global.withClient { try $0.call("expert.end", params: params) }
        global.emit(json: result) { fieldTable(result, global.missing, expertFields) }
    }
}

/// `talentctl recruitment progress`: the national target of leading experts.
struct RecruitmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recruitment", abstract: "The national recruitment target.",
        subcommands: [RecruitmentProgress.self])
}

struct RecruitmentProgress: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "Leading experts in post against the target, the pipeline, time to recruit, overdue campaigns.",
        discussion: """
        Examples:
          talentctl recruitment progress
          talentctl recruitment progress --at 2026-12-31 -o json
        """)
    @OptionGroup var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "As of this date, YYYY-MM-DD (default: today in Vietnam).") var at: String?

    func run() throws {
        let result = try global.withClient { try $0.call("recruitment.progress", params: at.map { ["at": .string($0)] } ?? [:]) }
        global.emit(json: result) {
            let leading = result["leading_experts"]
            var table = Table(headers: ["", ""])
            table.add(["at", text(result["at"])])
            table.add(["leading experts in post", "\(text(leading?["in_post"])) of \(text(result["target"])) (\(text(leading?["remaining"])) to go)"])
            table.add(["domestic / overseas", "\(text(leading?["domestic"])) / \(text(leading?["overseas"]))"])
            for org in leading?["by_org"]?.arrayValue ?? [] {
                table.add(["  \(text(org["org"]))", "\(text(org["in_post"])) (\(text(org["domestic"])) domestic, \(text(org["overseas"])) overseas)"])
            }
            let pipeline = (result["pipeline"]?.arrayValue ?? []).map { "\(text($0["stage"])) \(text($0["count"]))" }
            table.add(["pipeline", pipeline.joined(separator: ", ")])
            for c in result["campaigns"]?.arrayValue ?? [] {
                table.add(["days to recruit \(text(c["campaign"]))", "\(text(c["recruited"])) recruited: min \(text(c["min_days"])), "
                           + "median \(text(c["median_days"])), max \(text(c["max_days"]))"])
            }
            for o in result["overdue"]?.arrayValue ?? [] {
                table.add(["overdue \(text(o["campaign"]))", "\(text(o["org"])) closed \(text(o["closes_on"])), \(text(o["left"])) of \(text(o["openings"])) openings left"])
            }
            return table.render()
        }
    }
}
