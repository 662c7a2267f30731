import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl duty ...`: duties given to organizations with a due date, and their lateness.
struct DutyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duty",
        abstract: "Give, list, show, complete and cancel duties with due dates; see which are late.",
        discussion: """
        A duty is given nationally to one or more orgs, one duty each. Its status is derived on any date (--at): open, done, late (past its due date, not done), done_late, or cancelled. chief_engineers, nominations and recruitment duties are done by the records (appointments, nominations, experts) on their own dates; manual ones by `talentctl duty complete`.

        Examples:
          talentctl duty create --title "Chọn kỹ sư trưởng" --orgs all \\
              --kind chief_engineers --due-on 31/12/2025
          talentctl duty list --status late
          talentctl duty list --org MOH --at 2025-12-31 -o csv
          talentctl duty complete 12 --result "Đã ban hành quy chế"
        """,
        subcommands: [CreateDuty.self, ListDuties.self, ShowDuty.self, CompleteDuty.self, CancelDuty.self])
}

enum DutyKindValue: String, CaseIterable, ExpressibleByArgument {
    case chief_engineers, nominations, recruitment, manual
}

enum DutyStatusValue: String, CaseIterable, ExpressibleByArgument {
    case open, done, late, done_late, cancelled
}

enum DutyOrgsWord: String, CaseIterable, ExpressibleByArgument {
    case all, ministries, provinces
}

struct CreateDuty: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Give a duty to orgs (national HR official or admin): one duty per org.",
        discussion: """
        --org CODE (repeatable), or --orgs all|ministries|provinces. nominations needs --target and --target-round; recruitment needs --target (experts in post at once).

        Examples:
          talentctl duty create --title "Đề cử khen thưởng" --orgs ministries \\
              --kind nominations --target 2 --target-round AW-2026 \\
              --due-on 2026-04-30 --responsible "Vụ trưởng Vụ TCCB"
          talentctl duty create --title "Báo cáo nhân lực số" --org moh \\
              --org mof --kind manual --due-on 30/06/2026
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Option(help: "What is to be done.") var title: String
    @Option(help: "An org's code (repeatable).", completion: .custom(completeOrgCodes), transform: orgCode) var org: [String] = []
    @Option(help: "Every org of a group instead of --org: all, ministries or provinces.") var orgs: DutyOrgsWord?
    @Option(help: "The due date, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var dueOn: String
    @Option(help: "What makes it done: chief_engineers, nominations, recruitment or manual.") var kind: DutyKindValue
    @Option(help: "Who is responsible: a role or a person's name.") var responsible: String?
    @Option(help: "nominations and recruitment: how many.") var target: Int64?
    @Option(help: "nominations: the award round's code.") var targetRound: String?
    @Option(help: "A note.") var note: String?

    func validate() throws {
        if org.isEmpty == (orgs == nil) { throw ValidationError("give either --org (repeatable) or --orgs all|ministries|provinces") }
    }

    func run() throws {
        var params: [String: JSONValue] = [
            "title": .string(title), "due_on": .string(dueOn), "kind": .string(kind.rawValue),
            "orgs": orgs.map { .string($0.rawValue) } ?? .array(org.map(JSONValue.string)),
        ]
        for (name, value) in [("responsible", responsible), ("target_round", targetRound), ("note", note)] {
            if let value { params[name] = .string(value) }
        }
        if let target { params["target"] = .int(target) }
        let result = try global.withClient { try $0.call("duty.create", params: params) }
        showDuties(result["duties"]?.arrayValue ?? [], global)
    }
}

struct ListDuties: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List duties in id order with their status on a date (default today).",
        discussion: """
        One page (--limit, 1 to 500, default 100), the cursor of the next on stderr; with --all, -o csv or -o json, every page. An org's principal sees its own org's duties only.

        Examples:
          talentctl duty list --status late
          talentctl duty list --org MOH --kind manual
          talentctl duty list --at 31/12/2025 --all -o csv > duties.csv
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "Only this org.", completion: .custom(completeOrgCodes), transform: orgCode) var org: String?
    @Option(help: "Only this status on the date.") var status: DutyStatusValue?
    @Option(help: "Only this kind.") var kind: DutyKindValue?
    @Option(help: "The date statuses are derived on, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var at: String?
    @OptionGroup var page: PageOptions

    func run() throws {
        var params: [String: JSONValue] = [:]
        for (name, value) in [("org", org), ("status", status?.rawValue), ("kind", kind?.rawValue), ("at", at)] {
            if let value { params[name] = .string(value) }
        }
        let (duties, next) = try global.withClient { try global.readPages($0, "duty.list", params, items: "duties", page) }
        showDuties(duties, global, next: next)
        global.hintNextPage(next)
    }
}

struct ShowDuty: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one duty with its status on a date (default today).",
        discussion: """
        Examples:
          talentctl duty show 12
          talentctl duty show 12 --at 2025-12-31
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The duty's id.") var id: Int64
    @Option(help: "The date its status is derived on, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var at: String?

    func run() throws {
        var params: [String: JSONValue] = ["id": .int(id)]
        if let at { params["at"] = .string(at) }
        let result = try global.withClient { try $0.call("duty.get", params: params) }
        showDuty(result, global)
    }
}

struct CompleteDuty: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete",
        abstract: "Mark a manual duty done today, saying what was done (its org, or national).",
        discussion: """
        Example:
          talentctl duty complete 12 --result "Đã ban hành quy chế" \\
              --evidence-ref "QĐ 15/QĐ-BYT"
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The duty's id.") var id: Int64
    @Option(help: "What was done.") var result: String
    @Option(help: "Where the evidence is: a decision or document reference.") var evidenceRef: String?

    func run() throws {
        var params: [String: JSONValue] = ["id": .int(id), "result": .string(result)]
        if let evidenceRef { params["evidence_ref"] = .string(evidenceRef) }
        let duty = try global.withClient { try $0.call("duty.complete", params: params) }
        showDuty(duty, global)
    }
}

struct CancelDuty: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a duty that is not done (national HR official or admin).",
        discussion: """
        Example:
          talentctl duty cancel 12 --reason "Giao trùng nhiệm vụ 9"
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The duty's id.") var id: Int64
    @Option(help: "Why it is cancelled.") var reason: String

    func run() throws {
        let duty = try global.withClient { try $0.call("duty.cancel", params: ["id": .int(id), "reason": .string(reason)]) }
        showDuty(duty, global)
    }
}

private let dutyColumns = ["id", "org", "kind", "title", "due_on", "status", "done_on", "days_late", "responsible", "target",
                           "target_round", "at"]

/// Duties as a table, CSV rows (every column) or JSON.
private func showDuties(_ duties: [JSONValue], _ global: GlobalOptions, next: String? = nil) {
    let json = global.pageJSON(duties, named: "duties", next: next)
    let rows = duties.map { d in dutyColumns.map { d[$0].map(text) ?? "" } }
    global.emit(json: json, headers: dutyColumns, rows: rows) {
        var table = Table(headers: ["id", "org", "kind", "title", "due", "status", "done", "days late"].map(L10n.word))
        for d in duties {
            table.add([text(d["id"]), text(d["org"]), text(d["kind"]), text(d["title"]), text(d["due_on"]),
                       statusCell(text(d["status"])), text(d["done_on"]), text(d["days_late"])])
        }
        return table.render()
    }
}

private let dutyFields = dutyColumns + [
    "note", "created_by", "created_at", "completed_on", "completed_by", "result", "evidence_ref", "cancelled_on",
    "cancelled_by", "cancel_reason", "late_recorded_seq", "updated_at",
]

/// One duty as a two-column table (present fields only), a CSV row, or JSON.
private func showDuty(_ d: JSONValue, _ global: GlobalOptions) {
    global.emit(json: d, headers: dutyFields, rows: [dutyFields.map { d[$0].map(text) ?? "" }]) {
        var table = Table(headers: [])
        for field in dutyFields { if let value = d[field], value != .null { table.add([field, text(value)]) } }
        return table.render()
    }
}
