import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl coverage`: which orgs have their two chief engineers on a date.
struct CoverageCommand: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Show, per org, who holds chief_engineer_sti and chief_engineer_ops on a date (default today in Vietnam).",
        discussion: """
        The national compliance view. --missing keeps only orgs lacking a holder; the summary line always counts every org reported. --watch redraws it when it changes.

        Examples:
          talentctl coverage
          talentctl coverage --missing
          talentctl coverage --kind province --at 31/12/2025 -o csv > coverage.csv
          talentctl coverage --missing --watch
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Flag(help: "Only orgs lacking a chief engineer (either post).") var missing = false
    @Option(help: "The date, YYYY-MM-DD or dd/mm/yyyy (default: today in Vietnam).", transform: isoDate) var at: String?
    @Option(help: "Only orgs of this kind.") var kind: OrgKindValue?
    @OptionGroup var watch: WatchOptions

    func run() throws {
        try watch.repeating(global) { try reportOnce() }
    }

    private func reportOnce() throws {
        var params: [String: JSONValue] = [:]
        if let at { params["at"] = .string(at) }
        if let kind { params["kind"] = .string(kind.rawValue) }
        let report = try global.withClient { try $0.call("coverage.report", params: params) }
        var orgs = report["orgs"]?.arrayValue ?? []
        if missing { orgs = orgs.filter { $0["chief_engineer_sti"] == .null || $0["chief_engineer_ops"] == .null } }
        var json = report.objectValue ?? [:]
        json["orgs"] = .array(orgs)
        let summary = report["summary"]
        let summaryLine = L10n.text("coverage.summary", text(summary?["orgs"]), text(report["at"]), text(summary?["fully_covered"]),
                                    text(summary?["missing_sti"]), text(summary?["missing_ops"]))
        let headers = ["code", "kind", "name", "sti_person_id", "sti_full_name", "sti_since", "ops_person_id", "ops_full_name", "ops_since"]
        let rows = orgs.map { org -> [String] in
            let sti = org["chief_engineer_sti"], ops = org["chief_engineer_ops"]
            func field(_ holder: JSONValue?, _ name: String) -> String { holder == .null ? "" : text(holder?[name]) }
            return [text(org["code"]), text(org["kind"]), text(org["name"]),
                    field(sti, "person_id"), field(sti, "full_name"), field(sti, "since"),
                    field(ops, "person_id"), field(ops, "full_name"), field(ops, "since")]
        }
        global.emit(json: .object(json), headers: headers, rows: rows) {
            var table = Table(headers: ["code", "name", "chief engineer STI", "chief engineer OPS"].map(L10n.word))
            func holder(_ value: JSONValue?) -> String {
                guard let value, value != .null else { return "—" }
                return L10n.text("coverage.holder", text(value["full_name"]), text(value["since"]))
            }
            for org in orgs {
                table.add([text(org["code"]), text(org["name"]), holder(org["chief_engineer_sti"]), holder(org["chief_engineer_ops"])])
            }
            return table.render() + "\n" + summaryLine
        }
    }
}
