import Foundation
import GRDB
import TalentProtocol

/// `appointment.*`: proposing, approving (four-eyes), rejecting and ending chief-engineer and
/// chief-architect appointments, and reading them as of any date.
struct AppointmentMethods: Sendable {
    static let maxLimit = 500

    private func target(_ id: Int64) -> AuditTarget { AuditTarget(type: "appointment", id: String(id)) }

    func propose(_ call: Call, _ db: Database) throws -> Change {
        guard let org = call.org else {
            throw RPCError.invalidParams(field: "org", "org is required: the code of the organization the post belongs to")
        }
        guard let orgKind = try String.fetchOne(db, sql: "SELECT kind FROM org WHERE code = ?", arguments: [org]) else {
            throw RPCError.invalidParams(field: "org", "org: no organization with code \"\(org)\"; org.list shows the codes")
        }
        let post = try call.requiredString("post")
        let program = call.string("program")?.precomposedStringWithCanonicalMapping
        if post == "chief_architect", program == nil {
            throw RPCError.invalidParams(field: "program", "program is required for chief_architect: the strategic program the architect leads")
        }
        if post != "chief_architect", program != nil {
            throw RPCError.invalidParams(field: "program", "program is only for chief_architect, not \(post)")
        }
        let personID = try call.requiredInt("person_id")
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM person WHERE id = ?", arguments: [personID]) != nil else {
            throw RPCError.invalidParams(field: "person_id", "person_id: no person with id \(personID); person.create registers one")
        }
        let termStart = try call.requiredDate("term_start").description
        let termEnd = call.date("term_end")?.description
        if let termEnd, termEnd <= termStart {
            throw RPCError.invalidParams(field: "term_end", "term_end (\(termEnd)) must be after term_start (\(termStart))")
        }
        let rank = try call.requiredString("equivalent_rank")
        if let mismatch = EquivalentRank.mismatch(rank: rank, orgKind: orgKind) {
            throw RPCError.invalidParams(field: "equivalent_rank", "equivalent_rank: \(org) is \(mismatch)")
        }
        let proposal = AppointmentStore.Proposal(
            org: org, post: post, program: program, personID: personID, termStart: termStart, termEnd: termEnd,
            equivalentRank: rank, decisionRef: call.string("decision_ref")?.precomposedStringWithCanonicalMapping)
        let id = try AppointmentStore.insert(db, proposal, by: call.principalName)
        return Change(result: try AppointmentStore.require(db, id: id).json(today: VietnamCalendar.today()), target: target(id))
    }

    func approve(_ call: Call, _ db: Database) throws -> Change {
        let appointment = try requireProposed(call, db, to: "approved")
        // Four-eyes: data-dependent, so here rather than in the method table.
        if appointment.proposedBy == call.principalName {
            throw RPCError.forbidden("four-eyes rule: \(call.principalName) proposed appointment \(appointment.id) and cannot "
                                     + "also approve it; another national hr_official or an admin must approve it")
        }
        try AppointmentStore.update(db, appointment, set: "state = 'approved', approved_by = ?, approved_at = ?",
                                    [call.principalName, UTCTime.now()])
        return try changed(db, appointment.id)
    }

    func reject(_ call: Call, _ db: Database) throws -> Change {
        let appointment = try requireProposed(call, db, to: "rejected")
        let reason = try call.requiredString("reason").precomposedStringWithCanonicalMapping
        try AppointmentStore.update(db, appointment, set: "state = 'rejected', rejected_by = ?, rejected_at = ?, rejection_reason = ?",
                                    [call.principalName, UTCTime.now(), reason])
        return try changed(db, appointment.id)
    }

    func end(_ call: Call, _ db: Database) throws -> Change {
        let appointment = try AppointmentStore.require(db, id: try call.requiredInt("id"))
        let today = VietnamCalendar.today()
        let status = appointment.status(on: today)
        if appointment.state == "ended" {
            throw RPCError.invalidState("appointment \(appointment.id) was already ended early, on \(appointment.endDate ?? "?") "
                                        + "(status \(status)); it cannot be ended again", details: ["status": .string(status)])
        }
        guard status == "approved" || status == "active" else {
            let why = status == "ended" ? "its term ended on \(appointment.termEnd ?? "?")" : "only an approved or active appointment can be ended"
            throw RPCError.invalidState("appointment \(appointment.id) is \(status): \(why)", details: ["status": .string(status)])
        }
        let endDate = try call.requiredDate("end_date").description
        if endDate < appointment.termStart || appointment.termEnd.map({ endDate > $0 }) ?? false {
            let term = "\(appointment.termStart) to \(appointment.termEnd ?? "open end")"
            throw RPCError.invalidParams(field: "end_date", "end_date (\(endDate)) must be within the term, \(term)")
        }
        let reason = try call.requiredString("reason").precomposedStringWithCanonicalMapping
        try AppointmentStore.update(db, appointment, endDate: endDate, set: "state = 'ended', end_date = ?, end_reason = ?",
                                    [endDate, reason])
        return try changed(db, appointment.id)
    }

    func get(_ call: Call, _ db: Database) throws -> JSONValue {
        try AppointmentStore.require(db, id: try call.requiredInt("id")).json(today: VietnamCalendar.today())
    }

    func list(_ call: Call, _ db: Database) throws -> JSONValue {
        let today = VietnamCalendar.today()
        var filter = AppointmentStore.Filter(org: call.org, post: call.string("post"), status: call.string("status"),
                                             personID: call.int("person_id"), at: call.date("at")?.description)
        filter.limit = Int(call.int("limit") ?? 100) + 1  // one more tells whether a next page exists
        if let cursor = call.string("cursor") {
            guard let afterID = Int64(cursor) else {
                throw RPCError.invalidParams(field: "cursor", "cursor: pass next_cursor from the previous page unchanged")
            }
            filter.afterID = afterID
        }
        var page = try AppointmentStore.list(db, filter, today: today)
        var result: [String: JSONValue] = [:]
        if page.count == filter.limit {
            page.removeLast()
            result["next_cursor"] = .string(String(page.last!.id))
        }
        result["appointments"] = .array(page.map { $0.json(today: today) })
        return .object(result)
    }

    /// The record's org, for `.record` scoping in the method table.
    static func org(_ db: Database, _ call: Call) throws -> String? {
        try AppointmentStore.org(db, id: call.int("id"))
    }

    private func requireProposed(_ call: Call, _ db: Database, to outcome: String) throws -> Appointment {
        let appointment = try AppointmentStore.require(db, id: try call.requiredInt("id"))
        guard appointment.state == "proposed" else {
            let status = appointment.status(on: VietnamCalendar.today())
            throw RPCError.invalidState("appointment \(appointment.id) is \(status); only a proposed appointment can be \(outcome)",
                                        details: ["status": .string(status)])
        }
        return appointment
    }

    private func changed(_ db: Database, _ id: Int64) throws -> Change {
        Change(result: try AppointmentStore.require(db, id: id).json(today: VietnamCalendar.today()), target: target(id))
    }
}
