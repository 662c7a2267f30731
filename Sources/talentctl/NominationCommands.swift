import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl nomination ...`: an org's nominations to an award round, and the agencies' screening.
struct NominationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nomination",
        abstract: "Submit, withdraw, list, show and screen award nominations.",
        discussion: """
        Examples:
          talentctl nomination submit --round AW-2026 --category ind --org MOF \\
              --person-id 12 --citation "Chuyển đổi số ngành tài chính" \\
              --achievement "2024:Hóa đơn điện tử"
          talentctl nomination submit --round AW-2026 --category col --org MOF \\
              --collective "Nhóm Thuế số" --member 14 --member 15 \\
              --citation "Hệ thống thuế số"
          talentctl nomination list --round AW-2026 --org MOF
          talentctl nomination screen 4 --agency MPS --outcome pass \\
              --note "Đã thẩm tra an ninh"
        In bulk from a JSON lines file of nomination.submit requests: talentctl batch --idempotent nominations.jsonl
        """,
        subcommands: [SubmitNomination.self, WithdrawNomination.self, ListNominations.self, ShowNomination.self, ScreenNomination.self])
}

private let nominationFields = ["id", "round", "category", "kind", "org", "nominee", "citation", "achievements", "status", "gates",
                                "screens", "submitted_by", "submitted_at", "withdrawn_by", "withdrawn_at", "withdraw_reason",
                                "outcome", "decision_ref", "updated_at"]

/// The nominee as one cell: "Name (#12)" or "Collective: A (#14), B (#15)".
private func nomineeLabel(_ n: JSONValue?) -> String {
    guard let nominee = n?["nominee"] else { return "-" }
    if let members = nominee["members"]?.arrayValue {
        return "\(text(nominee["name"])): " + members.map { "\(text($0["name"])) (#\(text($0["person_id"])))" }.joined(separator: ", ")
    }
    return "\(text(nominee["name"])) (#\(text(nominee["person_id"])))"
}

private func gatesLabel(_ n: JSONValue) -> String {
    let g = n["gates"]
    return "merit \(text(g?["merit"])), security \(text(g?["security"])), personnel \(text(g?["personnel"]))"
}

private func showNomination(_ n: JSONValue, _ global: GlobalOptions) {
    global.emit(json: n, rows: {
        if global.format == .csv {
            var table = Table(headers: nominationFields)
            table.add(nominationFields.map { cell(n[$0], global.missing) })
            return table
        }
        var table = fieldTable(n, global.missing, nominationFields.filter { !["nominee", "gates", "screens"].contains($0) })
        table.add(["nominee", nomineeLabel(n)])
        table.add(["gates", gatesLabel(n)])
        for screen in n["screens"]?.arrayValue ?? [] {
            table.add(["screen \(text(screen["agency"]))", "\(text(screen["outcome"])): \(text(screen["note"])) (\(text(screen["screened_by"])))"])
        }
        return table
    })
}

struct SubmitNomination: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Nominate a person (--person-id) or a collective (--collective with --member ...).")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "The round's code.") var round: String
    @Option(help: "The category's key.") var category: String
    @Option(help: "The nominating org (default: your principal's org).", transform: orgCode) var org: String?
    @Option(help: "The nominee, in an individual category.") var personId: Int64?
    @Option(help: "The collective's name, in a collective category.") var collective: String?
    @Option(help: "A member's person id (repeatable).") var member: [Int64] = []
    @Option(help: "The citation.") var citation: String
    @Option(help: "YEAR:TITLE (repeatable).") var achievement: [String] = []
    @Option(help: "Makes a retry safe (see talentctl batch).") var idempotencyKey: String?

    func run() throws {
        var nominee: [String: JSONValue] = [:]
        if let personId { nominee["person_id"] = .int(personId) }
        if let collective { nominee["name"] = .string(collective); nominee["members"] = .array(member.map { .int($0) }) }
        let achievements = try achievement.map { spec -> JSONValue in
            let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let year = Int64(parts[0]) else { throw ValidationError("--achievement \(spec): expected YEAR:TITLE") }
            return .object(["year": .int(year), "title": .string(parts[1])])
        }
        var params: [String: JSONValue] = ["round": .string(round), "category": .string(category), "nominee": .object(nominee),
                                           "citation": .string(citation), "achievements": .array(achievements)]
        if let org { params["org"] = .string(org) }
        if let idempotencyKey { params["idempotency_key"] = .string(idempotencyKey) }
        showNomination(try global.withClient { try $0.call("nomination.submit", params: params) }, global)
    }
}

struct WithdrawNomination: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "withdraw", abstract: "Withdraw a nomination before the round closes.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The nomination's id.") var id: Int64
    @Option(help: "Why.") var reason: String

    func run() throws {
        showNomination(try global.withClient {
            try $0.call("nomination.withdraw", params: ["id": .int(id), "reason": .string(reason)])
        }, global)
    }
}

struct ShowNomination: TalentctlCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one nomination with its gates.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The nomination's id.") var id: Int64

    func run() throws {
        showNomination(try global.withClient { try $0.call("nomination.get", params: ["id": .int(id)]) }, global)
    }
}

struct ListNominations: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "A round's nominations in id order (an org sees its own).")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "The round's code.") var round: String
    @Option(help: "Only this org.", transform: orgCode) var org: String?
    @Option(help: "Only this category.") var category: String?
    @Option(help: "submitted or withdrawn.") var status: String?
    @OptionGroup var page: PageOptions

    func run() throws {
        var params: [String: JSONValue] = ["round": .string(round)]
        for (name, value) in [("org", org), ("category", category), ("status", status)] { if let value { params[name] = .string(value) } }
        let (nominations, next) = try global.withClient { try global.readPages($0, "nomination.list", params, items: "nominations", page) }
        global.emit(json: global.pageJSON(nominations, named: "nominations", next: next), rows: {
            var table = Table(headers: ["id", "org", "category", "nominee", "status", "gates"])
            for n in nominations {
                table.add([text(n["id"]), text(n["org"]), text(n["category"]), nomineeLabel(n), text(n["status"]), gatesLabel(n)])
            }
            return table
        })
        global.hintNextPage(next)
    }
}

struct ScreenNomination: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen", abstract: "Record your agency's gate: MOST merit, MPS security, MOHA personnel.")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The nomination's id.") var id: Int64
    @Option(help: "MOST, MPS or MOHA: your own org.") var agency: String
    @Option(help: "pass or fail.") var outcome: String
    @Option(help: "What was checked, or why it failed.") var note: String

    func run() throws {
        showNomination(try global.withClient {
            try $0.call("nomination.screen", params: ["id": .int(id), "agency": .string(agency), "outcome": .string(outcome),
                                                      "note": .string(note)])
        }, global)
    }
}
