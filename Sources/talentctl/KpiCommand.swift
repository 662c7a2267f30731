import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl kpi`: the program's KPIs on a date, per org and nationally.
struct KpiCommand: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpi",
        abstract: "Show the KPIs per org and nationally on a date (default today).",
        discussion: """
        Per org: chief-engineer posts filled (of 2) and days vacant, experts in post and candidates, nominations submitted/passed/awarded, duties on time/late/done late/open and the on-time rate. Without --org also the national totals, data quality and the on-time ranking. Counts only: no personal data.

        Examples:
          talentctl kpi
          talentctl kpi --org MOH
          talentctl kpi --at 31/12/2025 -o csv > kpi.csv
          talentctl kpi -o json | jq .on_time_ranking
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "The date, YYYY-MM-DD or dd/mm/yyyy (default: today in Vietnam).", transform: isoDate) var at: String?
    @Option(help: "One org's KPIs (an org's HR official gets its own).", completion: .custom(completeOrgCodes),
            transform: orgCode) var org: String?

    func run() throws {
        var params: [String: JSONValue] = [:]
        if let at { params["at"] = .string(at) }
        if let org { params["org"] = .string(org) }
        let report = try global.withClient { try $0.call("kpi.report", params: params) }
        global.emit(json: report, headers: KpiRows.headers, rows: KpiRows.rows(report)) {
            var table = Table(headers: ["code", "CE filled", "vacant STI", "vacant OPS", "experts", "candidates",
                                        "nominated", "passed", "awarded", "on time", "late", "done late", "still open",
                                        "on-time rate"].map(L10n.word))
            for org in report["orgs"]?.arrayValue ?? [] {
                let ce = org["chief_engineers"], duties = org["duties"]
                table.add([text(org["code"]), "\(text(ce?["filled"]))/2", text(ce?["sti"]?["days_vacant"]),
                           text(ce?["ops"]?["days_vacant"]), text(org["experts"]?["in_post"]),
                           text(org["experts"]?["candidates"]), text(org["nominations"]?["submitted"]),
                           text(org["nominations"]?["passed"]), text(org["nominations"]?["awarded"]),
                           text(duties?["on_time"]), text(duties?["late"]), text(duties?["done_late"]),
                           text(duties?["open"]), KpiRows.percent(duties?["on_time_rate"])])
            }
            return table.render() + KpiRows.summary(report)
        }
    }
}

/// The KPI report as CSV rows (`talentctl kpi -o csv` and the published kpi.csv): one row per
/// org, then a row `national` with the sums when the report has them.
enum KpiRows {
    static let headers = ["code", "kind", "name", "ce_filled", "ce_window_start", "ce_days_vacant", "sti_filled", "sti_days_vacant",
                          "ops_filled", "ops_days_vacant", "experts_in_post", "leading_experts_in_post", "candidates",
                          "nominations_submitted", "nominations_passed", "nominations_awarded",
                          "duties_on_time", "duties_late", "duties_done_late", "duties_open", "duties_rated", "on_time_rate"]

    static func rows(_ report: JSONValue) -> [[String]] {
        var rows = (report["orgs"]?.arrayValue ?? []).map { org -> [String] in
            let ce = org["chief_engineers"]
            return [cell(org["code"], ""), cell(org["kind"], ""), cell(org["name"], ""), cell(ce?["filled"], ""),
                    cell(ce?["window_start"], ""), daysVacant(ce), cell(ce?["sti"]?["filled"], ""), cell(ce?["sti"]?["days_vacant"], ""),
                    cell(ce?["ops"]?["filled"], ""), cell(ce?["ops"]?["days_vacant"], "")]
                + counts(org)
        }
        if let national = report["national"] {
            let ce = national["chief_engineers"]
            rows.append(["national", "", "", cell(ce?["filled"], ""), "", cell(ce?["days_vacant"], ""), "", "", "", ""] + counts(national))
        }
        return rows
    }

    /// An org's vacant post-days: both posts together, as the national total counts them.
    private static func daysVacant(_ ce: JSONValue?) -> String {
        guard let sti = ce?["sti"]?["days_vacant"]?.intValue, let ops = ce?["ops"]?["days_vacant"]?.intValue else { return "" }
        return String(sti + ops)
    }

    private static func counts(_ block: JSONValue) -> [String] {
        let paths = [("experts", "in_post"), ("experts", "leading_in_post"), ("experts", "candidates"),
                     ("nominations", "submitted"), ("nominations", "passed"), ("nominations", "awarded"),
                     ("duties", "on_time"), ("duties", "late"), ("duties", "done_late"), ("duties", "open"),
                     ("duties", "rated"), ("duties", "on_time_rate")]
        return paths.map { cell(block[$0.0]?[$0.1], "") }
    }

    /// A rate as a whole percentage ("87%"), "-" without one.
    static func percent(_ rate: JSONValue?) -> String {
        switch rate {
        case .double(let value)?: return "\(Int((value * 100).rounded()))%"
        case .int(let value)?: return "\(value * 100)%"
        default: return "-"
        }
    }

    /// The national lines under the table (absent from one org's report).
    static func summary(_ report: JSONValue) -> String {
        guard let national = report["national"], let quality = report["data_quality"] else { return "" }
        let ce = national["chief_engineers"], duties = national["duties"]
        let duplicates = quality["possible_duplicates"]
        return "\n" + L10n.text("kpi.national", text(report["at"]), text(national["orgs"]), text(ce?["filled"]),
                                text(ce?["posts"]), text(ce?["days_vacant"]), text(national["experts"]?["in_post"]),
                                text(duties?["late"]), percent(duties?["on_time_rate"]))
            + "\n" + L10n.text("kpi.quality", text(quality["persons"]), text(quality["missing_birth_date"]),
                               text(quality["missing_national_id"]), text(quality["missing_employer"]),
                               text(duplicates?["persons"]), text(duplicates?["pairs"]))
    }
}
