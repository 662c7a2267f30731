import Foundation
import TalentProtocol

/// `nomination.*`: ministries and provinces nominate individuals and collectives to an open round;
/// MOST, MPS and MOHA screen them.
struct NominationMethods: Sendable {
    static let defaultLimit = 100

    private func target(_ id: Int64) -> AuditTarget { AuditTarget(type: "nomination", id: String(id)) }

    func submit(_ call: Call, _ store: AwardStore) throws -> Change {
        guard let org = call.org else {
            throw RPCError.invalidParams(field: "org", "org is required: the code of the nominating organization")
        }
        guard try store.orgExists(org) else {
            throw RPCError.invalidParams(field: "org", "org: no organization with code \"\(org)\"; org.list shows the codes")
        }
        let round = try store.requireRound(code: try call.requiredString("round"))
        guard round.state == .open else {
            throw RPCError.invalidState("award round \(round.code) is \(round.state.rawValue); nominations are taken only while it is open",
                                        details: ["state": .string(round.state.rawValue)])
        }
        if call.today < round.opensOn {
            throw RPCError.invalidState("award round \(round.code) takes nominations from \(round.opensOn) (Vietnam time); today is \(call.today)")
        }
        if call.today > round.closesOn {
            throw RPCError.invalidState("award round \(round.code) closed for nominations on \(round.closesOn) (its last day, Vietnam time); "
                                        + "today is \(call.today)", details: ["closes_on": .string(round.closesOn)])
        }
        let categoryKey = try call.requiredString("category")
        guard let category = round.category(categoryKey) else {
            throw RPCError.invalidParams(field: "category", "category: round \(round.code) has no category \"\(categoryKey)\"; "
                                         + "its categories are \(round.categories.map(\.key).joined(separator: ", "))")
        }
        let nominee = call.params["nominee"] ?? .object([:])
        var personID: Int64?, collectiveName: String?, members: [Int64] = []
        switch category.kind {
        case .individual:
            guard let id = nominee["person_id"]?.intValue, nominee["members"] == nil, nominee["name"] == nil else {
                throw RPCError.invalidParams(field: "nominee", "nominee: category \(category.key) is for individuals: give {person_id} only")
            }
            personID = id
        case .collective:
            guard let name = nominee["name"]?.stringValue, let list = nominee["members"]?.arrayValue, nominee["person_id"] == nil else {
                throw RPCError.invalidParams(field: "nominee", "nominee: category \(category.key) is for collectives: give {name, members: [person_id]}")
            }
            collectiveName = NFC.of(name)
            members = list.compactMap(\.intValue)
            if Set(members).count != members.count {
                throw RPCError.invalidParams(field: "nominee.members", "nominee.members lists a person twice")
            }
        }
        let persons = personID.map { [$0] } ?? members
        let names = try store.personNames(persons)
        if let missing = persons.first(where: { names[$0] == nil }) {
            throw RPCError.invalidParams(field: personID == nil ? "nominee.members" : "nominee.person_id",
                                         "no person with id \(missing); person.create registers one")
        }
        for person in persons {
            if let other = try store.liveNomination(round: round, person: person) {
                throw RPCError.conflict("\(names[person]!) (person \(person)) is already nominated in round \(round.code)"
                                        + (other.asMember ? " as a member of" : " by") + " nomination \(other.id) (\(other.org)); "
                                        + "a person is nominated at most once per round",
                                        details: ["nomination_id": .int(other.id), "person_id": .int(person)])
            }
        }
        if let quota = category.quotaPerOrg {
            let used = try store.liveCount(round: round, org: org, category: category.key)
            if used >= quota {
                throw RPCError.conflict("\(org) has used its quota of \(quota) nomination(s) in category \(category.key) of round "
                                        + "\(round.code): \(used) of \(quota); withdraw one to nominate another",
                                        details: ["quota": .int(quota), "used": .int(used)])
            }
        }
        let id = try store.insert(AwardStore.NewNomination(
            round: round, category: category, org: org, personID: personID, collectiveName: collectiveName, members: members,
            citation: try call.requiredText("citation"), achievements: call.params["achievements"] ?? .array([])),
            by: call.principalName, at: call.timestamp)
        return try changed(store, id)
    }

    func withdraw(_ call: Call, _ store: AwardStore) throws -> Change {
        let nomination = try store.requireNomination(id: try call.requiredInt("id"))
        guard nomination.status == .submitted else {
            throw RPCError.invalidState("nomination \(nomination.id) was already withdrawn on \(nomination.withdrawnAt ?? "?")")
        }
        let round = try store.requireRound(code: nomination.roundCode)
        guard round.state == .open else {
            throw RPCError.invalidState("award round \(round.code) is \(round.state.rawValue): a nomination is withdrawn only before the round closes",
                                        details: ["state": .string(round.state.rawValue)])
        }
        try store.withdraw(nomination, reason: try call.requiredText("reason"), by: call.principalName, at: call.timestamp)
        return try changed(store, nomination.id)
    }

    func get(_ call: Call, _ store: AwardStore) throws -> JSONValue {
        let nomination = try store.requireNomination(id: try call.requiredInt("id"))
        return nomination.json(gates: try store.gates([nomination.id])[nomination.id]!)
    }

    func list(_ call: Call, _ store: AwardStore) throws -> JSONValue {
        let round = try store.requireRound(code: try call.requiredString("round"))
        let filter = AwardStore.NominationFilter(round: round, org: call.org, category: call.string("category"),
                                                 status: try call.optional(NominationStatus.self, "status"))
        let request = try call.page(defaultLimit: Self.defaultLimit)
        let page = Page(try store.nominations(filter, request), request, cursor: { String($0.id) })
        let gates = try store.gates(page.items.map(\.id))
        return page.json("nominations") { $0.json(gates: gates[$0.id]!) }
    }

    /// An agency's gate: only a reviewer or hr_official of that agency (or an admin) records it.
    func screen(_ call: Call, _ store: AwardStore) throws -> Change {
        let nomination = try store.requireNomination(id: try call.requiredInt("id"))
        let agency = try call.required(ScreeningAgency.self, "agency")
        if !call.has(.admin), call.principal?.org != agency.rawValue {
            throw RPCError.forbidden("\(call.principalName) (org \(call.principal?.org ?? "none")) cannot record \(agency.rawValue)'s "
                                     + "\(agency.gate) check: only \(agency.rawValue)'s reviewers and HR officials screen for \(agency.rawValue)")
        }
        guard nomination.status == .submitted else {
            throw RPCError.invalidState("nomination \(nomination.id) was withdrawn; it is not screened")
        }
        let round = try store.requireRound(code: nomination.roundCode)
        guard [.open, .closed, .reviewed].contains(round.state) else {
            throw RPCError.invalidState("award round \(round.code) is \(round.state.rawValue): screening ends when the list is submitted",
                                        details: ["state": .string(round.state.rawValue)])
        }
        try store.screen(nomination.id, agency: agency, outcome: try call.required(ScreenOutcome.self, "outcome"),
                         note: try call.requiredText("note"), by: call.principalName, at: call.timestamp)
        return try changed(store, nomination.id)
    }

    /// The record's org, for `.record` scoping in the method table.
    static func org(_ store: AwardStore, _ call: Call) throws -> String? {
        try store.org(nomination: call.int("id"))
    }

    private func changed(_ store: AwardStore, _ id: Int64) throws -> Change {
        let nomination = try store.requireNomination(id: id)
        return Change(result: nomination.json(gates: try store.gates([id])[id]!), target: target(id))
    }
}
