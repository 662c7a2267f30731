import ArgumentParser
import Foundation
import TalentClient
import TalentProtocol

/// `talentctl award round ...`: the award secretariat's rounds, from draft to published results.
struct AwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "award",
        abstract: "Award rounds: nominations from every ministry and province, reviewed, sealed and decided.",
        subcommands: [AwardRoundCommand.self])
}

struct AwardRoundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "round",
        abstract: "Create, open, close, review, rank, seal and decide award rounds.",
        discussion: """
        States: draft -> open -> closed (nominations end) -> reviewed -> submitted (list sealed) -> decided.

        Examples:
          talentctl award round create AW-2026 --title "Giải thưởng 2026" \\
              --year 2026 --opens-on 2026-03-01 --closes-on 2026-04-30 \\
              --review-closes-on 2026-05-31 \\
              --category "ind:individual:2:Cá nhân xuất sắc" \\
              --category "col:collective::Tập thể xuất sắc" \\
              --criterion "impact:2:10:Tác động"
          talentctl award round open AW-2026
          talentctl award round assign-reviewers AW-2026 --per-nomination 3
          talentctl award round ranking AW-2026 --normalize zscore -o csv
          talentctl award round submit-list AW-2026 --nomination 4 --nomination 9 \\
              --note "Đề nghị Thủ tướng khen thưởng"
          talentctl award round export AW-2026 --out list.json
          talentctl award round decide AW-2026 \\
              --decision "4:awarded:QĐ 100/QĐ-TTg" \\
              --decision "9:not_awarded:QĐ 100/QĐ-TTg"
          talentctl award round results AW-2026
        """,
        subcommands: [CreateRound.self, OpenRound.self, CloseRound.self, CloseRoundReview.self, ListRounds.self, ShowRound.self,
                      AssignReviewers.self, RoundRanking.self, SubmitList.self, ExportList.self, DecideRound.self, RoundResults.self])
}

private let roundFields = ["code", "title", "year", "state", "opens_on", "closes_on", "review_closes_on", "categories", "criteria",
                           "list_sha256", "created_by", "created_at", "submitted_by", "submitted_at", "decided_by", "decided_at", "updated_at"]

private func showRound(_ round: JSONValue, _ global: GlobalOptions) {
    global.emit(json: round, rows: {
        var table = fieldTable(round, global.missing, roundFields)
        if global.format == .csv {
            table = Table(headers: roundFields)
            table.add(roundFields.map { cell(round[$0], global.missing) })
        }
        return table
    })
}

