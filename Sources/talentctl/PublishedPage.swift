import TalentProtocol

/// The published report's index.html: one self-contained page. The Content-Security-Policy
/// forbids fetching anything, so a browser proves the page needs nothing from outside; it names
/// orgs, the chief engineers holding posts and the awardees, nothing else personal.
struct PublishedPage {
    let data: PublishedData

    init(_ data: PublishedData) { self.data = data }

    private var orgs: [JSONValue] { data.kpi["orgs"]?.arrayValue ?? [] }
    private var at: String { text(data.kpi["at"]) }

    var html: String {
        """
        <!DOCTYPE html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Công khai kết quả — Resolution 57 KPIs on \(htmlEscaped(at))</title>
        <style>\(Self.style)</style>
        </head>
        <body>
        <h1>Công khai tiến độ, trách nhiệm, kết quả<br><small>Resolution 57-NQ/TW: people KPIs on \(htmlEscaped(at))</small></h1>
        \(summary)
        <h2>Chief engineers: posts filled per org (of 2)</h2>
        \(SVGChart.bars("coverage", series: ["filled"], rows: orgs.map { row($0, [["chief_engineers", "filled"]]) }, maximum: 2))
        <h2>Late duties by org</h2>
        \(chartOrNote("late-duties", series: ["late"], paths: [["duties", "late"]], none: "No duty is late."))
        <h2>Leading experts in post against the target of \(data.target)</h2>
        \(SVGChart.line("leading-experts", points: data.experts.map { ($0.date, $0.inPost) }, target: data.target))
        <h2>Nominations by org</h2>
        \(chartOrNote("nominations", series: ["submitted", "passed", "awarded"],
                      paths: [["nominations", "submitted"], ["nominations", "passed"], ["nominations", "awarded"]],
                      none: "No nomination submitted."))
        <h2>On-time ranking</h2>
        \(ranking)
        <h2>Chief-engineer post holders</h2>
        \(holders)
        <h2>Awardees</h2>
        \(awardees)
        <h2>Data quality of the person registry</h2>
        \(quality)
        <p class="note">Definitions: Protocol/PROTOCOL.md, section KPIs. Files: <a href="kpi.csv">kpi.csv</a>, <a href="kpi.json">kpi.json</a>.</p>
        </body>
        </html>

        """
    }

    /// One org's bar values, each found by its path of members ("duties", "late").
    private func row(_ org: JSONValue, _ paths: [[String]]) -> SVGChart.Row {
        SVGChart.Row(org: text(org["code"]), label: "\(text(org["code"])) — \(text(org["name"]))",
                     values: paths.map { path in path.reduce(Optional(org)) { $0?[$1] }?.intValue ?? 0 })
    }

    /// A bar chart of the orgs with a non-zero value, or a note when there is none.
    private func chartOrNote(_ chart: String, series: [String], paths: [[String]], none: String) -> String {
        let rows = orgs.map { row($0, paths) }.filter { $0.values.contains { $0 > 0 } }
        if rows.isEmpty { return "<p class=\"note\" data-chart=\"\(htmlEscaped(chart))\">\(htmlEscaped(none))</p>" }
        return SVGChart.bars(chart, series: series, rows: rows) + "<p class=\"note\">Orgs not shown have none.</p>"
    }

