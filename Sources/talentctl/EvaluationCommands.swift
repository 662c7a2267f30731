import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl evaluation ...`: an evaluator's blind scores and declared conflicts of interest.
struct EvaluationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluation",
        abstract: "Score a candidate, declare a conflict of interest, list an application's evaluations.",
        discussion: """
        Only evaluators assigned to the campaign score, once per candidate, at stage evaluation, and never a candidate they have a conflict with (themselves, the same employer, or a declared one). Scoring is blind: an evaluator sees other evaluators' scores only after submitting its own.

        Examples:
          talentctl evaluation submit 7 --score research=8 --score leadership=6 \\
              --comment "Hồ sơ nghiên cứu mạnh"
          talentctl evaluation conflict 9 --kind co_author --note "Đồng tác giả 2023"
          talentctl evaluation list 7
        """,
        subcommands: [SubmitEvaluation.self, DeclareConflict.self, ListEvaluations.self])
}

struct SubmitEvaluation: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Score every criterion of a candidate, as integers from 0 to the criterion's max.",
        discussion: "Example: talentctl evaluation submit 7 --score research=8 --score leadership=6")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var applicationId: Int64
    @Option(help: "KEY=SCORE for one criterion (repeat for each).") var score: [String] = []
    @Option(help: "A comment.") var comment: String?

    func run() throws {
        var scores: [String: JSONValue] = [:]
        for pair in score {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Int64(parts[1]) else {
                printError("--score takes KEY=SCORE with an integer score, e.g. --score research=8; not \(pair)")
                throw ExitCode(64)
            }
            scores[parts[0]] = .int(value)
        }
        var params: [String: JSONValue] = ["application_id": .int(applicationId), "scores": .object(scores)]
        if let comment { params["comment"] = .string(comment) }
        let result = try global.withClient { try $0.call("evaluation.submit", params: params) }
        global.emit(json: result) { evaluationTable([result], global) }
    }
}

struct DeclareConflict: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflict", abstract: "Declare a conflict of interest with a candidate (you will not score them).",
        discussion: "Kinds: relative, supervisor, co_author, same_employer, other.\n\nExample:\n  talentctl evaluation conflict 9 --kind supervisor \\\n      --note \"Hướng dẫn luận án 2019\"")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var applicationId: Int64
    @Option(help: "relative, supervisor, co_author, same_employer or other.") var kind: String
    @Option(help: "What the conflict is.") var note: String

    func run() throws {
        let params: [String: JSONValue] = ["application_id": .int(applicationId), "kind": .string(kind), "note": .string(note)]
        let result = try global.withClient { try $0.call("evaluation.declare_conflict", params: params) }
        global.emit(json: result) { fieldTable(result, global.missing, ["id", "application_id", "evaluator", "kind", "note", "declared_at"]) }
    }
}

struct ListEvaluations: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "An application's evaluations (an evaluator sees them only after scoring).",
        discussion: "Example: talentctl evaluation list 7")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var applicationId: Int64
    @OptionGroup var page: PageOptions

    func run() throws {
        let (evaluations, next) = try global.withClient {
            try global.readPages($0, "evaluation.list", ["application_id": .int(applicationId)], items: "evaluations", page)
        }
        global.emit(json: global.pageJSON(evaluations, named: "evaluations", next: next)) { evaluationTable(evaluations, global) }
        global.hintNextPage(next)
    }
}

private func evaluationTable(_ evaluations: [JSONValue], _ global: GlobalOptions) -> Table {
    var table = Table(headers: ["id", "application_id", "evaluator", "scores", "comment", "submitted_at"])
    for e in evaluations {
        let scores = (e["scores"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\(text($0.value))" }
        table.add([cell(e["id"], global.missing), cell(e["application_id"], global.missing), cell(e["evaluator"], global.missing),
                   scores.joined(separator: " "), cell(e["comment"], global.missing), cell(e["submitted_at"], global.missing)])
    }
    return table
}
