import ArgumentParser
import TalentClient
import TalentProtocol

/// `talentctl appointment ...`: the chief-engineer appointment workflow from a terminal.
struct AppointmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appointment",
        abstract: "Propose, approve, reject, end, list and show chief-engineer and chief-architect appointments.",
        discussion: """
        An appointment is proposed for an org (by its HR official or script), then approved by another, national, HR official or an admin (four-eyes). Its status follows the dates: approved before the term starts, active during it, ended after.

        Examples:
          talentctl appointment propose --org MOHA --post chief_engineer_sti \\
              --person-id 12 --term-start 01/07/2025 --term-end 30/06/2030 \\
              --equivalent-rank director_general
          talentctl appointment approve 7
          talentctl appointment list --org MOHA --status active
          talentctl appointment list --at 2025-12-31 -o csv
        """,
        subcommands: [ProposeAppointment.self, ApproveAppointment.self, RejectAppointment.self, EndAppointment.self,
                      ListAppointments.self, ShowAppointment.self])
}

struct ProposeAppointment: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Propose a person for a post (status proposed).",
        discussion: """
        chief_architect needs --program. Ranks: central bodies take deputy_minister, director_general, deputy_director_general, department_director or deputy_department_director; provinces and cities take provincial_vice_chairman, provincial_department_director or provincial_deputy_department_director.

        Examples:
          talentctl appointment propose --org MOHA --post chief_engineer_ops \\
              --person-id 12 --term-start 2025-07-01 \\
              --equivalent-rank department_director
          talentctl appointment propose --org MOST --post chief_architect \\
              --program "Nền tảng dữ liệu quốc gia" --person-id 40 \\
              --term-start 01/01/2026 --equivalent-rank director_general \\
              --decision-ref 123/QĐ-BKHCN
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl

    @Option(help: "The org's code (default: your principal's org).", completion: .custom(completeOrgCodes), transform: orgCode) var org: String?
    @Option(help: "The post.") var post: AppointmentPostValue
    @Option(help: "The person's id (talentctl person search finds it).") var personId: Int64
    @Option(help: "First day in office, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var termStart: String
    @Option(help: "Last day in office, YYYY-MM-DD or dd/mm/yyyy (omit for an open term).", transform: isoDate) var termEnd: String?
    @Option(help: "The management rank whose regime applies.") var equivalentRank: EquivalentRankValue
    @Option(help: "The strategic program (chief_architect only).") var program: String?
    @Option(help: "Reference of the appointment decision.") var decisionRef: String?
    @Option(help: "The appointee's own salary coefficient, an exact decimal such as 6.2 (paid times the base salary).") var salaryCoefficient: String?

    func run() throws {
        var params: [String: JSONValue] = [
            "post": .string(post.rawValue), "person_id": .int(personId), "term_start": .string(termStart),
            "equivalent_rank": .string(equivalentRank.rawValue),
        ]
        for (name, value) in [("org", org), ("term_end", termEnd), ("program", program), ("decision_ref", decisionRef),
                              ("salary_coefficient", salaryCoefficient)] {
            if let value { params[name] = .string(value) }
        }
        let result = try global.withClient { try $0.call("appointment.propose", params: params) }
        showAppointment(result, global)
    }
}

struct ApproveAppointment: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a proposed appointment (national HR official or admin; not its proposer).",
        discussion: "Example: talentctl appointment approve 7")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The appointment's id.") var id: Int64

    func run() throws {
        let result = try global.withClient { try $0.call("appointment.approve", params: ["id": .int(id)]) }
        showAppointment(result, global)
    }
}

struct RejectAppointment: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject a proposed appointment, saying why.",
        discussion: """
        Example:
          talentctl appointment reject 7 --reason "Chưa đủ điều kiện về thâm niên"
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The appointment's id.") var id: Int64
    @Option(help: "Why it is rejected.") var reason: String

    func run() throws {
        let result = try global.withClient {
            try $0.call("appointment.reject", params: ["id": .int(id), "reason": .string(reason)])
        }
        showAppointment(result, global)
    }
}

