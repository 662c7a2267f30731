import Foundation
import TalentProtocol

/// `campaign.*`: recruitment campaigns, their rubric, their evaluators and their ranking.
struct CampaignMethods: Sendable {
    static let defaultLimit = 100

    private func target(_ code: String) -> AuditTarget { AuditTarget(type: "campaign", id: code) }

    func create(_ call: Call, _ store: CampaignStore) throws -> Change {
        guard let org = call.org else {
            throw RPCError.invalidParams(field: "org", "org is required: the code of the organization that recruits")
        }
        guard try store.orgExists(org) else {
            throw RPCError.invalidParams(field: "org", "org: no organization with code \"\(org)\"; org.list shows the codes")
        }
        let opensOn = try call.requiredDate("opens_on").description
        let closesOn = try call.requiredDate("closes_on").description
        if closesOn < opensOn {
            throw RPCError.invalidParams(field: "closes_on", "closes_on (\(closesOn)) must be on or after opens_on (\(opensOn))")
        }
        let draft = CampaignStore.Draft(
            code: try call.requiredString("code"), title: try call.requiredText("title"), org: org,
            tier: try call.required(CampaignTier.self, "tier"), fields: call.strings("fields") ?? [],
            openings: try call.requiredInt("openings"), opensOn: opensOn, closesOn: closesOn,
            minEvaluators: call.int("min_evaluators") ?? 1, criteria: try Self.criteria(call))
        try store.insert(draft, by: call.principalName, at: call.timestamp)
        return try changed(store, draft.code)
    }

    /// The rubric: keys unique, every score range sound (the contract bounds the numbers).
    static func criteria(_ call: Call) throws -> [Criterion] {
        let items = call.params["criteria"]?.arrayValue ?? []
        if items.isEmpty { throw RPCError.invalidParams(field: "criteria", "criteria: at least one criterion is required") }
        var seen = Set<String>()
        return try items.map { item in
            let key = item["key"]?.stringValue ?? ""
            guard seen.insert(key).inserted else {
                throw RPCError.invalidParams(field: "criteria", "criteria: key \"\(key)\" appears twice; keys name criteria in scores")
            }
            let maxScore = item["max_score"]?.intValue ?? 0
            let minScore = item["min_score"]?.intValue
            if let minScore, minScore > maxScore {
                throw RPCError.invalidParams(field: "criteria", "criteria \"\(key)\": min_score (\(minScore)) exceeds max_score (\(maxScore))")
            }
            return Criterion(key: key, title: NFC.of(item["title"]?.stringValue ?? key),
                             weight: item["weight"]?.intValue ?? 1, maxScore: maxScore, minScore: minScore)
        }
    }

    func open(_ call: Call, _ store: CampaignStore) throws -> Change {
        try transition(call, store, from: [.draft], to: .open)
    }

    func close(_ call: Call, _ store: CampaignStore) throws -> Change {
        try transition(call, store, from: [.open], to: .closed)
    }

    func cancel(_ call: Call, _ store: CampaignStore) throws -> Change {
        try transition(call, store, from: [.draft, .open, .closed], to: .cancelled, reason: try call.requiredText("reason"))
    }

    private func transition(_ call: Call, _ store: CampaignStore, from: [CampaignState], to state: CampaignState,
                            reason: String? = nil) throws -> Change {
        let campaign = try store.require(code: try call.requiredString("code"))
        guard from.contains(campaign.state) else {
            let states = from.map(\.rawValue).joined(separator: " or ")
            throw RPCError.invalidState("campaign \(campaign.code) is \(campaign.state.rawValue); only \(states.first == "o" ? "an" : "a") "
                                        + "\(states) campaign can become \(state.rawValue)",
                                        details: ["state": .string(campaign.state.rawValue)])
        }
        try store.setState(campaign, state, by: call.principalName, reason: reason, at: call.timestamp)
        return try changed(store, campaign.code)
    }

    func get(_ call: Call, _ store: CampaignStore) throws -> JSONValue {
        try detail(store, try call.requiredString("code"))
    }

    /// A campaign with its evaluators' names.
    private func detail(_ store: CampaignStore, _ code: String) throws -> JSONValue {
        let campaign = try store.require(code: code)
        guard case .object(var object) = campaign.json(recruited: try store.recruited(campaignID: campaign.id)) else { return .null }
        object["evaluators"] = .array(try store.evaluators(campaignID: campaign.id).map(JSONValue.string))
        return .object(object)
    }

    func list(_ call: Call, _ store: CampaignStore) throws -> JSONValue {
        let filter = CampaignStore.Filter(org: call.org, state: try call.optional(CampaignState.self, "state"),
                                          tier: try call.optional(CampaignTier.self, "tier"))
        let request = try call.page(defaultLimit: Self.defaultLimit)
        return Page(try store.list(filter, request), request, cursor: { String($0.0.id) }).json("campaigns") { $0.0.json(recruited: $0.1) }
    }

    func assignEvaluator(_ call: Call, _ store: CampaignStore) throws -> Change {
        let (campaign, evaluator, name) = try evaluatorParams(call, store)
        guard evaluator.roles.contains(Role.evaluator.rawValue) else {
            throw RPCError.invalidParams(field: "principal", "principal \(name) does not hold the evaluator role; "
                                         + "principal.update {name, roles} grants it")
        }
        if try store.isAssigned(campaignID: campaign.id, principalID: evaluator.id) {
            throw RPCError.conflict("\(name) is already an evaluator of campaign \(campaign.code)", details: ["field": "principal"])
        }
        guard [.draft, .open, .closed].contains(campaign.state) else {
            throw RPCError.invalidState("campaign \(campaign.code) is \(campaign.state.rawValue): its evaluation is over",
                                        details: ["state": .string(campaign.state.rawValue)])
        }
        try store.assign(campaignID: campaign.id, principalID: evaluator.id, by: call.principalName, at: call.timestamp)
        return Change(result: try detail(store, campaign.code), target: target(campaign.code))
    }

    func unassignEvaluator(_ call: Call, _ store: CampaignStore) throws -> Change {
        let (campaign, evaluator, name) = try evaluatorParams(call, store)
        guard try store.isAssigned(campaignID: campaign.id, principalID: evaluator.id) else {
            throw RPCError.notFound("\(name) is not an evaluator of campaign \(campaign.code)", details: ["field": "principal"])
        }
        // Evaluations already submitted stay: they were made while assigned.
        try store.unassign(campaignID: campaign.id, principalID: evaluator.id)
        return Change(result: try detail(store, campaign.code), target: target(campaign.code))
    }

    private func evaluatorParams(_ call: Call, _ store: CampaignStore) throws -> (Campaign, (id: Int64, roles: [String], personID: Int64?), String) {
        let campaign = try store.require(code: try call.requiredString("campaign"), field: "campaign")
        let name = try call.requiredString("principal")
        guard let evaluator = try store.principal(name: name) else {
            throw RPCError.notFound("no principal named \(name)", details: ["field": "principal"])
        }
        return (campaign, evaluator, name)
    }

    /// The record's org, for `.record` scoping: the campaign named by `code`.
    static func org(_ store: CampaignStore, _ call: Call) throws -> String? { try store.org(code: call.string("code")) }

    /// The org of the campaign named by the `campaign` param.
    static func campaignParamOrg(_ store: CampaignStore, _ call: Call) throws -> String? { try store.org(code: call.string("campaign")) }

    private func changed(_ store: CampaignStore, _ code: String) throws -> Change {
        let campaign = try store.require(code: code)
        return Change(result: campaign.json(recruited: try store.recruited(campaignID: campaign.id)), target: target(code))
    }
}
