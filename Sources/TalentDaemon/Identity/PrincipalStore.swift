import GRDB
import TalentProtocol

/// The SQL of principals, their roles and their Unix-uid bindings, bound to one request's
/// transaction or snapshot.
struct PrincipalStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    private static let select = """
        SELECT p.*, (SELECT group_concat(role, ',') FROM (SELECT role FROM principal_role WHERE principal_id = p.id ORDER BY role)) AS roles
        FROM principal p
        """

    func find(name: String) throws -> Principal? {
        try Principal.fetchOne(db, sql: "\(Self.select) WHERE p.name = ?", arguments: [name])
    }

    func find(id: Int64) throws -> Principal? {
        try Principal.fetchOne(db, sql: "\(Self.select) WHERE p.id = ?", arguments: [id])
    }

    /// The active principal a Unix uid is bound to.
    func find(uid: UInt32) throws -> Principal? {
        try Principal.fetchOne(db, sql: """
            \(Self.select) JOIN uid_binding b ON b.principal_id = p.id WHERE b.uid = ? AND p.status = 'active'
            """, arguments: [Int64(uid)])
    }

    func require(name: String, field: String = "name") throws -> Principal {
        guard let principal = try find(name: name) else {
            throw RPCError.notFound("no principal named \"\(name)\"", details: ["field": .string(field)])
        }
        return principal
    }

    func require(id: Int64) throws -> Principal {
        guard let principal = try find(id: id) else { throw RPCError.notFound("no principal with id \(id)") }
        return principal
    }

    /// One page of principals in name order, after the one named `page.cursor`.
    func list(org: String?, role: String?, status: String?, _ page: PageRequest) throws -> [Principal] {
        var conditions = ["p.name > ?"]
        var arguments: StatementArguments = [page.cursor ?? ""]
        if let org { conditions.append("p.org = ?"); arguments += [org] }
        if let status { conditions.append("p.status = ?"); arguments += [status] }
        if let role { conditions.append("EXISTS (SELECT 1 FROM principal_role r WHERE r.principal_id = p.id AND r.role = ?)"); arguments += [role] }
        arguments += [page.fetchLimit]
        return try Principal.fetchAll(db, sql: "\(Self.select) WHERE \(conditions.joined(separator: " AND ")) ORDER BY p.name LIMIT ?",
                                      arguments: arguments)
    }

    /// Creates a principal; a taken name is a `conflict`, an unknown org `invalid_params`.
    func insert(name: String, kind: String, roles: [String], org: String?, passwordHash: String?, at timestamp: String) throws -> Principal {
        if try find(name: name) != nil {
            throw RPCError.conflict("a principal named \"\(name)\" already exists", details: ["field": "name"])
        }
        if let org { try requireOrg(org) }
        try db.execute(sql: """
            INSERT INTO principal(name, kind, org, status, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?, ?)
            """, arguments: [name, kind, org, passwordHash, timestamp, timestamp])
        let id = db.lastInsertedRowID
        try setRoles(id: id, roles: roles)
        return try require(id: id)
    }

    /// Replaces a principal's roles (mark it changed with `touch` or another update).
    func setRoles(id: Int64, roles: [String]) throws {
        try db.execute(sql: "DELETE FROM principal_role WHERE principal_id = ?", arguments: [id])
        for role in Set(roles) {
            try db.execute(sql: "INSERT INTO principal_role(principal_id, role) VALUES (?, ?)", arguments: [id, role])
        }
    }

    func requireOrg(_ code: String, field: String = "org") throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM org WHERE code = ?", arguments: [code]) != nil else {
            throw RPCError.invalidParams(field: field, "\(field): no organization with code \"\(code)\"; org.list shows the codes")
        }
    }

    /// Moves a principal to an org (nil: national scope); an unknown org is `invalid_params`.
    func setOrg(id: Int64, org: String?, at timestamp: String) throws {
        if let org { try requireOrg(org) }
        try update(id: id, set: "org = ?", [org], at: timestamp)
    }

    /// Links a principal to the registry person it is (nil: unlinks); an unknown person is `invalid_params`.
    func setPerson(id: Int64, personID: Int64?, at timestamp: String) throws {
        if let personID, try Bool.fetchOne(db, sql: "SELECT 1 FROM person WHERE id = ?", arguments: [personID]) == nil {
            throw RPCError.invalidParams(field: "person_id", "person_id: no person with id \(personID); person.search finds one")
        }
        try update(id: id, set: "person_id = ?", [personID], at: timestamp)
    }

    func setStatus(id: Int64, _ status: PrincipalStatus, at timestamp: String) throws {
        try update(id: id, set: "status = ?", [status.rawValue], at: timestamp)
    }

    func setPasswordHash(id: Int64, _ hash: String, at timestamp: String) throws {
        try update(id: id, set: "password_hash = ?", [hash], at: timestamp)
    }

    /// Offline recovery: a new password, and the principal active again.
    func resetSecret(id: Int64, _ hash: String, at timestamp: String) throws {
        try update(id: id, set: "password_hash = ?, status = 'active'", [hash], at: timestamp)
    }

    /// Marks a principal changed without changing a column (its roles changed, say).
    func touch(id: Int64, at timestamp: String) throws {
        try update(id: id, set: "id = id", [], at: timestamp)
    }

    private func update(id: Int64, set assignments: String, _ arguments: StatementArguments, at timestamp: String) throws {
        try db.execute(sql: "UPDATE principal SET \(assignments), updated_at = ? WHERE id = ?", arguments: arguments + [timestamp, id])
    }

    /// Active admins other than this principal.
    func activeAdminCount(excluding id: Int64) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT count(*) FROM principal p JOIN principal_role r ON r.principal_id = p.id
            WHERE r.role = 'admin' AND p.status = 'active' AND p.id != ?
            """, arguments: [id]) ?? 0
    }

    /// The name of the principal a uid is bound to, if any.
    func holder(uid: Int64) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT p.name FROM uid_binding b JOIN principal p ON p.id = b.principal_id WHERE b.uid = ?
            """, arguments: [uid])
    }

    /// Binds a uid to a principal; binding it again to the same principal changes nothing.
    func bind(uid: Int64, to id: Int64, at timestamp: String) throws {
        try db.execute(sql: """
            INSERT INTO uid_binding(uid, principal_id, created_at) VALUES (?, ?, ?)
            ON CONFLICT(uid) DO NOTHING
            """, arguments: [uid, id, timestamp])
    }

    func unbind(uid: Int64) throws {
        try db.execute(sql: "DELETE FROM uid_binding WHERE uid = ?", arguments: [uid])
    }

    /// Runs `action` once this transaction commits (nothing if it rolls back).
    func afterCommit(_ action: @escaping @Sendable () -> Void) {
        db.afterNextTransaction { _ in action() }
    }
}