struct CreateRound: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a round (draft).",
        discussion: """
        --category KEY:KIND:QUOTA:TITLE (KIND individual or collective; QUOTA per org, empty for none), repeatable.
        --criterion KEY:WEIGHT:MAX_SCORE:TITLE, repeatable.
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    @Option(help: "Title.") var title: String
    @Option(help: "Award year.") var year: Int64
    @Option(help: "First day nominations are taken, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var opensOn: String
    @Option(help: "Last day nominations are taken (Vietnam time).") var closesOn: String
    @Option(help: "Last day reviews are taken.") var reviewClosesOn: String
    @Option(help: "KEY:KIND:QUOTA:TITLE (repeatable).") var category: [String] = []
    @Option(help: "KEY:WEIGHT:MAX_SCORE:TITLE (repeatable).") var criterion: [String] = []

    func run() throws {
        let categories = try category.map { spec -> JSONValue in
            let parts = spec.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else { throw ValidationError("--category \(spec): expected KEY:KIND:QUOTA:TITLE") }
            var object: [String: JSONValue] = ["key": .string(parts[0]), "kind": .string(parts[1]), "title": .string(parts[3])]
            if !parts[2].isEmpty {
                guard let quota = Int64(parts[2]) else { throw ValidationError("--category \(spec): QUOTA must be a number or empty") }
                object["quota_per_org"] = .int(quota)
            }
            return .object(object)
        }
        let criteria = try criterion.map { spec -> JSONValue in
            let parts = spec.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4, let weight = Int64(parts[1]), let max = Int64(parts[2]) else {
                throw ValidationError("--criterion \(spec): expected KEY:WEIGHT:MAX_SCORE:TITLE with numbers")
            }
            return .object(["key": .string(parts[0]), "weight": .int(weight), "max_score": .int(max), "title": .string(parts[3])])
        }
        let params: [String: JSONValue] = [
            "code": .string(code), "title": .string(title), "year": .int(year), "opens_on": .string(opensOn),
            "closes_on": .string(closesOn), "review_closes_on": .string(reviewClosesOn),
            "categories": .array(categories), "criteria": .array(criteria),
        ]
        showRound(try global.withClient { try $0.call("award_round.create", params: params) }, global)
    }
}

/// The round commands that take only the code.
private func roundTransition(_ method: String, _ code: String, _ global: GlobalOptions) throws {
    showRound(try global.withClient { try $0.call(method, params: ["code": .string(code)]) }, global)
}

struct OpenRound: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Open a draft round for nominations.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    func run() throws { try roundTransition("award_round.open", code, global) }
}

struct CloseRound: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close an open round: nominations end.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    func run() throws { try roundTransition("award_round.close", code, global) }
}

struct CloseRoundReview: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "close-review", abstract: "End the review (once review_closes_on has passed or every review is in).")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    func run() throws { try roundTransition("award_round.close_review", code, global) }
}

struct ShowRound: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one round.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    func run() throws { showRound(try global.withClient { try $0.call("award_round.get", params: ["code": .string(code)]) }, global) }
}

struct ListRounds: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List rounds in creation order.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "Only rounds in this state.") var state: String?
    @Option(help: "Only rounds of this year.") var year: Int64?
    @OptionGroup var page: PageOptions

    func run() throws {
        var params: [String: JSONValue] = [:]
        if let state { params["state"] = .string(state) }
        if let year { params["year"] = .int(year) }
        let (rounds, next) = try global.withClient { try global.readPages($0, "award_round.list", params, items: "rounds", page) }
        let headers = ["code", "title", "year", "state", "opens_on", "closes_on", "review_closes_on"]
        global.emit(json: global.pageJSON(rounds, named: "rounds", next: next), rows: {
            var table = Table(headers: headers)
            for r in rounds { table.add(headers.map { cell(r[$0], global.missing) }) }
            return table
        })
        global.hintNextPage(next)
    }
}

struct AssignReviewers: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign-reviewers",
        abstract: "Assign unconflicted reviewers to every live nomination, from two agencies where possible.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    @Option(help: "Reviewers per nomination (default 3).") var perNomination: Int64?

    func run() throws {
        var params: [String: JSONValue] = ["round": .string(code)]
        if let perNomination { params["per_nomination"] = .int(perNomination) }
        let result = try global.withClient { try $0.call("award_round.assign_reviewers", params: params) }
        let assignments = result["assignments"]?.arrayValue ?? []
        global.emit(json: result, rows: {
            var table = Table(headers: ["nomination_id", "reviewers"])
            for a in assignments {
                table.add([text(a["nomination_id"]), (a["reviewers"]?.arrayValue ?? []).map(text).joined(separator: " ")])
            }
            return table
        })
        for short in result["short"]?.arrayValue ?? [] {
            printError("nomination \(text(short["nomination_id"])): \(text(short["reason"]))")
        }
    }
}

struct RoundRanking: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranking", abstract: "The ranking: mean and z-score-normalized scores, spread, gates, conflicts.",
        discussion: "Nominations that failed a screening are listed on stderr with the reason.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    @Option(help: "Only this category.") var category: String?
    @Option(help: "none (by mean) or zscore (by normalized score).") var normalize: String?

    func run() throws {
        var params: [String: JSONValue] = ["round": .string(code)]
        if let category { params["category"] = .string(category) }
        if let normalize { params["normalize"] = .string(normalize) }
        let result = try global.withClient { try $0.call("award_round.ranking", params: params) }
        let headers = ["rank", "nomination_id", "org", "category", "name", "count", "mean", "normalized", "spread", "tie_break"]
        global.emit(json: result, rows: {
            var table = Table(headers: headers + ["award/maybe/no", "gates"])
            for row in result["ranking"]?.arrayValue ?? [] {
                let r = row["recommendations"], g = row["gates"]
                table.add(headers.map { cell(row[$0], global.missing) }
                          + ["\(text(r?["award"]))/\(text(r?["maybe"]))/\(text(r?["no"]))",
                             "\(text(g?["merit"])) \(text(g?["security"])) \(text(g?["personnel"]))"])
            }
            return table
        })
        if global.format != .json {
            for excluded in result["excluded"]?.arrayValue ?? [] {
                printError("excluded: nomination \(text(excluded["nomination_id"])): \(text(excluded["reason"]))")
            }
        }
    }
}

struct SubmitList: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit-list", abstract: "Seal the list to the Prime Minister (a reviewed round; all gates passed).")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    @Option(help: "A nomination id to list (repeatable, in order).") var nomination: [Int64] = []
    @Option(help: "The secretariat's note.") var note: String

    func run() throws {
        let result = try global.withClient {
            try $0.call("award_round.submit_list", params: ["round": .string(code), "nomination_ids": .array(nomination.map { .int($0) }),
                                                            "note": .string(note)])
        }
        global.emit(json: result) { "round \(text(result["round"])) \(text(result["state"])); sha256 \(text(result["sha256"]))" }
    }
}

struct ExportList: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "The sealed list, byte for byte; --out writes its canonical JSON to a file.",
        discussion: "Check it: sha256sum list.json gives the sha256 printed.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    @Option(help: "Write the canonical JSON here (exactly the sealed bytes).") var out: String?

    func run() throws {
        let result = try global.withClient { try $0.call("award_round.list_export", params: ["round": .string(code)]) }
        let canonical = result["canonical_json"]?.stringValue ?? ""
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(canonical.utf8)) else {
                printError("cannot write \(out)")
                throw ExitCode(1)
            }
        }
        global.emit(json: result) {
            out.map { "sealed list of \(code) written to \($0); sha256 \(text(result["sha256"]))" } ?? canonical
        }
    }
}

struct DecideRound: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide", abstract: "Record the decisions on every listed nomination: --decision ID:OUTCOME:DECISION_REF.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String
    @Option(help: "ID:awarded|not_awarded:DECISION_REF (repeatable).") var decision: [String] = []

    func run() throws {
        let decisions = try decision.map { spec -> JSONValue in
            let parts = spec.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let id = Int64(parts[0]) else { throw ValidationError("--decision \(spec): expected ID:OUTCOME:DECISION_REF") }
            return .object(["nomination_id": .int(id), "outcome": .string(parts[1]), "decision_ref": .string(parts[2])])
        }
        showRound(try global.withClient {
            try $0.call("award_round.decide", params: ["round": .string(code), "decisions": .array(decisions)])
        }, global)
    }
}

struct RoundResults: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "results", abstract: "Who was awarded, with org and citation: what gets published (no personal data).")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The round's code.") var code: String

    func run() throws {
        let result = try global.withClient { try $0.call("award_round.results", params: ["round": .string(code)]) }
        let headers = ["category", "kind", "name", "org", "citation", "decision_ref"]
        global.emit(json: result, rows: {
            var table = Table(headers: headers)
            for a in result["awarded"]?.arrayValue ?? [] { table.add(headers.map { cell(a[$0], global.missing) }) }
            return table
        })
    }
}
