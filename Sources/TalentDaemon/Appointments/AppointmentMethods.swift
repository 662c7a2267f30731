import Foundation
import TalentProtocol

/// `appointment.*`: proposing, approving (four-eyes), rejecting and ending chief-engineer and
/// chief-architect appointments, and reading them as of any date.
struct AppointmentMethods: Sendable {
    static let defaultLimit = 100

    private func target(_ id: Int64) -> AuditTarget { AuditTarget(type: "appointment", id: String(id)) }

    func propose(_ call: Call, _ store: AppointmentStore) throws -> Change {
        let proposing = try call.prepared as? Proposing ?? Proposing(try checkedProposal(call), call)
        let proposal = proposing.proposal
        let parties = try store.parties(org: proposal.org, personID: proposal.personID)
        guard let orgKind = parties.orgKind else {
            throw RPCError.invalidParams(field: "org", "org: no organization with code \"\(proposal.org)\"; org.list shows the codes")
        }
        guard let personName = parties.personName else {
            throw RPCError.invalidParams(field: "person_id", "person_id: no person with id \(proposal.personID); person.create registers one")
        }
        if let mismatch = proposal.equivalentRank.mismatch(orgKind: orgKind) {
            throw RPCError.invalidParams(field: "equivalent_rank", "equivalent_rank: \(proposal.org) is \(mismatch)")
        }
        let id = try store.insert(proposal, by: call.principalName, at: call.timestamp, today: call.today)
        return Change(result: proposing.answer.with(["id": .int(id), "person_name": .string(personName)]), target: target(id))
    }

    /// `prepare` of propose: the proposal as the params give it, checked before the shared commit
    /// for all that needs no database.
    @Sendable func proposal(_ call: Call) throws -> any Sendable { Proposing(try checkedProposal(call), call) }

    /// A proposal checked before the shared commit, with its answer but for what the commit learns
    /// (the id, the person's name). The row as inserted, not read back: reading it cost about a
    /// tenth of the committer's work per proposal. `test_a_proposal_answers_the_record_as_stored`
    /// holds the answer to `appointment.get`'s.
    struct Proposing: Sendable {
        let proposal: AppointmentStore.Proposal
        let answer: PreparedAnswer

        init(_ proposal: AppointmentStore.Proposal, _ call: Call) {
            self.proposal = proposal
            answer = PreparedAnswer(Appointment(id: 0, proposal: proposal, personName: "", by: call.principalName,
                                                at: call.timestamp).json(on: call.today))
        }
    }

    private func checkedProposal(_ call: Call) throws -> AppointmentStore.Proposal {
        guard let org = call.org else {
            throw RPCError.invalidParams(field: "org", "org is required: the code of the organization the post belongs to")
        }
        let post = try call.required(AppointmentPost.self, "post")
        let program = call.text("program")
        if post == .chiefArchitect, program == nil {
            throw RPCError.invalidParams(field: "program", "program is required for chief_architect: the strategic program the architect leads")
        }
        if post != .chiefArchitect, program != nil {
            throw RPCError.invalidParams(field: "program", "program is only for chief_architect, not \(post.rawValue)")
        }
        let personID = try call.requiredInt("person_id")
        let termStart = try call.requiredDate("term_start").description
        let termEnd = call.date("term_end")?.description
        if let termEnd, termEnd <= termStart {
            throw RPCError.invalidParams(field: "term_end", "term_end (\(termEnd)) must be after term_start (\(termStart))")
        }
        let rank = try call.required(EquivalentRank.self, "equivalent_rank")
        let salaryCoefficient = try call.string("salary_coefficient").map { raw in
            guard let value = Coefficient(raw), value.thousandths > 0 else {
                throw RPCError.invalidParams(field: "salary_coefficient",
                                             "salary_coefficient must be a positive exact decimal with up to 3 places, as a string (e.g. \"6.2\"), not \(raw)")
            }
            return value
        }
        return AppointmentStore.Proposal(
            org: org, post: post, program: program, personID: personID, termStart: termStart, termEnd: termEnd,
            equivalentRank: rank, decisionRef: call.text("decision_ref"), salaryCoefficient: salaryCoefficient)
    }

