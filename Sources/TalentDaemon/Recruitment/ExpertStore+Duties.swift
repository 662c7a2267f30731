/// Expert SQL that duties derive from (`DutyStore`).
extension ExpertStore {
    /// An SQL expression: the first day, on or before `at`, on which the org had `target`
    /// experts in post at once (always the day one of them took post), or NULL. Arguments are
    /// SQL expressions.
    static func targetExpertsSinceSQL(org: String, target: String, at: String) -> String {
        """
        (SELECT min(x.start_on) FROM expert x
         WHERE x.org = \(org) AND x.start_on <= \(at)
           AND (SELECT count(*) FROM expert y WHERE y.org = x.org AND y.start_on <= x.start_on
                AND (y.end_on IS NULL OR y.end_on >= x.start_on)) >= \(target))
        """
    }
}
