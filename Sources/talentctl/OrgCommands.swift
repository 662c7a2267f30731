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
        Examples:
          talentctl org list
          talentctl org list --kind province -o csv > provinces.csv
        """)
    @OptionGroup var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Option(help: "Only this kind: ministry, ministerial_agency, central_city, province, government_agency, other.")
    var kind: String?

    func run() throws {
        var params: [String: JSONValue] = [:]
        if let kind { params["kind"] = .string(kind) }
        let result = try global.withClient { try $0.call("org.list", params: params) }
        global.emit(json: result) {
            let columns = ["code", "kind", "name", "name_en"]
            var table = Table(headers: columns)
            for org in result["orgs"]?.arrayValue ?? [] { table.add(columns.map { cell(org[$0], global.missing) }) }
            return table
        }
    }
}

struct OrgShow: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one organization.",
        discussion: "Example: talentctl org show MOHA")
    @OptionGroup var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Argument(help: "The org's code, as org list shows it (MOHA, HA-NOI).")
    var code: String

    func run() throws {
        let result = try global.withClient { try $0.call("org.get", params: ["code": .string(code)]) }
        global.emit(json: result) { fieldTable(result, global.missing, ["code", "kind", "name", "name_en", "parent"]) }
    }
}

/// One record as a two-column table (field, value), for `show` commands.
func fieldTable(_ record: JSONValue, _ missing: String, _ fields: [String]) -> Table {
    var table = Table(headers: ["field", "value"])
    for field in fields where record[field] != nil {
        let value = record[field]
        table.add([field, value?.arrayValue.map { $0.map(text).joined(separator: "; ") } ?? cell(value, missing)])
    }
    return table
}

/// A value as a table or CSV cell; `missing` stands for an absent value.
func cell(_ value: JSONValue?, _ missing: String) -> String {
    switch value {
    case nil, .null?: return missing
    default: return text(value)
    }
}
