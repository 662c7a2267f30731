import GRDB
import TalentProtocol

/// The SQL of expert records and of the national recruitment progress.
struct ExpertStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    private static let select = """
        SELECT x.*, p.full_name AS person_name, c.code AS campaign_code
        FROM expert x JOIN person p ON p.id = x.person_id JOIN campaign c ON c.id = x.campaign_id
        """
    /// In post on `:day`: `Expert.inPost` in SQL.
    private static let inPost = "x.start_on <= :day AND (x.end_on IS NULL OR x.end_on >= :day)"

    func find(id: Int64) throws -> Expert? {
        try Expert.fetchOne(db, sql: "\(Self.select) WHERE x.id = ?", arguments: [id])
    }

    func require(id: Int64) throws -> Expert {
        guard let expert = try find(id: id) else { throw RPCError.notFound("no expert with id \(id)", details: ["field": "id"]) }
        return expert
    }

    func org(id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try String.fetchOne(db, sql: "SELECT org FROM expert WHERE id = ?", arguments: [id])
    }

    /// Experts in id order, one page; with `at`, only those in post on that day.
    func list(org: String?, tier: CampaignTier?, at: String?, _ page: PageRequest) throws -> [Expert] {
        var conditions = ["x.id > :after"]
        if org != nil { conditions.append("x.org = :org") }
        if tier != nil { conditions.append("x.tier = :tier") }
        if at != nil { conditions.append(Self.inPost) }
        return try Expert.fetchAll(db, sql: "\(Self.select) WHERE \(conditions.joined(separator: " AND ")) ORDER BY x.id LIMIT :limit",
                                   arguments: ["after": page.after, "org": org, "tier": tier?.rawValue, "day": at, "limit": page.fetchLimit])
    }

    func end(_ expert: Expert, on day: String, reason: String, at timestamp: String) throws {
        try db.execute(sql: "UPDATE expert SET end_on = ?, end_reason = ?, updated_at = ? WHERE id = ?",
                       arguments: [day, reason, timestamp, expert.id])
    }

    // MARK: progress

    /// Leading experts in post on `day`: (org, overseas, count).
    func leadingExperts(on day: String) throws -> [(org: String, overseas: Bool, count: Int64)] {
        try Row.fetchAll(db, sql: """
            SELECT x.org, x.overseas, count(*) AS n FROM expert x
            WHERE x.tier = 'leading_expert' AND \(Self.inPost) GROUP BY x.org, x.overseas ORDER BY x.org
            """, arguments: ["day": day]).map { ($0["org"], $0["overseas"], $0["n"]) }
    }

    /// `day` ends at midnight in Vietnam (UTC+7), 17:00 UTC: stage changes recorded before then count.
    private static func endOfVietnamDay(_ day: String) -> String { day + "T17:00:00.000Z" }

    /// Applications by the stage they were at on `day` (their last change recorded by then).
    func pipeline(on day: String) throws -> [(stage: String, count: Int64)] {
        try Row.fetchAll(db, sql: """
            SELECT s.to_stage, count(*) FROM application_stage s
            JOIN (SELECT max(id) AS id FROM application_stage WHERE at < :end GROUP BY application_id) last ON last.id = s.id
            GROUP BY s.to_stage
            """, arguments: ["end": Self.endOfVietnamDay(day)]).map { ($0[0], $0[1]) }
    }

    /// Recruitments recorded by `day` (in the order recorded), per campaign in code order: the
    /// days from the campaign's opening to each (the Vietnam date of the recruitment).
    func recruitments(on day: String) throws -> [(campaign: String, opensOn: String, days: Int64)] {
        try Row.fetchAll(db, sql: """
            SELECT c.code, c.opens_on, CAST(julianday(date(s.at, '+7 hours')) - julianday(c.opens_on) AS INTEGER)
            FROM application_stage s JOIN application a ON a.id = s.application_id JOIN campaign c ON c.id = a.campaign_id
            WHERE s.to_stage = 'recruited' AND s.at < :end ORDER BY c.code, s.id
            """, arguments: ["end": Self.endOfVietnamDay(day)]).map { ($0[0], $0[1], $0[2]) }
    }

    /// Campaigns whose closing date passed before `day` with openings left (recruitments by `day`);
    /// cancelled ones excluded.
    func overdue(on day: String) throws -> [(code: String, org: String, closesOn: String, openings: Int64, recruited: Int64)] {
        try Row.fetchAll(db, sql: """
            SELECT c.code, c.org, c.closes_on, c.openings,
                   (SELECT count(*) FROM application_stage s JOIN application a ON a.id = s.application_id
                    WHERE a.campaign_id = c.id AND s.to_stage = 'recruited' AND s.at < :end) AS recruited
            FROM campaign c WHERE c.closes_on < :day AND c.state != 'cancelled' AND c.state != 'draft'
            AND recruited < c.openings ORDER BY c.closes_on, c.code
            """, arguments: ["day": day, "end": Self.endOfVietnamDay(day)]).map {
            ($0["code"], $0["org"], $0["closes_on"], $0["openings"], $0["recruited"])
        }
    }
}
