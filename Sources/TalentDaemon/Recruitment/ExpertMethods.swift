import TalentProtocol

/// `expert.*` and `recruitment.progress`: the experts recruited, and the national target of
/// leading experts in post.
struct ExpertMethods: Sendable {
    static let defaultLimit = 100
    /// `leading_expert_target` from the config (the steering committee's "at least 100").
    let leadingExpertTarget: Int64

    func get(_ call: Call, _ store: ExpertStore) throws -> JSONValue {
        try store.require(id: try call.requiredInt("id")).json(on: call.today)
    }

    /// With `at`: the experts in post on that date. Without: every expert.
    func list(_ call: Call, _ store: ExpertStore) throws -> JSONValue {
        let at = call.date("at")?.description
        let request = try call.page(defaultLimit: Self.defaultLimit)
        let experts = try store.list(org: call.org, tier: try call.optional(CampaignTier.self, "tier"), at: at, request)
        return Page(experts, request, cursor: { String($0.id) }).json("experts") { $0.json(on: at ?? call.today) }
    }

    func end(_ call: Call, _ store: ExpertStore) throws -> Change {
        let expert = try store.require(id: try call.requiredInt("id"))
        if let endOn = expert.endOn {
            throw RPCError.invalidState("expert \(expert.id) already ended on \(endOn)", details: ["end_on": .string(endOn)])
        }
        let endOn = try call.requiredDate("end_on").description
        if endOn < expert.startOn {
            throw RPCError.invalidParams(field: "end_on", "end_on (\(endOn)) must be on or after start_on (\(expert.startOn))")
        }
        try store.end(expert, on: endOn, reason: try call.requiredText("reason"), at: call.timestamp)
        return Change(result: try store.require(id: expert.id).json(on: call.today), target: AuditTarget(type: "expert", id: String(expert.id)))
    }

    static func org(_ store: ExpertStore, _ call: Call) throws -> String? { try store.org(id: call.int("id")) }

    func progress(_ call: Call, _ store: ExpertStore) throws -> JSONValue {
        let day = call.date("at")?.description ?? call.today
        let leading = try store.leadingExperts(on: day)
        let total = leading.reduce(Int64(0)) { $0 + $1.count }
        let overseas = leading.filter(\.overseas).reduce(Int64(0)) { $0 + $1.count }
        var byOrg: [(org: String, domestic: Int64, overseas: Int64)] = []
        for row in leading {
            if byOrg.last?.org != row.org { byOrg.append((row.org, 0, 0)) }
            if row.overseas { byOrg[byOrg.count - 1].overseas += row.count } else { byOrg[byOrg.count - 1].domestic += row.count }
        }
        let counts = Dictionary(uniqueKeysWithValues: try store.pipeline(on: day).map { ($0.stage, $0.count) })
        var campaigns: [(code: String, opensOn: String, days: [Int64])] = []
        for r in try store.recruitments(on: day) {
            if campaigns.last?.code != r.campaign { campaigns.append((r.campaign, r.opensOn, [])) }
            campaigns[campaigns.count - 1].days.append(r.days)
        }
        return [
            "at": .string(day),
            "target": .int(leadingExpertTarget),
            "leading_experts": [
                "in_post": .int(total), "domestic": .int(total - overseas), "overseas": .int(overseas),
                "remaining": .int(max(0, leadingExpertTarget - total)),
                "by_org": .array(byOrg.map { ["org": .string($0.org), "in_post": .int($0.domestic + $0.overseas),
                                              "domestic": .int($0.domestic), "overseas": .int($0.overseas)] }),
            ],
            "pipeline": .array(ApplicationStage.allCases.map { ["stage": .string($0.rawValue), "count": .int(counts[$0.rawValue] ?? 0)] }),
            "campaigns": .array(campaigns.map { c in
                let sorted = c.days.sorted()
                return ["campaign": .string(c.code), "opens_on": .string(c.opensOn), "recruited": .int(Int64(c.days.count)),
                        "days_to_recruit": .array(c.days.map(JSONValue.int)), "min_days": .int(sorted.first!),
                        "median_days": .int(sorted[(sorted.count - 1) / 2]), "max_days": .int(sorted.last!)]
            }),
            "overdue": .array(try store.overdue(on: day).map {
                ["campaign": .string($0.code), "org": .string($0.org), "closes_on": .string($0.closesOn), "openings": .int($0.openings),
                 "recruited": .int($0.recruited), "left": .int($0.openings - $0.recruited)]
            }),
        ]
    }
}
