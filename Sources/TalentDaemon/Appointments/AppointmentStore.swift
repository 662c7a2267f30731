import GRDB
import TalentProtocol

/// The SQL of appointments. Every write goes through `translatingConstraints`, which turns the
/// database's own refusals (triggers, CHECKs) into errors a client can act on.
enum AppointmentStore {
    private static let select = """
        SELECT a.*, p.full_name AS person_name FROM appointment a JOIN person p ON p.id = a.person_id
        """

    static func find(_ db: Database, id: Int64) throws -> Appointment? {
        try Appointment.fetchOne(db, sql: "\(select) WHERE a.id = ?", arguments: [id])
    }

    static func require(_ db: Database, id: Int64) throws -> Appointment {
        guard let appointment = try find(db, id: id) else {
            throw RPCError.notFound("no appointment with id \(id)", details: ["field": "id"])
        }
        return appointment
    }

    /// The org of an appointment, for record scoping (nil: no such appointment).
    static func org(_ db: Database, id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try String.fetchOne(db, sql: "SELECT org FROM appointment WHERE id = ?", arguments: [id])
    }

    struct Filter {
        var org: String?
        var post: String?
        var status: String?
        var personID: Int64?
        /// Approved appointments whose effective interval contains this date.
        var at: String?
        var afterID: Int64 = 0
        var limit: Int = 100
    }

    /// Appointments matching the filter, in id order, after `afterID`. `today` decides statuses.
    static func list(_ db: Database, _ filter: Filter, today: String) throws -> [Appointment] {
        var conditions = ["a.id > :after"]
        var arguments: [String: DatabaseValueConvertible?] = ["after": filter.afterID, "limit": filter.limit, "day": today]
        if let org = filter.org { conditions.append("a.org = :org"); arguments["org"] = org }
        if let post = filter.post { conditions.append("a.post = :post"); arguments["post"] = post }
        if let personID = filter.personID { conditions.append("a.person_id = :person"); arguments["person"] = personID }
        if let status = filter.status { conditions.append(Appointment.statusCondition(status)) }
        if let at = filter.at {
            conditions.append("a.state IN ('approved', 'ended') AND a.term_start <= :at AND a.effective_end >= :at")
            arguments["at"] = at
        }
        return try Appointment.fetchAll(db, sql: """
            \(select) WHERE \(conditions.joined(separator: " AND ")) ORDER BY a.id LIMIT :limit
            """, arguments: StatementArguments(arguments))
    }

    struct Proposal {
        let org: String
        let post: String
        let program: String?
        let personID: Int64
        let termStart: String
        let termEnd: String?
        let equivalentRank: String
        let decisionRef: String?
    }

    static func insert(_ db: Database, _ p: Proposal, by principal: String) throws -> Int64 {
        let now = UTCTime.now()
        try translatingConstraints(db, id: nil, org: p.org, post: p.post, program: p.program, personID: p.personID,
                                   termStart: p.termStart, termEnd: p.termEnd, endDate: nil) {
            try db.execute(sql: """
                INSERT INTO appointment(org, post, program, person_id, term_start, term_end, equivalent_rank,
                                        decision_ref, state, proposed_by, proposed_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?)
                """, arguments: [p.org, p.post, p.program, p.personID, p.termStart, p.termEnd, p.equivalentRank,
                                 p.decisionRef, principal, now, now])
        }
        return db.lastInsertedRowID
    }

    /// Sets columns of one appointment (a state transition), checked against the invariants.
    static func update(_ db: Database, _ a: Appointment, endDate: String? = nil,
                       set assignments: String, _ arguments: StatementArguments) throws {
        try translatingConstraints(db, id: a.id, org: a.org, post: a.post, program: a.program, personID: a.personID,
                                   termStart: a.termStart, termEnd: a.termEnd, endDate: endDate ?? a.endDate) {
            try db.execute(sql: "UPDATE appointment SET \(assignments), updated_at = ? WHERE id = ?",
                           arguments: arguments + [UTCTime.now(), a.id])
        }
    }

    /// A trigger's `appointment_clash:<kind>` becomes `conflict` naming the clashing appointment
    /// (found with the trigger's own condition); a named CHECK becomes `invalid_params` on that field.
    private static func translatingConstraints(
        _ db: Database, id: Int64?, org: String, post: String, program: String?, personID: Int64,
        termStart: String, termEnd: String?, endDate: String?, _ body: () throws -> Void
    ) throws {
        do {
            try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            let message = error.message ?? ""
            if let clash = AppointmentClash.allCases.first(where: { message == $0.abortMessage }) {
                let other = try Appointment.fetchOne(db, sql: """
                    WITH new(id, org, post, program, person_id, term_start, term_end, end_date) AS (VALUES (?, ?, ?, ?, ?, ?, ?, ?))
                    \(select), new WHERE \(clash.condition(new: "new")) ORDER BY a.id LIMIT 1
                    """, arguments: [id, org, post, program, personID, termStart, termEnd, endDate])
                throw clashError(clash, other, post: post)
            }
            if error.extendedResultCode == .SQLITE_CONSTRAINT_CHECK,
               let field = ["term_end", "program", "end_date"].first(where: { message.hasSuffix(": \($0)") }) {
                throw RPCError.invalidParams(field: field, checkMessage(field))
            }
            if error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                throw RPCError.invalidParams(field: "person_id", "person_id: no such person, or org: no such organization")
            }
            throw error
        }
    }

    private static func clashError(_ clash: AppointmentClash, _ other: Appointment?, post: String) -> RPCError {
        guard let other else {
            return RPCError.conflict("this appointment clashes with another one (\(clash.rawValue)); list the appointments and retry")
        }
        let term = "\(other.termStart) to \(other.effectiveEnd == Appointment.openEnd ? "open end" : other.effectiveEnd)"
        let message = switch clash {
        case .post:
            "\(other.org) already has a \(post) for \(term): appointment \(other.id) (\(other.personName), \(other.status(on: VietnamCalendar.today()))); "
                + "end or reject it, or start this term after it ends"
        case .program:
            "program \"\(other.program ?? "")\" of \(other.org) already has a chief architect for \(term): appointment \(other.id) "
                + "(\(other.personName), \(other.status(on: VietnamCalendar.today()))); end or reject it, or start this term after it ends"
        case .person:
            "\(other.personName) already holds \(other.post) of \(other.org) for \(term): appointment \(other.id) (\(other.status(on: VietnamCalendar.today()))); "
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
