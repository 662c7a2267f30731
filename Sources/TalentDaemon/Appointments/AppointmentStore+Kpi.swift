import GRDB

extension AppointmentStore {
    /// Each org (or one) with its two chief-engineer posts on `at` and over its vacancy window
    /// (`ChiefEngineerPosts`). Terms of one post never overlap (the clash triggers), so the days
    /// a post was covered are the sum of each running term's days inside the window.
    func chiefEngineerPosts(at day: String, org: String?) throws -> [ChiefEngineerPosts] {
        func covered(_ post: AppointmentPost) -> String {
            """
            (SELECT CAST(coalesce(sum(julianday(min(a.effective_end, :at)) - julianday(max(a.term_start, w.window_start)) + 1), 0) AS INTEGER)
             FROM appointment a WHERE a.org = w.code AND a.post = '\(post.rawValue)' AND a.state IN ('approved', 'ended')
             AND w.window_start <= :at AND a.term_start <= :at AND a.effective_end >= w.window_start)
            """
        }
        func filled(_ post: AppointmentPost) -> String {
            """
            EXISTS (SELECT 1 FROM appointment a WHERE a.org = w.code AND a.post = '\(post.rawValue)'
                    AND \(Term.sqlCondition(.active, day: ":at")))
            """
        }
        return try ChiefEngineerPosts.fetchAll(db, sql: """
            WITH w AS (SELECT code, kind, name, max(:start, date(created_at, '+7 hours')) AS window_start
                       FROM org WHERE :org IS NULL OR code = :org)
            SELECT w.code, w.kind, w.name, w.window_start,
                   CAST(max(0, julianday(:at) - julianday(w.window_start) + 1) AS INTEGER) AS window_days,
                   \(covered(.chiefEngineerSTI)) AS sti_covered, \(covered(.chiefEngineerOps)) AS ops_covered,
                   \(filled(.chiefEngineerSTI)) AS sti_filled, \(filled(.chiefEngineerOps)) AS ops_filled
            FROM w ORDER BY w.code
            """, arguments: ["at": day, "org": org, "start": kpiProgramStart])
    }
}
