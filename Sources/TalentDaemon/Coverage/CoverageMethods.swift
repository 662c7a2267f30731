import GRDB
import TalentProtocol

/// `coverage.report`: the national compliance view, which orgs have both chief engineers on a
/// date. One query: each org joined with its (at most one, by the database's invariants) active
/// holder of each post.
struct CoverageMethods: Sendable {
    func report(_ call: Call, _ db: Database) throws -> JSONValue {
        let at = call.date("at")?.description ?? VietnamCalendar.today()
        let kind = call.string("kind")
        func holder(_ alias: String, _ post: String) -> String {
            """
            LEFT JOIN appointment \(alias) ON \(alias).org = o.code AND \(alias).post = '\(post)'
                AND \(alias).state IN ('approved', 'ended') AND \(alias).term_start <= :at AND \(alias).effective_end >= :at
            LEFT JOIN person \(alias)p ON \(alias)p.id = \(alias).person_id
            """
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT o.code, o.kind, o.name,
                   s.id AS sti_id, s.person_id AS sti_person, sp.full_name AS sti_name, s.term_start AS sti_since,
                   x.id AS ops_id, x.person_id AS ops_person, xp.full_name AS ops_name, x.term_start AS ops_since
            FROM org o
            \(holder("s", "chief_engineer_sti"))
            \(holder("x", "chief_engineer_ops"))
            WHERE :kind IS NULL OR o.kind = :kind
            ORDER BY CASE o.kind WHEN 'ministry' THEN 0 WHEN 'ministerial_agency' THEN 1 WHEN 'government_agency' THEN 2
                     WHEN 'central_city' THEN 3 WHEN 'province' THEN 4 ELSE 5 END, o.code
            """, arguments: ["at": at, "kind": kind])
        var fullyCovered = 0, missingSTI = 0, missingOps = 0
        let orgs: [JSONValue] = rows.map { row in
            let sti = holderJSON(row, "sti"), ops = holderJSON(row, "ops")
            if sti == .null { missingSTI += 1 }
            if ops == .null { missingOps += 1 }
            if sti != .null, ops != .null { fullyCovered += 1 }
            return ["code": .string(row["code"]), "kind": .string(row["kind"]), "name": .string(row["name"]),
                    "chief_engineer_sti": sti, "chief_engineer_ops": ops]
        }
        return ["at": .string(at), "orgs": .array(orgs), "summary": [
            "orgs": .int(Int64(rows.count)), "fully_covered": .int(Int64(fullyCovered)),
            "missing_sti": .int(Int64(missingSTI)), "missing_ops": .int(Int64(missingOps)),
        ]]
    }

    private func holderJSON(_ row: Row, _ prefix: String) -> JSONValue {
        guard let id: Int64 = row["\(prefix)_id"] else { return .null }
        return ["appointment_id": .int(id), "person_id": .int(row["\(prefix)_person"]),
                "full_name": .string(row["\(prefix)_name"]), "since": .string(row["\(prefix)_since"])]
    }
}
