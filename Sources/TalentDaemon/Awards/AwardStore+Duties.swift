/// Nominations SQL that duties derive from (`DutyStore`).
extension AwardStore {
    /// An SQL expression: the Vietnam date of the `target`-th nomination the org submitted to
    /// the round, if on or before `at`, or NULL. Withdrawn nominations do not count at all (a
    /// withdrawal moves the date later, or undoes it). Arguments are SQL expressions.
    static func targetNominationsSinceSQL(org: String, roundID: String, target: String, at: String) -> String {
        """
        (SELECT min(date(n.submitted_at, '+7 hours')) FROM nomination n
         WHERE n.org = \(org) AND n.round_id = \(roundID) AND n.status = 'submitted'
           AND date(n.submitted_at, '+7 hours') <= \(at)
           AND (SELECT count(*) FROM nomination m WHERE m.round_id = n.round_id AND m.org = n.org
                AND m.status = 'submitted' AND m.submitted_at <= n.submitted_at) >= \(target))
        """
    }
}
