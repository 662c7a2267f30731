import GRDB

extension AwardStore {
    /// Per org (or one), as recorded by the end of the Vietnam day `at`: nominations submitted and
    /// not withdrawn; of those, passed by every screening agency; and awarded in a decided round.
    func nominationCounts(at day: String, org: String?) throws -> [String: NominationCounts] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT n.org, count(*) AS submitted,
                   sum((SELECT count(*) FROM nomination_screen s WHERE s.nomination_id = n.id
                        AND s.outcome = 'pass' AND s.screened_at < :end) = :agencies) AS passed,
                   sum(n.outcome = 'awarded' AND r.decided_at < :end) AS awarded
            FROM nomination n JOIN award_round r ON r.id = n.round_id
            WHERE n.submitted_at < :end AND (n.withdrawn_at IS NULL OR n.withdrawn_at >= :end)
                  AND (:org IS NULL OR n.org = :org)
            GROUP BY n.org
            """, arguments: ["end": VietnamCalendar.endOfDay(day), "org": org, "agencies": ScreeningAgency.allCases.count])
        return Dictionary(uniqueKeysWithValues: rows.map {
            ($0["org"], NominationCounts(submitted: $0["submitted"], passed: $0["passed"], awarded: $0["awarded"]))
        })
    }
}
