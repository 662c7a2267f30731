import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

/// `talentctl publish`: the "three publicities" as a static site anyone can open offline.
struct PublishCommand: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Write the public KPI report: index.html, kpi.csv and kpi.json.",
        discussion: """
        index.html is self-contained (inline SVG charts and styles, nothing fetched): coverage by org, late duties by org, leading experts in post against the target at each month end, nominations by org, the post holders and the awardees. It names orgs, chief engineers and awardees, no one else. Needs a national role that reads kpi.report (admin, auditor, national HR official).

        Examples:
          talentctl publish --out site
          talentctl publish --out /srv/www/kpi --at 31/12/2025
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "The directory to write (created if missing; the three files are replaced).") var out: String
    @Option(help: "The date, YYYY-MM-DD or dd/mm/yyyy (default: today in Vietnam).", transform: isoDate) var at: String?

    func run() throws {
        let data = try global.withClient { client in try PublishedData.gather(client, at: at) }
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(PublishedPage(data).html.utf8).write(to: directory.appendingPathComponent("index.html"), options: .atomic)
            try Data(CSV.render([KpiRows.headers] + KpiRows.rows(data.kpi)).utf8)
                .write(to: directory.appendingPathComponent("kpi.csv"), options: .atomic)
            try Data((JSONWriter.string(data.kpi) + "\n").utf8).write(to: directory.appendingPathComponent("kpi.json"), options: .atomic)
        } catch {
            printError("cannot write the report to \(out): \(error.localizedDescription)", colour: .red)
            throw ExitCode(1)
        }
        print(L10n.text("publish.written", directory.appendingPathComponent("index.html").path, text(data.kpi["at"])))
    }
}

/// What the published report shows, read from the daemon in one go.
struct PublishedData {
    /// kpi.report, national.
    let kpi: JSONValue
    /// coverage.report: the post holders.
    let coverage: JSONValue
    /// Leading experts in post at each month end since July 2025, and on the report's date.
    let experts: [(date: String, inPost: Int64)]
    let target: Int64
    /// award_round.results of every round decided by the report's date.
    let results: [JSONValue]

    static func gather(_ client: RPCClient, at: String?) throws -> PublishedData {
        let kpi = try client.call("kpi.report", params: at.map { ["at": .string($0)] } ?? [:])
        let day = kpi["at"]?.stringValue ?? ""
        let coverage = try client.call("coverage.report", params: ["at": .string(day)])
        var experts: [(String, Int64)] = []
        var target: Int64 = 0
        for date in monthEnds(from: "2025-07", to: day) + [day] {
            let progress = try client.call("recruitment.progress", params: ["at": .string(date)])
            experts.append((date, progress["leading_experts"]?["in_post"]?.intValue ?? 0))
            target = progress["target"]?.intValue ?? target
        }
        var results: [JSONValue] = []
        var params: [String: JSONValue] = ["state": "decided", "limit": 100]
        repeat {
            let page = try client.call("award_round.list", params: params)
            for round in page["rounds"]?.arrayValue ?? [] {
                guard let code = round["code"]?.stringValue else { continue }
                let result = try client.call("award_round.results", params: ["round": .string(code)])
                // Decided by the end of the report's day in Vietnam (17:00 UTC).
                if let decided = result["decided_at"]?.stringValue, decided < day + "T17:00:00.000Z" { results.append(result) }
            }
            params["cursor"] = page["next_cursor"]
        } while params["cursor"] != nil
        return PublishedData(kpi: kpi, coverage: coverage, experts: experts, target: target, results: results)
    }

    /// The last day of every month from `first` (YYYY-MM) up to, not including, the one ending on or after `day`.
    static func monthEnds(from first: String, to day: String) -> [String] {
        let parts = first.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2 else { return [] }
        var (year, month) = (parts[0], parts[1])
        var ends: [String] = []
        while true {
            let last = daysIn(year: year, month: month)
            let end = String(format: "%04d-%02d-%02d", year, month, last)
            if end >= day { return ends }
            ends.append(end)
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
    }

    private static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
