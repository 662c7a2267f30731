import ArgumentParser
import TalentClient
import TalentProtocol

struct OrgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Ministries, agencies, central cities and provinces.",
        subcommands: [OrgList.self, OrgShow.self])
}

struct OrgList: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List organizations: ministries, ministerial agencies, central cities, provinces, then the rest.",
        discussion: """
        One page (--limit, 1 to 500, default 100), the cursor of the next on stderr; with --all, -o csv or -o json, every page.

        Examples:
          talentctl org list --all
          talentctl org list --kind province -o csv > provinces.csv
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @OptionGroup var page: PageOptions

    @Option(help: "Only this kind.")
    var kind: OrgKindValue?

    func run() throws {
        var params: [String: JSONValue] = [:]
        if let kind { params["kind"] = .string(kind.rawValue) }
        let (orgs, next) = try global.withClient { try global.readPages($0, "org.list", params, items: "orgs", page) }
        global.emit(json: global.pageJSON(orgs, named: "orgs", next: next)) {
            let columns = ["code", "kind", "name", "name_en"]
            var table = Table(headers: columns.map(L10n.word))
            for org in orgs { table.add(columns.map { cell(org[$0], global.missing) }) }
            return table
        }
        global.hintNextPage(next)
    }
}

struct OrgShow: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one organization.",
        discussion: "Example: talentctl org show MOHA")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Argument(help: "The org's code, as org list shows it (MOHA, HA-NOI; any case).", completion: .custom(completeOrgCodes), transform: orgCode)
    var code: String

    func run() throws {
        let result = try global.withClient { try $0.call("org.get", params: ["code": .string(code)]) }
        global.emit(json: result) { fieldTable(result, global.missing, ["code", "kind", "name", "name_en", "parent"]) }
    }
}
