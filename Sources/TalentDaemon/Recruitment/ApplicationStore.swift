import GRDB
import TalentProtocol

/// The SQL of applications, their stage history, and the expert records acceptance creates.
///
/// The statements of application.submit (its lookups, inserts and read-back) are prepared once per
/// connection and kept (`cachedStatement`): ministries load applications in bulk through the one
/// committer thread, where compiling a statement each call cost more than running it.
struct ApplicationStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    var campaigns: CampaignStore { CampaignStore(db) }

    private static let select = """
        SELECT a.*, c.code AS campaign_code, c.org AS campaign_org, c.tier AS campaign_tier, c.state AS campaign_state,
               p.full_name AS person_name, p.overseas_vietnamese, (SELECT x.id FROM expert x WHERE x.application_id = a.id) AS expert_id
        FROM application a JOIN campaign c ON c.id = a.campaign_id JOIN person p ON p.id = a.person_id
        """

    func find(id: Int64) throws -> Application? {
        try Application.fetchOne(db.cachedStatement(sql: "\(Self.select) WHERE a.id = ?"), arguments: [id])
    }

    func require(id: Int64, field: String = "id") throws -> Application {
        guard let application = try find(id: id) else {
            throw RPCError.notFound("no application with id \(id)", details: ["field": .string(field)])
        }
        return application
    }

    /// The org of an application's campaign, for record scoping (nil: no such application).
    func org(id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try String.fetchOne(db.cachedStatement(sql: """
            SELECT c.org FROM application a JOIN campaign c ON c.id = a.campaign_id WHERE a.id = ?
            """), arguments: [id])
    }

    func history(id: Int64) throws -> [StageChange] {
        try StageChange.fetchAll(db, sql: "SELECT * FROM application_stage WHERE application_id = ? ORDER BY id", arguments: [id])
    }

    func personExists(id: Int64) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM person WHERE id = ?"), arguments: [id]) != nil
    }

    struct Submission {
        let campaign: Campaign
        let personID: Int64
        let source: ApplicationSource
        let referredBy: String?
        let note: String?
    }

    /// Inserts an application at `applied`; a second one of the same person answers `conflict`
    /// naming the first (the UNIQUE index `application_once` decides).
    func insert(_ s: Submission, by principal: String, at timestamp: String) throws -> Int64 {
        do {
            // Prepared once per connection: bulk loads run it per application.
            try db.cachedStatement(sql: """
                INSERT INTO application(campaign_id, person_id, source, referred_by, note, stage, submitted_by, submitted_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'applied', ?, ?, ?)
                """).execute(arguments: [s.campaign.id, s.personID, s.source.rawValue, s.referredBy, s.note, principal, timestamp, timestamp])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            let other = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM application WHERE campaign_id = ? AND person_id = ?"),
                                           arguments: [s.campaign.id, s.personID])
            throw RPCError.conflict("person \(s.personID) already applied to campaign \(s.campaign.code): application \(other.map(String.init) ?? "?")"
                                    + "; a person applies once per campaign", details: ["application_id": other.map(JSONValue.int) ?? .null])
        }
        let id = db.lastInsertedRowID
        try record(id, from: nil, to: .applied, by: principal, note: s.note, at: timestamp)
        return id
    }

    /// Moves an application to `to`, setting any extra columns, and records the change.
    func move(_ a: Application, to stage: ApplicationStage, by principal: String, note: String?, at timestamp: String,
              set extra: String = "", _ arguments: [String: DatabaseValueConvertible?] = [:]) throws {
        var all = arguments
        all["stage"] = stage.rawValue; all["at"] = timestamp; all["id"] = a.id
        try db.execute(sql: "UPDATE application SET stage = :stage\(extra), updated_at = :at WHERE id = :id",
                       arguments: StatementArguments(all))
        try record(a.id, from: a.stage, to: stage, by: principal, note: note, at: timestamp)
    }

    func approveOffer(_ a: Application, by principal: String, at timestamp: String) throws {
        try db.execute(sql: "UPDATE application SET offer_approved_by = ?, offer_approved_at = ?, updated_at = ? WHERE id = ?",
                       arguments: [principal, timestamp, timestamp, a.id])
    }

    private func record(_ id: Int64, from: ApplicationStage?, to: ApplicationStage, by principal: String, note: String?, at timestamp: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO application_stage(application_id, from_stage, to_stage, at, by, note) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, from?.rawValue, to.rawValue, timestamp, principal, note])
    }

    /// Applications of a campaign in id order, one page.
    func list(campaignID: Int64, stage: ApplicationStage?, _ page: PageRequest) throws -> [Application] {
        var sql = "\(Self.select) WHERE a.campaign_id = :campaign AND a.id > :after"
        if stage != nil { sql += " AND a.stage = :stage" }
        return try Application.fetchAll(db, sql: sql + " ORDER BY a.id LIMIT :limit", arguments: [
            "campaign": campaignID, "after": page.after, "stage": stage?.rawValue, "limit": page.fetchLimit])
    }

    /// The expert record of an accepted application; returns its id.
    func insertExpert(_ a: Application, startOn: String, at timestamp: String) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO expert(application_id, person_id, org, tier, campaign_id, start_on, overseas, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [a.id, a.personID, a.org, a.tier.rawValue, a.campaignID, startOn, a.isOverseas, timestamp, timestamp])
        return db.lastInsertedRowID
    }
}
