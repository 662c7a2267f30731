/// Appointments SQL that duties derive from (`DutyStore`): kept here, beside the appointments'
/// own SQL, so a change to the table is seen with everything that reads it.
extension AppointmentStore {
    /// An SQL expression: the first day, on or before `at`, on which the org held both
    /// chief-engineer posts by running terms of approved appointments (the later of two
    /// overlapping term starts), or NULL. Early-ended terms count for the days they ran;
    /// `org` and `at` are SQL expressions (a column, a named argument). The join repeats part
    /// of the overlap as `o.effective_end >= s.term_start`, which the index `appointment_post`
    /// answers as a range: 2.6 times faster with 20 terms per post (Ops/bench/duties-results.md).
    static func bothChiefEngineersSinceSQL(org: String, at: String) -> String {
        """
        (SELECT min(max(s.term_start, o.term_start)) FROM appointment s
         JOIN appointment o ON o.org = s.org AND o.post = 'chief_engineer_ops' AND o.state IN ('approved', 'ended')
              AND o.effective_end >= s.term_start AND o.term_start <= s.effective_end
         WHERE s.org = \(org) AND s.post = 'chief_engineer_sti' AND s.state IN ('approved', 'ended')
           AND max(s.term_start, o.term_start) <= min(s.effective_end, o.effective_end)
           AND max(s.term_start, o.term_start) <= \(at))
        """
    }
}
