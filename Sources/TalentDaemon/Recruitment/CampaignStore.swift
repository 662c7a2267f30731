import Foundation
import GRDB
import TalentProtocol

/// The SQL of campaigns, their rubrics and their evaluators.
struct CampaignStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    func find(code: String) throws -> Campaign? {
        // Prepared once per connection: every application.submit of a bulk load looks its campaign up.
        guard var campaign = try Campaign.fetchOne(db.cachedStatement(sql: "SELECT * FROM campaign WHERE code = ?"),
                                                   arguments: [code]) else { return nil }
        campaign.criteria = try Criterion.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM campaign_criterion WHERE campaign_id = ? ORDER BY position
            """), arguments: [campaign.id])
        return campaign
    }

    func require(code: String, field: String = "code") throws -> Campaign {
        guard let campaign = try find(code: code) else {
            throw RPCError.notFound("no campaign with code \"\(code)\"; campaign.list shows the campaigns", details: ["field": .string(field)])
        }
        return campaign
    }

    /// The org of a campaign, for record scoping (nil: no such campaign).
    func org(code: String?) throws -> String? {
        guard let code else { return nil }
        return try String.fetchOne(db.cachedStatement(sql: "SELECT org FROM campaign WHERE code = ?"), arguments: [code])
    }

    func orgExists(_ code: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM org WHERE code = ?", arguments: [code]) != nil
    }

    /// Applications recruited so far.
    func recruited(campaignID: Int64) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT count(*) FROM application WHERE campaign_id = ? AND stage = 'recruited'",
                           arguments: [campaignID]) ?? 0
    }

    struct Draft {
        let code: String, title: String, org: String, tier: CampaignTier, fields: [String]
        let openings: Int64, opensOn: String, closesOn: String, minEvaluators: Int64
        let criteria: [Criterion]
    }

    func insert(_ d: Draft, by principal: String, at timestamp: String) throws {
        let fields = String(decoding: try JSONSerialization.data(withJSONObject: d.fields), as: UTF8.self)
        do {
            try db.execute(sql: """
                INSERT INTO campaign(code, title, org, tier, fields, openings, opens_on, closes_on, min_evaluators, state,
                                     created_by, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)
                """, arguments: [d.code, d.title, d.org, d.tier.rawValue, fields, d.openings, d.opensOn, d.closesOn,
                                 d.minEvaluators, principal, timestamp, timestamp])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RPCError.conflict("a campaign with code \"\(d.code)\" already exists; campaign.get shows it",
                                    details: ["field": "code"])
        }
        let id = db.lastInsertedRowID
        for (position, c) in d.criteria.enumerated() {
            try db.execute(sql: """
                INSERT INTO campaign_criterion(campaign_id, position, key, title, weight, max_score, min_score)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, position, c.key, c.title, c.weight, c.maxScore, c.minScore])
        }
    }

    /// Sets the state (and who/when columns) of a campaign.
    func setState(_ campaign: Campaign, _ state: CampaignState, by principal: String, reason: String? = nil, at timestamp: String) throws {
        let who: String = switch state {
        case .open: ", opened_by = :by, opened_at = :at"
        case .closed: ", closed_by = :by, closed_at = :at"
        case .cancelled: ", cancelled_by = :by, cancelled_at = :at, cancel_reason = :reason"
        case .draft, .filled: ""
        }
        try db.execute(sql: "UPDATE campaign SET state = :state\(who), updated_at = :at WHERE id = :id",
                       arguments: ["state": state.rawValue, "by": principal, "at": timestamp, "reason": reason, "id": campaign.id])
    }

    struct Filter {
        var org: String?
        var state: CampaignState?
        var tier: CampaignTier?
    }

    /// Campaigns in id order, one page, with their recruited counts.
    func list(_ filter: Filter, _ page: PageRequest) throws -> [(Campaign, Int64)] {
        var conditions = ["id > :after"]
        var arguments: [String: DatabaseValueConvertible?] = ["after": page.after, "limit": page.fetchLimit]
        if let org = filter.org { conditions.append("org = :org"); arguments["org"] = org }
        if let state = filter.state { conditions.append("state = :state"); arguments["state"] = state.rawValue }
        if let tier = filter.tier { conditions.append("tier = :tier"); arguments["tier"] = tier.rawValue }
        let codes = try String.fetchAll(db, sql: """
            SELECT code FROM campaign WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT :limit
            """, arguments: StatementArguments(arguments))
        return try codes.map { code in
            let campaign = try require(code: code)
            return (campaign, try recruited(campaignID: campaign.id))
        }
    }

    // MARK: evaluators

    /// A principal's id, roles and linked person (nil: no such principal).
    func principal(name: String) throws -> (id: Int64, roles: [String], personID: Int64?)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT p.id, p.person_id, (SELECT group_concat(role, ',') FROM principal_role WHERE principal_id = p.id) AS roles
            FROM principal p WHERE p.name = ?
            """, arguments: [name]) else { return nil }
        let roles: String? = row["roles"]
        return (row["id"], roles.map { $0.split(separator: ",").map(String.init) } ?? [], row["person_id"])
    }

    func isAssigned(campaignID: Int64, principalID: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM campaign_evaluator WHERE campaign_id = ? AND principal_id = ?",
                          arguments: [campaignID, principalID]) != nil
    }

    func assign(campaignID: Int64, principalID: Int64, by principal: String, at timestamp: String) throws {
        try db.execute(sql: """
            INSERT INTO campaign_evaluator(campaign_id, principal_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?)
            """, arguments: [campaignID, principalID, principal, timestamp])
    }

    func unassign(campaignID: Int64, principalID: Int64) throws {
        try db.execute(sql: "DELETE FROM campaign_evaluator WHERE campaign_id = ? AND principal_id = ?", arguments: [campaignID, principalID])
    }

    /// The names of a campaign's evaluators, in name order.
    func evaluators(campaignID: Int64) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT p.name FROM campaign_evaluator e JOIN principal p ON p.id = e.principal_id
            WHERE e.campaign_id = ? ORDER BY p.name
            """, arguments: [campaignID])
    }
}
