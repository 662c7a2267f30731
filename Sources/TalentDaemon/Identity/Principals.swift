import GRDB
import TalentProtocol

/// A principal as stored: who it is, what it may do, where it belongs. Never serialized with
/// its password hash.
struct Principal: Sendable {
    let id: Int64
    let name: String
    let kind: String
    let org: String?
    let status: String
    let passwordHash: String?
    let createdAt: String
    let updatedAt: String
    let roles: [String]

    var isActive: Bool { status == "active" }

    func session(via: String) -> SessionPrincipal {
        SessionPrincipal(id: id, name: name, roles: Set(roles), org: org, via: via)
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "kind": .string(kind), "roles": .array(roles.map(JSONValue.string)),
            "status": .string(status), "has_password": .bool(passwordHash != nil),
            "created_at": .string(createdAt), "updated_at": .string(updatedAt),
        ]
        if let org { object["org"] = .string(org) }
        return .object(object)
    }

    static func find(_ db: Database, name: String) throws -> Principal? {
        try fetch(db, "WHERE p.name = ?", [name]).first
    }

    static func find(_ db: Database, id: Int64) throws -> Principal? {
        try fetch(db, "WHERE p.id = ?", [id]).first
    }

    /// The active principal a Unix uid is bound to.
    static func find(_ db: Database, uid: UInt32) throws -> Principal? {
        try fetch(db, "JOIN uid_binding b ON b.principal_id = p.id WHERE b.uid = ? AND p.status = 'active'", [Int64(uid)]).first
    }

    static func require(_ db: Database, name: String, field: String = "name") throws -> Principal {
        guard let principal = try find(db, name: name) else {
            throw RPCError.notFound("no principal named \"\(name)\"", details: ["field": .string(field)])
        }
        return principal
    }

    /// Up to `limit` principals in name order, after the one named `after`.
    static func list(_ db: Database, org: String?, role: String?, status: String?, after: String?, limit: Int) throws -> [Principal] {
        var conditions = ["p.name > ?"]
        var arguments: StatementArguments = [after ?? ""]
        if let org { conditions.append("p.org = ?"); arguments += [org] }
        if let status { conditions.append("p.status = ?"); arguments += [status] }
        if let role { conditions.append("EXISTS (SELECT 1 FROM principal_role r WHERE r.principal_id = p.id AND r.role = ?)"); arguments += [role] }
        arguments += [limit]
        return try fetch(db, "WHERE " + conditions.joined(separator: " AND ") + " ORDER BY p.name LIMIT ?", arguments)
    }

    private static func fetch(_ db: Database, _ tail: String, _ arguments: StatementArguments) throws -> [Principal] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT p.*, (SELECT group_concat(role, ',') FROM (SELECT role FROM principal_role WHERE principal_id = p.id ORDER BY role)) AS roles
            FROM principal p \(tail)
            """, arguments: arguments)
        return rows.map { row in
            let roles: String? = row["roles"]
            return Principal(id: row["id"], name: row["name"], kind: row["kind"], org: row["org"], status: row["status"],
                             passwordHash: row["password_hash"], createdAt: row["created_at"], updatedAt: row["updated_at"],
                             roles: roles.map { $0.split(separator: ",").map(String.init) } ?? [])
        }
    }

    /// Creates a principal; a taken name is a `conflict`, an unknown org `invalid_params`.
    static func insert(_ db: Database, name: String, kind: String, roles: [String], org: String?, passwordHash: String?) throws -> Principal {
        if try find(db, name: name) != nil {
            throw RPCError.conflict("a principal named \"\(name)\" already exists", details: ["field": "name"])
        }
        if let org { try requireOrg(db, org) }
        let now = UTCTime.now()
        try db.execute(sql: """
            INSERT INTO principal(name, kind, org, status, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?, ?)
            """, arguments: [name, kind, org, passwordHash, now, now])
        let id = db.lastInsertedRowID
        try setRoles(db, id: id, roles: roles)
        return try find(db, id: id)!
    }

    static func setRoles(_ db: Database, id: Int64, roles: [String]) throws {
        try db.execute(sql: "DELETE FROM principal_role WHERE principal_id = ?", arguments: [id])
        for role in Set(roles) {
            try db.execute(sql: "INSERT INTO principal_role(principal_id, role) VALUES (?, ?)", arguments: [id, role])
        }
    }

    static func requireOrg(_ db: Database, _ code: String, field: String = "org") throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM org WHERE code = ?", arguments: [code]) != nil else {
            throw RPCError.invalidParams(field: field, "\(field): no organization with code \"\(code)\"; org.list shows the codes")
        }
    }

    static func touch(_ db: Database, id: Int64, set assignments: String, _ arguments: StatementArguments) throws {
        try db.execute(sql: "UPDATE principal SET \(assignments), updated_at = ? WHERE id = ?",
                       arguments: arguments + [UTCTime.now(), id])
    }
}
