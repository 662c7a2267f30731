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

        Example:
          talentctl expert list --tier leading_expert --at 2026-12-31 --all -o csv
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "Only this org.", transform: orgCode) var org: String?
    @Option(help: "Only this tier.") var tier: String?
    @Option(help: "In post on this date, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var at: String?
    @OptionGroup var page: PageOptions

    func run() throws {
        var params: [String: JSONValue] = [:]
        for (name, value) in [("org", org), ("tier", tier), ("at", at)] { if let value { params[name] = .string(value) } }
        let (experts, next) = try global.withClient { try global.readPages($0, "expert.list", params, items: "experts", page) }
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
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
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
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The expert's id.") var id: Int64
    @Option(help: "Last day in post, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var endOn: String
    @Option(help: "Why it ends.") var reason: String

    func run() throws {
        let params: [String: JSONValue] = ["id": .int(id), "end_on": .string(endOn), "reason": .string(reason)]
        let result = try global.withClient { try $0.call("expert.end", params: params) }
        global.emit(json: result) { fieldTable(result, global.missing, expertFields) }
    }
}
