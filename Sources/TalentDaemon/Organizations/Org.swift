import GRDB
import TalentProtocol

/// One row of `org`, and its queries.
struct Org: FetchableRecord, Sendable {
    var code: String
    var kind: String
    var name: String
    var nameEn: String?
    var parent: String?

    init(row: Row) {
        code = row["code"]
        kind = row["kind"]
        name = row["name"]
        nameEn = row["name_en"]
        parent = row["parent"]
    }

    var json: JSONValue {
        var out: [String: JSONValue] = ["code": .string(code), "kind": .string(kind), "name": .string(name)]
        if let nameEn { out["name_en"] = .string(nameEn) }
        if let parent { out["parent"] = .string(parent) }
        return .object(out)
    }

    /// Listing order: the kinds as `OrganizationsMigration.kinds` orders them (ministries,
    /// ministerial agencies, central cities, provinces, then the rest), then by code.
    private static let kindRank = "CASE kind " + OrganizationsMigration.kinds.enumerated()
        .map { "WHEN '\($1)' THEN \($0)" }.joined(separator: " ") + " END"

    /// Up to `limit` orgs in listing order, after the org coded `after`.
    static func list(_ db: Database, kind: String?, after: String?, limit: Int) throws -> [Org] {
        if let kind {
            return try Org.fetchAll(db, sql: "SELECT * FROM org WHERE kind = ? AND code > ? ORDER BY code LIMIT ?",
                                    arguments: [kind, after ?? "", limit])
        }
        guard let after else {
            return try Org.fetchAll(db, sql: "SELECT * FROM org ORDER BY \(kindRank), code LIMIT ?", arguments: [limit])
        }
        return try Org.fetchAll(db, sql: """
            SELECT * FROM org WHERE (\(kindRank), code) > (SELECT \(kindRank), code FROM org WHERE code = ?)
            ORDER BY \(kindRank), code LIMIT ?
            """, arguments: [after, limit])
    }

    static func find(_ db: Database, code: String) throws -> Org? {
        try Org.fetchOne(db, sql: "SELECT * FROM org WHERE code = ?", arguments: [code])
    }

    static func require(_ db: Database, code: String) throws -> Org {
        guard let org = try find(db, code: code) else {
            throw RPCError.notFound("no org with code \(code); org.list shows the codes", details: ["field": "code"])
        }
        return org
    }

    static func insert(_ db: Database, code: String, kind: String, name: String, nameEn: String?, parent: String?) throws {
        let now = UTCTime.now()
        do {
            try db.execute(sql: """
                INSERT INTO org(code, kind, name, name_en, parent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [code, kind, name, nameEn, parent, now, now])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw RPCError.conflict("org code \(code) is already taken", details: ["field": "code", "code": .string(code)])
        }
    }

    static func set(_ db: Database, code: String, _ values: [String: DatabaseValueConvertible?]) throws {
        let columns = values.keys.sorted()
        let assignments = (columns.map { "\($0) = ?" } + ["updated_at = ?"]).joined(separator: ", ")
        try db.execute(sql: "UPDATE org SET \(assignments) WHERE code = ?",
                       arguments: StatementArguments(columns.map { values[$0]! } + [UTCTime.now(), code]))
    }

    /// The codes from `code` up to its root, following `parent` (at most 64 levels: the check
    /// that refuses cycles keeps the chain finite anyway).
    static func ancestry(_ db: Database, of code: String) throws -> [String] {
        try String.fetchAll(db, sql: """
            WITH RECURSIVE up(code, depth) AS (
                SELECT ?, 0
                UNION ALL
                SELECT org.parent, up.depth + 1 FROM org JOIN up ON org.code = up.code
                WHERE org.parent IS NOT NULL AND up.depth < 64)
            SELECT code FROM up
            """, arguments: [code])
    }
}
