import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl review ...`: the award council's blind reviews and declared conflicts.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Score nominations, amend a review, declare a conflict, read reviews (blind until yours is in).",
        discussion: """
        Examples:
          talentctl review submit 4 --score impact=8 --score novelty=7 \\
              --recommendation award --confidence 4
          talentctl review amend 4 --score impact=9 --score novelty=7 \\
              --recommendation award --confidence 5 --comment "Sau khi xem lại"
          talentctl review conflict 4 --kind family --note "Anh em họ"
          talentctl review list 4
          talentctl review assign 4 --reviewer rv.mps.1
        """,
        subcommands: [SubmitReview.self, AmendReview.self, DeclareReviewConflict.self, ListReviews.self, AssignReview.self, UnassignReview.self])
}

struct ScoreOptions: ParsableArguments {
    @Option(help: "CRITERION=SCORE (repeatable, every criterion).") var score: [String] = []
    @Option(help: "award, maybe or no.") var recommendation: String
    @Option(help: "1 to 5.") var confidence: Int64
    @Option(help: "A comment.") var comment: String?

    func params(_ nominationID: Int64) throws -> [String: JSONValue] {
        var scores: [String: JSONValue] = [:]
        for spec in score {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Int64(parts[1]) else { throw ValidationError("--score \(spec): expected CRITERION=SCORE") }
            scores[parts[0]] = .int(value)
        }
        var params: [String: JSONValue] = ["nomination_id": .int(nominationID), "scores": .object(scores),
                                           "recommendation": .string(recommendation), "confidence": .int(confidence)]
        if let comment { params["comment"] = .string(comment) }
        return params
    }
}

private let reviewHeaders = ["id", "nomination_id", "reviewer", "version", "scores", "recommendation", "confidence", "comment", "submitted_at"]

private func showReviews(_ reviews: [JSONValue], json: JSONValue, _ global: GlobalOptions) {
    global.emit(json: json, rows: {
        var table = Table(headers: reviewHeaders)
        for r in reviews { table.add(reviewHeaders.map { cell(r[$0], global.missing) }) }
        return table
    })
}

struct SubmitReview: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "submit", abstract: "Score a nomination you are assigned to, once.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The nomination's id.") var nominationId: Int64
    @OptionGroup var scores: ScoreOptions

    func run() throws {
        let review = try global.withClient { try $0.call("review.submit", params: try scores.params(nominationId)) }
        showReviews([review], json: review, global)
    }
}

struct AmendReview: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "amend", abstract: "Change your review; the earlier version stays in the history.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The nomination's id.") var nominationId: Int64
    @OptionGroup var scores: ScoreOptions

    func run() throws {
        let review = try global.withClient { try $0.call("review.amend", params: try scores.params(nominationId)) }
        showReviews([review], json: review, global)
    }
}

struct DeclareReviewConflict: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflict", abstract: "Declare your conflict with a nomination, with a reason.",
        discussion: "Kinds: employment, collaboration, family, financial, personal, other.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The nomination's id.") var nominationId: Int64
    @Option(help: "The kind of conflict.") var kind: String
    @Option(help: "Why (required).") var note: String

    func run() throws {
        let result = try global.withClient {
            try $0.call("review.declare_conflict", params: ["nomination_id": .int(nominationId), "kind": .string(kind), "note": .string(note)])
        }
        global.emit(json: result, rows: {
            var table = Table(headers: ["nomination_id", "reviewer", "kind", "note", "declared"])
            for c in result["conflicts"]?.arrayValue ?? [] {
                table.add(["nomination_id", "reviewer", "kind", "note", "declared"].map { cell(c[$0], global.missing) })
            }
            return table
        })
    }
}

struct ListReviews: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "A nomination's reviews (a reviewer sees them once its own is in).")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The nomination's id.") var nominationId: Int64
    @Flag(help: "Every version (secretariat, admins, auditors).") var history = false
    @OptionGroup var page: PageOptions

    func run() throws {
        var params: [String: JSONValue] = ["nomination_id": .int(nominationId)]
        if history { params["history"] = .bool(true) }
        let (reviews, next) = try global.withClient { try global.readPages($0, "review.list", params, items: "reviews", page) }
        showReviews(reviews, json: global.pageJSON(reviews, named: "reviews", next: next), global)
        global.hintNextPage(next)
    }
}

private func showAssignment(_ result: JSONValue, _ global: GlobalOptions) {
    global.emit(json: result) {
        "nomination \(text(result["nomination_id"])): \((result["reviewers"]?.arrayValue ?? []).map(text).joined(separator: ", "))"
    }
}

struct AssignReview: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "assign", abstract: "Assign a reviewer by hand (never a conflicted one).")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The nomination's id.") var nominationId: Int64
    @Option(help: "The reviewer's principal name.") var reviewer: String

    func run() throws {
        showAssignment(try global.withClient {
            try $0.call("review.assign", params: ["nomination_id": .int(nominationId), "reviewer": .string(reviewer)])
        }, global)
    }
}

struct UnassignReview: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "unassign", abstract: "Remove a reviewer whose review is not in.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The nomination's id.") var nominationId: Int64
    @Option(help: "The reviewer's principal name.") var reviewer: String

    func run() throws {
        showAssignment(try global.withClient {
            try $0.call("review.unassign", params: ["nomination_id": .int(nominationId), "reviewer": .string(reviewer)])
        }, global)
    }
}
