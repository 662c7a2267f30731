import GRDB

/// The SQL of pay: who holds a post on a date, as the system knew it at a time, and the
/// parameters (through `params`).
struct RemunerationStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    var params: ParamStore { ParamStore(db) }

    func personExists(id: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM person WHERE id = ?", arguments: [id]) != nil
    }

    /// Posts in office on `day` (active that day), approved by `asOf`; of one person and/or one org.
    /// Ends recorded after `asOf` are read as recorded now: appointments keep no history of their own.
    func posts(on day: String, knownAt asOf: String, personID: Int64? = nil, org: String? = nil) throws -> [PaidPost] {
        try PaidPost.fetchAll(db, sql: """
            SELECT a.id, a.org, a.post, a.person_id, a.equivalent_rank, a.salary_coefficient, a.decision_ref, a.term_start
            FROM appointment a
            WHERE \(Term.sqlCondition(.active, day: ":day")) AND a.approved_at <= :asOf
              AND (:person IS NULL OR a.person_id = :person) AND (:org IS NULL OR a.org = :org)
            ORDER BY a.org, a.id
            """, arguments: ["day": day, "asOf": asOf, "person": personID, "org": org])
    }
}
