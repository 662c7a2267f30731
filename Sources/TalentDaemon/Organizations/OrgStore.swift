import GRDB
import TalentProtocol
import TalentStorage

/// The SQL of organizations, bound to one request's transaction or snapshot.
struct OrgStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    /// What an update sets (absent: unchanged; `.some(nil)` clears an optional column).
    struct Changes {
        var kind: OrgKind?
        var name: String?
        var nameEn: String??
        var parent: String??
    }

    /// Listing order: the kinds as `OrgKind` orders them, then by code.
    private static let kindRank = "CASE kind " + OrgKind.rawValues.enumerated()
        .map { "WHEN '\($1)' THEN \($0)" }.joined(separator: " ") + " END"

    /// One page of orgs in listing order, after the org coded `page.cursor`.
    func list(kind: OrgKind?, _ page: PageRequest) throws -> [Org] {
        if let kind {
            return try db.makeStatement(sql: "SELECT \(Org.columns) FROM org WHERE kind = ? AND code > ? ORDER BY code LIMIT ?")
                .allRows(arguments: [kind.rawValue, page.cursor ?? "", page.fetchLimit], Org.init)
        }
        guard let after = page.cursor else {
            return try db.makeStatement(sql: "SELECT \(Org.columns) FROM org ORDER BY \(Self.kindRank), code LIMIT ?")
                .allRows(arguments: [page.fetchLimit], Org.init)
        }
        return try db.makeStatement(sql: """
            SELECT \(Org.columns) FROM org WHERE (\(Self.kindRank), code) > (SELECT \(Self.kindRank), code FROM org WHERE code = ?)
            ORDER BY \(Self.kindRank), code LIMIT ?
            """).allRows(arguments: [after, page.fetchLimit], Org.init)
    }

    private static let findSQL = "SELECT \(Org.columns) FROM org WHERE code = ?"

    func find(code: String) throws -> Org? {
        // Cached: preparing costs more than the read itself (GRDB's authorizer visits every column).
        try db.cachedStatement(sql: Self.findSQL).firstRow(arguments: [code], Org.init)
    }

    func require(code: String) throws -> Org {
        guard let org = try find(code: code) else {
            throw RPCError.notFound("no org with code \(code); org.list shows the codes", details: ["field": "code"])
        }
        return org
    }

    func insert(code: String, kind: OrgKind, name: String, nameEn: String?, parent: String?, at timestamp: String) throws {
        do {
            try db.execute(sql: """
                INSERT INTO org(code, kind, name, name_en, parent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [code, kind.rawValue, name, nameEn, parent, timestamp, timestamp])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw RPCError.conflict("org code \(code) is already taken", details: ["field": "code", "code": .string(code)])
        }
    }

    func update(code: String, _ changes: Changes, at timestamp: String) throws {
        var values: [String: DatabaseValueConvertible?] = [:]
        if let kind = changes.kind { values["kind"] = kind.rawValue }
        if let name = changes.name { values["name"] = name }
        // updateValue, not subscript assignment: assigning nil would drop the column instead of clearing it.
        if let nameEn = changes.nameEn { values.updateValue(nameEn, forKey: "name_en") }
        if let parent = changes.parent { values.updateValue(parent, forKey: "parent") }
        let columns = values.keys.sorted()
        let assignments = (columns.map { "\($0) = ?" } + ["updated_at = ?"]).joined(separator: ", ")
        try db.execute(sql: "UPDATE org SET \(assignments) WHERE code = ?",
                       arguments: StatementArguments(columns.map { values[$0]! } + [timestamp, code]))
    }

    /// The codes from `code` up to its root, following `parent` (at most 64 levels: the check
    /// that refuses cycles keeps the chain finite anyway).
    func ancestry(of code: String) throws -> [String] {
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