struct EndAppointment: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "end",
        abstract: "End an approved or active appointment early; --date is the last day in office.",
        discussion: "Example: talentctl appointment end 7 --date 2026-03-31 --reason \"Nghỉ hưu\"")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The appointment's id.") var id: Int64
    @Option(help: "Last day in office, YYYY-MM-DD or dd/mm/yyyy, within the term.", transform: isoDate) var date: String
    @Option(help: "Why it ends.") var reason: String

    func run() throws {
        let result = try global.withClient {
            try $0.call("appointment.end", params: ["id": .int(id), "end_date": .string(date), "reason": .string(reason)])
        }
        showAppointment(result, global)
    }
}

struct ListAppointments: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List appointments in id order, filtered; --at DATE shows who held what on that date.",
        discussion: """
        A status is as of today: approved means the term has not started. One page (--limit, 1 to 500, default 100), the cursor of the next on stderr; with --all, -o csv or -o json, every page. --watch redraws the table when it changes.

        Examples:
          talentctl appointment list --org MOHA
          talentctl appointment list --status active --post chief_engineer_sti
          talentctl appointment list --at 31/12/2025 -o csv > holders.csv
        """)
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Option(help: "Only this org.", completion: .custom(completeOrgCodes), transform: orgCode) var org: String?
    @Option(help: "Only this post.") var post: AppointmentPostValue?
    @Option(help: "Only this status (as of today).") var status: AppointmentStatusValue?
    @Option(help: "Only this person's appointments.") var personId: Int64?
    @Option(help: "Holders on this date, YYYY-MM-DD or dd/mm/yyyy.", transform: isoDate) var at: String?
    @OptionGroup var page: PageOptions
    @OptionGroup var watch: WatchOptions

    func run() throws {
        try watch.repeating(global) { try listOnce() }
    }

    private func listOnce() throws {
        var params: [String: JSONValue] = [:]
        for (name, value) in [("org", org), ("post", post?.rawValue), ("status", status?.rawValue), ("at", at)] {
            if let value { params[name] = .string(value) }
        }
        if let personId { params["person_id"] = .int(personId) }
        let (appointments, next) = try global.withClient {
            try global.readPages($0, "appointment.list", params, items: "appointments", page)
        }
        let json = global.pageJSON(appointments, named: "appointments", next: next)
        let headers = ["id", "org", "post", "person_id", "person_name", "term_start", "term_end", "end_date", "equivalent_rank", "status"]
        let rows = appointments.map { a in headers.map { a[$0].map(text) ?? "" } }
        global.emit(json: json, headers: headers, rows: rows) {
            var table = Table(headers: ["id", "org", "post", "person", "term", "rank", "status"].map(L10n.word))
            for a in appointments {
                let last = a["end_date"] ?? a["term_end"]
                table.add([text(a["id"]), text(a["org"]), postLabel(a), text(a["person_name"]),
                           "\(text(a["term_start"])) → \(last.map(text) ?? L10n.word("open"))", text(a["equivalent_rank"]), statusCell(text(a["status"]))])
            }
            return table.render()
        }
        global.hintNextPage(next)
    }
}

struct ShowAppointment: TalentctlCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one appointment, with its status as of today.",
        discussion: "Example: talentctl appointment show 7")
    @OptionGroup(visibility: .hidden) var local: GlobalOptions
    @ParentCommand var root: Talentctl
    @Argument(help: "The appointment's id.") var id: Int64

    func run() throws {
        let result = try global.withClient { try $0.call("appointment.get", params: ["id": .int(id)]) }
        showAppointment(result, global)
    }
}

/// The post, with the program for a chief architect.
private func postLabel(_ a: JSONValue) -> String {
    a["program"].map { "\(text(a["post"])) (\(text($0)))" } ?? text(a["post"])
}

private let appointmentFields = [
    "id", "org", "post", "program", "person_id", "person_name", "term_start", "term_end", "equivalent_rank", "decision_ref",
    "salary_coefficient", "status", "proposed_by", "proposed_at", "approved_by", "approved_at", "rejected_by", "rejected_at", "rejection_reason",
    "end_date", "end_reason", "updated_at",
]

/// One appointment as a two-column table (present fields only), a CSV row, or JSON.
private func showAppointment(_ a: JSONValue, _ global: GlobalOptions) {
    global.emit(json: a, headers: appointmentFields, rows: [appointmentFields.map { a[$0].map(text) ?? "" }]) {
        var table = Table(headers: [])
        for field in appointmentFields { if let value = a[field] { table.add([field, text(value)]) } }
        return table.render()
    }
}