    private var summary: String {
        let national = data.kpi["national"], ce = national?["chief_engineers"], duties = national?["duties"]
        let items: [(String, String, JSONValue?)] = [
            ("orgs", "Organizations", national?["orgs"]),
            ("ce_filled", "Chief-engineer posts filled", ce?["filled"]),
            ("ce_posts", "Chief-engineer posts", ce?["posts"]),
            ("ce_days_vacant", "Post-days vacant", ce?["days_vacant"]),
            ("experts_in_post", "Experts in post", national?["experts"]?["in_post"]),
            ("candidates", "Candidates in the pipeline", national?["experts"]?["candidates"]),
            ("nominations_awarded", "Nominations awarded", national?["nominations"]?["awarded"]),
            ("duties_late", "Duties late", duties?["late"]),
            ("on_time_rate", "On-time rate", duties?["on_time_rate"]),
        ]
        return "<dl class=\"summary\">" + items.map { key, label, value in
            let shown = key == "on_time_rate" ? KpiRows.percent(value) : text(value)
            return "<div><dt>\(htmlEscaped(label))</dt><dd data-kpi=\"\(key)\" data-value=\"\(htmlEscaped(cell(value, "")))\">\(htmlEscaped(shown))</dd></div>"
        }.joined() + "</dl>"
    }

    private var ranking: String {
        let names = Dictionary(orgs.map { (text($0["code"]), text($0["name"])) }, uniquingKeysWith: { a, _ in a })
        let rows = (data.kpi["on_time_ranking"]?.arrayValue ?? []).filter { $0["rank"] != .null }.map { entry in
            [text(entry["rank"]), text(entry["org"]), names[text(entry["org"])] ?? "", text(entry["on_time"]),
             text(entry["rated"]), KpiRows.percent(entry["on_time_rate"])]
        }
        return Self.table(["#", "Org", "Name", "On time", "Rated", "Rate"], rows, empty: "No duty is due or done yet.")
    }

    private var holders: String {
        let rows = (data.coverage["orgs"]?.arrayValue ?? []).map { org -> [String] in
            func holder(_ value: JSONValue?) -> String {
                guard let value, value != .null else { return "—" }
                return "\(text(value["full_name"])) (since \(text(value["since"])))"
            }
            return [text(org["code"]), text(org["name"]), holder(org["chief_engineer_sti"]), holder(org["chief_engineer_ops"])]
        }
        return Self.table(["Org", "Name", "Chief engineer STI", "Chief engineer OPS"], rows, empty: "No org.")
    }

    private var awardees: String {
        let rows = data.results.flatMap { result in
            (result["awarded"]?.arrayValue ?? []).map {
                [text(result["round"]), text($0["category_title"]), text($0["name"]), text($0["org"]), text($0["decision_ref"])]
            }
        }
        return Self.table(["Round", "Category", "Awardee", "Org", "Decision"], rows, empty: "No award decided yet.")
    }

    private var quality: String {
        let q = data.kpi["data_quality"], duplicates = q?["possible_duplicates"]
        let rows = [("Persons", q?["persons"]), ("Without birth date", q?["missing_birth_date"]),
                    ("Without national id", q?["missing_national_id"]), ("Without employer", q?["missing_employer"]),
                    ("Persons with a possible duplicate", duplicates?["persons"]), ("Possible duplicate pairs", duplicates?["pairs"])]
        return Self.table(["Measure", "Count"], rows.map { [$0.0, text($0.1)] }, empty: "")
    }

    private static func table(_ headers: [String], _ rows: [[String]], empty: String) -> String {
        if rows.isEmpty { return "<p class=\"note\">\(htmlEscaped(empty))</p>" }
        let head = headers.map { "<th>\(htmlEscaped($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\(htmlEscaped($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    private static let style = """
        body{font-family:system-ui,"Noto Sans","DejaVu Sans",sans-serif;margin:2em auto;max-width:60em;color:#222;padding:0 1em}
        h1{font-size:1.6em}h1 small{font-size:.6em;color:#555;font-weight:normal}h2{margin-top:1.6em;font-size:1.2em}
        .summary{display:flex;flex-wrap:wrap;gap:.8em}.summary div{border:1px solid #ccc;border-radius:6px;padding:.5em .8em;min-width:10em}
        dt{font-size:.8em;color:#555}dd{margin:0;font-size:1.5em;font-weight:bold}
        table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left}
        .chart text{font-size:11px;fill:#222}.note{color:#555;font-size:.9em}
        """
}
