import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl application ...`: candidates through the stages, offers and their approval.
struct ApplicationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "application",
        abstract: "Submit, advance, reject, withdraw, offer, approve offers, accept, list and show applications.",
        discussion: """
        Stages: applied -> screening -> evaluation -> interview -> offer -> recruited, or rejected / withdrawn from any open stage. An offer needs the approval of a national HR official or an admin who did not make it.

        Examples:
          talentctl application submit --campaign MOST-LE-2026 --person-id 12 \\
              --source overseas
          talentctl application advance 7 --to evaluation --note "Qua vòng hồ sơ"
          talentctl application offer 7 --start-on 2026-06-01
          talentctl --principal lan.hr --secret-file lan.secret application \\
              approve-offer 7
          talentctl application accept 7
          talentctl application list --campaign MOST-LE-2026 --stage evaluation
        """,
        subcommands: [SubmitApplication.self, AdvanceApplication.self, RejectApplication.self, WithdrawApplication.self,
                      OfferApplication.self, ApproveOffer.self, AcceptApplication.self, ListApplications.self, ShowApplication.self])
}

struct SubmitApplication: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit a person's application to an open campaign (once per person and campaign).",
        discussion: "Example:\n  talentctl application submit --campaign MOST-LE-2026 --person-id 12 \\\n      --source referral --referred-by \"GS. Nguyễn Văn A\"")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "The campaign's code.") var campaign: String
    @Option(help: "The person's id (talentctl person search finds it).") var personId: Int64
    @Option(help: "domestic, overseas or referral.") var source: String
    @Option(help: "Who referred the candidate (required with --source referral).") var referredBy: String?
    @Option(help: "A note kept in the history.") var note: String?

    func run() throws {
        var params: [String: JSONValue] = ["campaign": .string(campaign), "person_id": .int(personId), "source": .string(source)]
        if let referredBy { params["referred_by"] = .string(referredBy) }
        if let note { params["note"] = .string(note) }
        showApplication(try global.withClient { try $0.call("application.submit", params: params) }, global)
    }
}

struct AdvanceApplication: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "advance", abstract: "Move an application forward to screening, evaluation or interview.",
        discussion: "Example: talentctl application advance 7 --to evaluation --note \"Qua vòng hồ sơ\"")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var id: Int64
    @Option(help: "screening, evaluation or interview.") var to: String
    @Option(help: "A note kept in the history.") var note: String?

    func run() throws {
        var params: [String: JSONValue] = ["id": .int(id), "to": .string(to)]
        if let note { params["note"] = .string(note) }
        showApplication(try global.withClient { try $0.call("application.advance", params: params) }, global)
    }
}

struct RejectApplication: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject an application at any open stage.",
        discussion: """
        Reason codes: not_eligible, below_min_score, insufficient_evaluations, failed_interview, offer_declined, position_filled, duplicate_candidate, other.

        Example:
          talentctl application reject 7 --reason-code failed_interview --note \\
              "Phỏng vấn chưa đạt"
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var id: Int64
    @Option(help: "Why, from the documented list.") var reasonCode: String
    @Option(help: "A note a person can read.") var note: String

    func run() throws {
        let params: [String: JSONValue] = ["id": .int(id), "reason_code": .string(reasonCode), "note": .string(note)]
        showApplication(try global.withClient { try $0.call("application.reject", params: params) }, global)
    }
}

struct WithdrawApplication: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: "Record that the candidate withdrew.",
        discussion: "Example: talentctl application withdraw 7")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var id: Int64
    @Option(help: "A note kept in the history.") var note: String?

    func run() throws {
        var params: [String: JSONValue] = ["id": .int(id)]
        if let note { params["note"] = .string(note) }
        showApplication(try global.withClient { try $0.call("application.withdraw", params: params) }, global)
    }
}

struct OfferApplication: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "offer", abstract: "Offer the post to a candidate at interview (needs a national approval).",
        discussion: "Example:\n  talentctl application offer 7 --start-on 2026-06-01 --remuneration-note \\\n      \"Theo chính sách đặc thù\"")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var id: Int64
    @Option(help: "First day in post, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var startOn: String
    @Option(help: "The remuneration offered, as a note.") var remunerationNote: String?

    func run() throws {
        var params: [String: JSONValue] = ["id": .int(id), "start_on": .string(startOn)]
        if let remunerationNote { params["remuneration_note"] = .string(remunerationNote) }
        showApplication(try global.withClient { try $0.call("application.offer", params: params) }, global)
    }
}

struct ApproveOffer: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve-offer", abstract: "Approve an offer (national HR official or admin; not the one who made it).",
        discussion: "Example: talentctl application approve-offer 7")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var id: Int64

    func run() throws {
        showApplication(try global.withClient { try $0.call("application.approve_offer", params: ["id": .int(id)]) }, global)
    }
}

struct AcceptApplication: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept", abstract: "Record that the candidate accepted an approved offer: recruited, with an expert record.",
        discussion: "Example:\n  talentctl application accept 7 (then: talentctl expert show EXPERT_ID)")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var id: Int64

    func run() throws {
        showApplication(try global.withClient { try $0.call("application.accept", params: ["id": .int(id)]) }, global)
    }
}

struct ListApplications: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List a campaign's applications in id order.",
        discussion: """
        One page (--limit, 1 to 500, default 100), the cursor of the next on stderr; with --all, every page.

        Example:
          talentctl application list --campaign MOST-LE-2026 --stage evaluation \\
              --all -o csv
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "The campaign's code.") var campaign: String
    @Option(help: "Only this stage.") var stage: String?
    @OptionGroup var page: PageOptions

    func run() throws {
        var params: [String: JSONValue] = ["campaign": .string(campaign)]
        if let stage { params["stage"] = .string(stage) }
        let (applications, next) = try global.withClient { try global.readPages($0, "application.list", params, items: "applications", page) }
        global.emit(json: global.pageJSON(applications, named: "applications", next: next)) {
            let columns = ["id", "person_id", "person_name", "source", "stage", "reason_code", "submitted_at"]
            var table = Table(headers: columns)
            for a in applications { table.add(columns.map { cell(a[$0], global.missing) }) }
            return table
        }
        global.hintNextPage(next)
    }
}

struct ShowApplication: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show an application with its stage history and the time spent in each stage.",
        discussion: "Example: talentctl application show 7")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The application's id.") var id: Int64

    func run() throws {
        showApplication(try global.withClient { try $0.call("application.get", params: ["id": .int(id)]) }, global)
    }
}

private func showApplication(_ a: JSONValue, _ global: GlobalOptions) {
    global.emit(json: a) {
        var table = fieldTable(a, global.missing, [
            "id", "campaign", "org", "person_id", "person_name", "source", "referred_by", "note", "stage", "reason_code",
            "offer_start_on", "remuneration_note", "offered_by", "offered_at", "offer_approved_by", "offer_approved_at",
            "expert_id", "submitted_by", "submitted_at", "updated_at"])
        for change in a["history"]?.arrayValue ?? [] {
            let note = change["note"].map { ": \(text($0))" } ?? ""
            table.add(["history \(text(change["at"]))", "\(change["from"].map(text) ?? "(new)") → \(text(change["to"])) by \(text(change["by"]))\(note)"])
        }
        for stage in a["time_in_stage"]?.arrayValue ?? [] {
            table.add(["in \(text(stage["stage"]))", "\(text(stage["days"])) days (\(text(stage["seconds"])) s)"])
        }
        return table
    }
}
