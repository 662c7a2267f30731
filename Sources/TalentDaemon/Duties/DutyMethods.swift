import TalentProtocol

/// `duty.*`: duties given nationally to organizations with a due date, their status derived on
/// any date (`DutyRule`), completed by the org (manual ones) or by their records (the others).
struct DutyMethods: Sendable {
    static let defaultLimit = 100

    /// What an `orgs` word stands for (nil kinds: every org).
    private static let orgWords: [String: [OrgKind]?] = [
        "all": nil, "ministries": [.ministry, .ministerialAgency], "provinces": [.centralCity, .province],
    ]

    func create(_ call: Call, _ store: DutyStore) throws -> Change {
        let title = try call.requiredText("title")
        let orgs = try resolveOrgs(call, store)
        let dueOn = try call.requiredDate("due_on").description
        let kind = try call.required(DutyKind.self, "kind")
        let target = call.int("target")
        if kind.takesTarget, target == nil {
            throw RPCError.invalidParams(field: "target", "target is required for a \(kind.rawValue) duty: how many \(kind == .nominations ? "nominations" : "experts in post") make it done")
        }
        if !kind.takesTarget, target != nil {
            throw RPCError.invalidParams(field: "target", "target is only for nominations and recruitment duties, not \(kind.rawValue)")
        }
        let roundCode = call.string("target_round")
        var roundID: Int64?
        switch (kind, roundCode) {
        case (.nominations, nil):
            throw RPCError.invalidParams(field: "target_round", "target_round is required for a nominations duty: the code of the award round counted")
        case (.nominations, let code?):
            guard let id = try store.roundID(code: code) else {
                throw RPCError.invalidParams(field: "target_round", "target_round: no award round with code \"\(code)\"; award_round.list shows them")
            }
            roundID = id
        case (_, _?):
            throw RPCError.invalidParams(field: "target_round", "target_round is only for nominations duties, not \(kind.rawValue)")
        case (_, nil):
            break
        }
        let duty = DutyStore.NewDuty(title: title, kind: kind, dueOn: dueOn, responsible: call.text("responsible"), target: target,
                                     targetRoundID: roundID, note: call.text("note"))
        let ids = try store.insert(duty, orgs: orgs, by: call.principalName, at: call.timestamp)
        let created = try ids.map { try store.require(id: $0, at: call.today).json }
        // One write, one audit entry: its target names the whole run of ids (consecutive, one transaction).
        let auditID = ids.count == 1 ? String(ids[0]) : "\(ids[0])..\(ids[ids.count - 1])"
        return Change(result: ["duties": .array(created)], target: AuditTarget(type: "duty", id: auditID))
    }

    func get(_ call: Call, _ store: DutyStore) throws -> JSONValue {
        try store.require(id: try call.requiredInt("id"), at: day(call)).json
    }

    func list(_ call: Call, _ store: DutyStore) throws -> JSONValue {
        let filter = DutyStore.Filter(org: call.org, status: try call.optional(DutyStatus.self, "status"),
                                      kind: try call.optional(DutyKind.self, "kind"), at: day(call))
        let request = try call.page(defaultLimit: Self.defaultLimit)
        return Page(try store.list(filter, request), request, cursor: { String($0.id) }).json("duties") { $0.json }
    }

    func complete(_ call: Call, _ store: DutyStore) throws -> Change {
        let duty = try store.require(id: try call.requiredInt("id"), at: call.today)
        guard duty.kind == .manual else {
            throw RPCError.invalidState("duty \(duty.id) is a \(duty.kind.rawValue) duty: it is done by \(Self.doneBy(duty)), "
                                        + "not by completing it", details: ["kind": .string(duty.kind.rawValue)])
        }
        if let cancelledOn = duty.cancelledOn {
            throw RPCError.invalidState("duty \(duty.id) was cancelled on \(cancelledOn): it cannot be completed",
                                        details: ["status": .string(duty.status.rawValue)])
        }
        if let completedOn = duty.completedOn {
            throw RPCError.invalidState("duty \(duty.id) was already completed on \(completedOn) by \(duty.completedBy ?? "?")",
                                        details: ["status": .string(duty.status.rawValue)])
        }
        try store.complete(id: duty.id, on: call.today, result: try call.requiredText("result"), evidenceRef: call.text("evidence_ref"),
                           by: call.principalName, at: call.timestamp)
        return try changed(call, store, duty.id)
    }

    func cancel(_ call: Call, _ store: DutyStore) throws -> Change {
        let duty = try store.require(id: try call.requiredInt("id"), at: call.today)
        switch duty.status {
        case .cancelled:
            throw RPCError.invalidState("duty \(duty.id) was already cancelled on \(duty.cancelledOn ?? "?")",
                                        details: ["status": .string(duty.status.rawValue)])
        case .done, .doneLate:
            throw RPCError.invalidState("duty \(duty.id) is \(duty.status.rawValue) (done on \(duty.doneOn ?? "?")): "
                                        + "a done duty stays on the record and cannot be cancelled",
                                        details: ["status": .string(duty.status.rawValue)])
        case .open, .late:
            break
        }
        try store.cancel(id: duty.id, on: call.today, reason: try call.requiredText("reason"), by: call.principalName, at: call.timestamp)
        return try changed(call, store, duty.id)
    }

    /// The record's org, for `.record` scoping in the method table.
    static func org(_ store: DutyStore, _ call: Call) throws -> String? {
        try store.org(id: call.int("id"))
    }

    private func day(_ call: Call) -> String { call.date("at")?.description ?? call.today }

    /// The org codes `orgs` names: a word, or a list (each must exist; duplicates once).
    private func resolveOrgs(_ call: Call, _ store: DutyStore) throws -> [String] {
        if let word = call.string("orgs") {
            guard let kinds = Self.orgWords[word] else {
                throw RPCError.invalidParams(field: "orgs", "orgs must be a list of org codes, or one of all, ministries, provinces; not \(word)")
            }
            let codes = try store.orgCodes(kinds: kinds)
            if codes.isEmpty { throw RPCError.invalidParams(field: "orgs", "orgs: there are no \(word) organizations; org.list shows them") }
            return codes
        }
        var seen = Set<String>()
        let codes = (call.strings("orgs") ?? []).filter { seen.insert($0).inserted }
        let unknown = try store.unknownOrgs(codes)
        if !unknown.isEmpty {
            throw RPCError.invalidParams(field: "orgs", "orgs: no organization with code \(unknown.joined(separator: ", ")); org.list shows the codes")
        }
        return codes
    }

    private static func doneBy(_ duty: Duty) -> String {
        switch duty.kind {
        case .chiefEngineers: "its records: both chief-engineer posts held by approved appointments"
        case .nominations: "its records: \(duty.target ?? 0) nominations submitted to \(duty.targetRound ?? "its round")"
        case .recruitment: "its records: \(duty.target ?? 0) experts in post"
        case .manual: "duty.complete"
        }
    }

    private func changed(_ call: Call, _ store: DutyStore, _ id: Int64) throws -> Change {
        Change(result: try store.require(id: id, at: call.today).json, target: AuditTarget(type: "duty", id: String(id)))
    }
}
