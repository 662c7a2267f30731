import GRDB

extension ExpertStore {
    /// Per org (or one): experts in post on `at` (all tiers, and leading experts), and
    /// applications to its campaigns whose stage on `at` (their last change recorded by the end
    /// of that Vietnam day) is still open.
    func expertCounts(at day: String, org: String?) throws -> [String: ExpertCounts] {
        var counts: [String: ExpertCounts] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT x.org, count(*) AS in_post, sum(x.tier = 'leading_expert') AS leading FROM expert x
            WHERE x.start_on <= :at AND (x.end_on IS NULL OR x.end_on >= :at) AND (:org IS NULL OR x.org = :org)
            GROUP BY x.org
            """, arguments: ["at": day, "org": org]) {
            counts[row["org"], default: ExpertCounts()].inPost = row["in_post"]
            counts[row["org"], default: ExpertCounts()].leadingInPost = row["leading"]
        }
        let open = ApplicationStage.open.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        for row in try Row.fetchAll(db, sql: """
            SELECT c.org, count(*) AS n FROM application_stage s
            JOIN (SELECT max(id) AS id FROM application_stage WHERE at < :end GROUP BY application_id) last ON last.id = s.id
            JOIN application a ON a.id = s.application_id JOIN campaign c ON c.id = a.campaign_id
            WHERE s.to_stage IN (\(open)) AND (:org IS NULL OR c.org = :org)
            GROUP BY c.org
            """, arguments: ["end": VietnamCalendar.endOfDay(day), "org": org]) {
            counts[row["org"], default: ExpertCounts()].candidates = row["n"]
        }
        return counts
    }
}
