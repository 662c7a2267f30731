import GRDB

/// The SQL of the coverage report: each org joined with its active holder of each chief-engineer
/// post on a date (at most one, by the appointments' own invariants), in one query.
struct CoverageStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    func orgs(on day: String, kind: OrgKind?) throws -> [CoverageRow] {
        func holder(_ alias: String, _ post: AppointmentPost) -> String {
            """
            LEFT JOIN appointment \(alias) ON \(alias).org = o.code AND \(alias).post = '\(post.rawValue)'
                AND \(Term.sqlCondition(.active, alias: alias, day: ":at"))
            LEFT JOIN person \(alias)p ON \(alias)p.id = \(alias).person_id
            """
        }
        let kindOrder = OrgKind.rawValues.enumerated().map { "WHEN '\($1)' THEN \($0)" }.joined(separator: " ")
        return try CoverageRow.fetchAll(db, sql: """
            SELECT o.code, o.kind, o.name,
                   s.id AS sti_id, s.person_id AS sti_person, sp.full_name AS sti_name, s.term_start AS sti_since,
                   x.id AS ops_id, x.person_id AS ops_person, xp.full_name AS ops_name, x.term_start AS ops_since
            FROM org o
            \(holder("s", .chiefEngineerSTI))
            \(holder("x", .chiefEngineerOps))
            WHERE :kind IS NULL OR o.kind = :kind
            ORDER BY CASE o.kind \(kindOrder) ELSE \(OrgKind.allCases.count) END, o.code
            """, arguments: ["at": day, "kind": kind?.rawValue])
    }
}