    func approve(_ call: Call, _ store: AppointmentStore) throws -> Change {
        let appointment = try requireProposed(call, store, to: "approved")
        // Four-eyes: data-dependent, so here rather than in the method table.
        if appointment.proposedBy == call.principalName {
            throw RPCError.forbidden("four-eyes rule: \(call.principalName) proposed appointment \(appointment.id) and cannot "
                                     + "also approve it; another national hr_official or an admin must approve it")
        }
        try store.approve(appointment, by: call.principalName, at: call.timestamp, today: call.today)
        return try changed(call, store, appointment.id)
    }

    func reject(_ call: Call, _ store: AppointmentStore) throws -> Change {
        let appointment = try requireProposed(call, store, to: "rejected")
        let reason = try call.requiredText("reason")
        try store.reject(appointment, by: call.principalName, reason: reason, at: call.timestamp, today: call.today)
        return try changed(call, store, appointment.id)
    }

    func end(_ call: Call, _ store: AppointmentStore) throws -> Change {
        let appointment = try store.require(id: try call.requiredInt("id"))
        let status = appointment.status(on: call.today)
        if appointment.state == .ended {
            throw RPCError.invalidState("appointment \(appointment.id) was already ended early, on \(appointment.endDate ?? "?") "
                                        + "(status \(status.rawValue)); it cannot be ended again", details: ["status": .string(status.rawValue)])
        }
        guard status == .approved || status == .active else {
            let why = status == .ended ? "its term ended on \(appointment.termEnd ?? "?")" : "only an approved or active appointment can be ended"
            throw RPCError.invalidState("appointment \(appointment.id) is \(status.rawValue): \(why)", details: ["status": .string(status.rawValue)])
        }
        let endDate = try call.requiredDate("end_date").description
        if endDate < appointment.termStart || appointment.termEnd.map({ endDate > $0 }) ?? false {
            let term = "\(appointment.termStart) to \(appointment.termEnd ?? "open end")"
            throw RPCError.invalidParams(field: "end_date", "end_date (\(endDate)) must be within the term, \(term)")
        }
        try store.end(appointment, on: endDate, reason: try call.requiredText("reason"), at: call.timestamp, today: call.today)
        return try changed(call, store, appointment.id)
    }

    func get(_ call: Call, _ store: AppointmentStore) throws -> JSONValue {
        try store.require(id: try call.requiredInt("id")).json(on: call.today)
    }

    /// With `at`: who was in office on that date, each with its status then. Without: statuses today.
    func list(_ call: Call, _ store: AppointmentStore) throws -> JSONValue {
        let at = call.date("at")?.description
        let day = at ?? call.today
        let filter = AppointmentStore.Filter(
            org: call.org, post: try call.optional(AppointmentPost.self, "post"),
            status: try call.optional(AppointmentStatus.self, "status"),
            personID: call.int("person_id"), inOfficeOnly: at != nil, day: day)
        let request = try call.page(defaultLimit: Self.defaultLimit)
        return Page(try store.list(filter, request), request, cursor: { String($0.id) }).json("appointments") { $0.json(on: day) }
    }

    /// The record's org, for `.record` scoping in the method table.
    static func org(_ store: AppointmentStore, _ call: Call) throws -> String? {
        try store.org(id: call.int("id"))
    }

    private func requireProposed(_ call: Call, _ store: AppointmentStore, to outcome: String) throws -> Appointment {
        let appointment = try store.require(id: try call.requiredInt("id"))
        guard appointment.state == .proposed else {
            let status = appointment.status(on: call.today).rawValue
            throw RPCError.invalidState("appointment \(appointment.id) is \(status); only a proposed appointment can be \(outcome)",
                                        details: ["status": .string(status)])
        }
        return appointment
    }

    private func changed(_ call: Call, _ store: AppointmentStore, _ id: Int64) throws -> Change {
        Change(result: try store.require(id: id).json(on: call.today), target: target(id))
    }
}
