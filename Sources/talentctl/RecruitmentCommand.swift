import ArgumentParser
import TalentClient
import TalentProtocol

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
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "As of this date, YYYY-MM-DD or dd/mm/yyyy (default: today in Vietnam).", transform: isoDate) var at: String?

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
