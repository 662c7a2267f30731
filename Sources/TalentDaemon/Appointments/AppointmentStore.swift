import GRDB
import TalentStorage
import TalentProtocol

/// The SQL of appointments, bound to one request's transaction or snapshot. Every write goes
/// through `translatingConstraints`, which turns the database's own refusals (triggers, CHECKs)
/// into errors a client can act on, naming the clashing appointment.
struct AppointmentStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    private static let select = """
        SELECT \(Appointment.columns) FROM appointment a JOIN person p ON p.id = a.person_id
        """

    func find(id: Int64) throws -> Appointment? {
        try db.cachedStatement(sql: "\(Self.select) WHERE a.id = ?").firstRow(arguments: [id], Appointment.init)
    }

    func require(id: Int64) throws -> Appointment {
        guard let appointment = try find(id: id) else {
            throw RPCError.notFound("no appointment with id \(id)", details: ["field": "id"])
        }
        return appointment
    }

    /// The org of an appointment, for record scoping (nil: no such appointment).
    func org(id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try String.fetchOne(db.cachedStatement(sql: "SELECT org FROM appointment WHERE id = ?"), arguments: [id])
    }

    /// What a proposal needs of the org and the person it names, in one read inside the shared
    /// commit: the org's kind, which decides the ranks it may use, and the person's name, which the
    /// answer shows (nil: no such org, no such person).
    func parties(org: String, personID: Int64) throws -> (orgKind: OrgKind?, personName: String?) {
        // Read beside every proposal, inside the shared commit: bound and read without GRDB's
        // cursor. A SELECT without FROM gives exactly one row.
        let row = try db.cachedStatement(sql: """
            SELECT (SELECT kind FROM org WHERE code = ?), (SELECT full_name FROM person WHERE id = ?)
            """).firstRow(binding: [org.databaseValue, personID.databaseValue]) ?? [.null, .null]
        return (String.fromDatabaseValue(row[0]).flatMap(OrgKind.init), String.fromDatabaseValue(row[1]))
    }

    struct Filter {
        var org: String?
        var post: AppointmentPost?
        /// With `day`: the status on that day.
        var status: AppointmentStatus?
        var personID: Int64?
        /// Only the appointments in office on `day` (status active on it).
        var inOfficeOnly = false
        var day: String
    }

    /// Appointments matching the filter, in id order, one page.
    func list(_ filter: Filter, _ page: PageRequest) throws -> [Appointment] {
        var conditions = ["a.id > :after"]
        var arguments: [String: DatabaseValueConvertible?] = ["after": page.after, "limit": page.fetchLimit, "day": filter.day]
        if let org = filter.org { conditions.append("a.org = :org"); arguments["org"] = org }
        if let post = filter.post { conditions.append("a.post = :post"); arguments["post"] = post.rawValue }
        if let personID = filter.personID { conditions.append("a.person_id = :person"); arguments["person"] = personID }
        if let status = filter.status { conditions.append(Term.sqlCondition(status, day: ":day")) }
        if filter.inOfficeOnly { conditions.append(Term.sqlCondition(.active, day: ":day")) }
        return try db.makeStatement(sql: """
            \(Self.select) WHERE \(conditions.joined(separator: " AND ")) ORDER BY a.id LIMIT :limit
            """).allRows(arguments: StatementArguments(arguments), Appointment.init)
    }

    struct Proposal: Sendable {
        let org: String
        let post: AppointmentPost
        let program: String?
        let personID: Int64
        let termStart: String
        let termEnd: String?
        let equivalentRank: EquivalentRank
        let decisionRef: String?
        let salaryCoefficient: Coefficient?
    }

    /// Inserts a proposal; `today` only words a clash message.
    func insert(_ p: Proposal, by principal: String, at timestamp: String, today: String) throws -> Int64 {
        try translatingConstraints(id: nil, org: p.org, post: p.post, program: p.program, personID: p.personID,
                                   termStart: p.termStart, termEnd: p.termEnd, endDate: nil, today: today) {
            // Prepared once per connection: compiling it compiles the table's six clash triggers.
            try db.cachedStatement(sql: """
                INSERT INTO appointment(org, post, program, person_id, term_start, term_end, equivalent_rank,
                                        decision_ref, salary_coefficient, state, proposed_by, proposed_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?)
                """).execute(binding: [p.org.databaseValue, p.post.rawValue.databaseValue, p.program.databaseValue,
                                       p.personID.databaseValue, p.termStart.databaseValue, p.termEnd.databaseValue,
                                       p.equivalentRank.rawValue.databaseValue, p.decisionRef.databaseValue,
                                       p.salaryCoefficient?.thousandths.databaseValue ?? .null, principal.databaseValue,
                                       timestamp.databaseValue, timestamp.databaseValue])
        }
        return db.lastInsertedRowID
    }

    func approve(_ a: Appointment, by principal: String, at timestamp: String, today: String) throws {
        try transition(a, today: today, set: "state = 'approved', approved_by = ?, approved_at = ?", [principal, timestamp], at: timestamp)
    }

    func reject(_ a: Appointment, by principal: String, reason: String, at timestamp: String, today: String) throws {
        try transition(a, today: today, set: "state = 'rejected', rejected_by = ?, rejected_at = ?, rejection_reason = ?",
                       [principal, timestamp, reason], at: timestamp)
    }

    func end(_ a: Appointment, on endDate: String, reason: String, at timestamp: String, today: String) throws {
        try transition(a, endDate: endDate, today: today, set: "state = 'ended', end_date = ?, end_reason = ?",
                       [endDate, reason], at: timestamp)
    }

    /// Sets columns of one appointment (a state transition), checked against the invariants.
    private func transition(_ a: Appointment, endDate: String? = nil, today: String,
                            set assignments: String, _ arguments: StatementArguments, at timestamp: String) throws {
        try translatingConstraints(id: a.id, org: a.org, post: a.post, program: a.program, personID: a.personID,
                                   termStart: a.termStart, termEnd: a.termEnd, endDate: endDate ?? a.endDate, today: today) {
            try db.cachedStatement(sql: "UPDATE appointment SET \(assignments), updated_at = ? WHERE id = ?")
                .execute(arguments: arguments + [timestamp, a.id])
        }
    }

    /// A trigger's `appointment_clash:<kind>` becomes `conflict` naming the clashing appointment
    /// (found with the trigger's own condition); a named CHECK becomes `invalid_params` on that field.
    private func translatingConstraints(
        id: Int64?, org: String, post: AppointmentPost, program: String?, personID: Int64,
        termStart: String, termEnd: String?, endDate: String?, today: String, _ body: () throws -> Void
    ) throws {
        do {
            try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            let message = error.message ?? ""
            if let clash = AppointmentClash.allCases.first(where: { message == $0.abortMessage }) {
                let other = try db.makeStatement(sql: """
                    WITH new(id, org, post, program, person_id, term_start, term_end, end_date) AS (VALUES (?, ?, ?, ?, ?, ?, ?, ?))
                    \(Self.select), new WHERE \(clash.condition(new: "new")) ORDER BY a.id LIMIT 1
                    """).firstRow(arguments: [id, org, post.rawValue, program, personID, termStart, termEnd, endDate], Appointment.init)
                throw Self.clashError(clash, other, post: post, today: today)
            }
            if error.extendedResultCode == .SQLITE_CONSTRAINT_CHECK,
               let field = ["term_end", "program", "end_date"].first(where: { message.hasSuffix(": \($0)") }) {
                throw RPCError.invalidParams(field: field, Self.checkMessage(field))
            }
            if error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                throw RPCError.invalidParams(field: "person_id", "person_id: no such person, or org: no such organization")
            }
            throw error
        }
    }

    private static func clashError(_ clash: AppointmentClash, _ other: Appointment?, post: AppointmentPost, today: String) -> RPCError {
        guard let other else {
            return RPCError.conflict("this appointment clashes with another one (\(clash.rawValue)); list the appointments and retry")
        }
        let term = other.termDescription, status = other.status(on: today).rawValue
        let message = switch clash {
        case .post:
            "\(other.org) already has a \(post.rawValue) for \(term): appointment \(other.id) (\(other.personName), \(status)); "
                + "end or reject it, or start this term after it ends"
        case .program:
            "program \"\(other.program ?? "")\" of \(other.org) already has a chief architect for \(term): appointment \(other.id) "
                + "(\(other.personName), \(status)); end or reject it, or start this term after it ends"
        case .person:
            "\(other.personName) already holds \(other.post.rawValue) of \(other.org) for \(term): appointment \(other.id) (\(status)); "
                + "a person holds at most one chief-engineer post at a time"
        }
        return RPCError.conflict(message, details: ["appointment_id": .int(other.id), "clash": .string(clash.rawValue)])
    }

    private static func checkMessage(_ field: String) -> String {
        switch field {
        case "term_end": "term_end must be after term_start"
        case "program": "program is required for chief_architect and not allowed for the chief-engineer posts"
        default: "end_date must be within the term: on or after term_start and on or before term_end"
        }
    }
}
