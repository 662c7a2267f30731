import GRDB
import TalentProtocol

/// `principal.*`: who may use the daemon, with which roles, for which org.
struct PrincipalMethods: Sendable {
    let sessions: SessionResolver
    let passwords: Passwords

    private func target(_ name: String) -> AuditTarget { AuditTarget(type: "principal", id: name) }

    func create(_ call: Call, _ db: Database) throws -> Change {
        let name = try call.requiredString("name")
        let hash = try call.string("secret").map(passwords.hash)
        let principal = try Principal.insert(db, name: name, kind: try call.requiredString("kind"),
                                             roles: call.strings("roles") ?? [], org: call.string("org"), passwordHash: hash)
        return Change(result: principal.json, target: target(name))
    }

    func get(_ call: Call, _ db: Database) throws -> JSONValue {
        try Principal.require(db, name: try call.requiredString("name")).json
    }

    func list(_ call: Call, _ db: Database) throws -> JSONValue {
        let request = try call.page(defaultLimit: 100, keyedBy: .text)
        let principals = try Principal.list(db, org: call.string("org"), role: call.string("role"), status: call.string("status"),
                                            after: request.cursor, limit: request.fetchLimit)
        return Page(principals, request, cursor: \.name).json("principals", \.json)
    }

    func update(_ call: Call, _ db: Database) throws -> Change {
        let principal = try Principal.require(db, name: try call.requiredString("name"))
        if let roles = call.strings("roles") {
            if principal.roles.contains(Role.admin.rawValue), !roles.contains(Role.admin.rawValue) {
                try requireAnotherActiveAdmin(db, than: principal)
            }
            try Principal.setRoles(db, id: principal.id, roles: roles)
        }
        switch call.params["org"] {
        case .string(let org)?:
            try Principal.requireOrg(db, org)
            try Principal.touch(db, id: principal.id, set: "org = ?", [org])
        case .null?:
            try Principal.touch(db, id: principal.id, set: "org = NULL", [])
        default:
            try Principal.touch(db, id: principal.id, set: "id = id", [])
        }
        sessions.invalidateAfterCommit(db)
        return Change(result: try Principal.find(db, id: principal.id)!.json, target: target(principal.name))
    }

    func disable(_ call: Call, _ db: Database) throws -> Change {
        try setStatus(call, db, "disabled")
    }

    func enable(_ call: Call, _ db: Database) throws -> Change {
        try setStatus(call, db, "active")
    }

    private func setStatus(_ call: Call, _ db: Database, _ status: String) throws -> Change {
        let principal = try Principal.require(db, name: try call.requiredString("name"))
        guard principal.status != status else {
            throw RPCError.invalidState("principal \"\(principal.name)\" is already \(status)", details: ["status": .string(status)])
        }
        if status == "disabled", principal.roles.contains(Role.admin.rawValue) {
            try requireAnotherActiveAdmin(db, than: principal)
        }
        try Principal.touch(db, id: principal.id, set: "status = ?", [status])
        sessions.invalidateAfterCommit(db)
        return Change(result: try Principal.find(db, id: principal.id)!.json, target: target(principal.name))
    }

    /// Nobody may lock every administrator out.
    private func requireAnotherActiveAdmin(_ db: Database, than principal: Principal) throws {
        let others = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM principal p JOIN principal_role r ON r.principal_id = p.id
            WHERE r.role = 'admin' AND p.status = 'active' AND p.id != ?
            """, arguments: [principal.id]) ?? 0
        if others == 0 {
            throw RPCError.invalidState("\"\(principal.name)\" is the last active admin; make another admin first")
        }
    }

    func setSecret(_ call: Call, _ db: Database) throws -> Change {
        let principal = try Principal.require(db, name: try call.requiredString("name"))
        let hash = try passwords.hash(try call.requiredString("secret"))
        try Principal.touch(db, id: principal.id, set: "password_hash = ?", [hash])
        return Change(result: try Principal.find(db, id: principal.id)!.json, target: target(principal.name))
    }

    func bindUID(_ call: Call, _ db: Database) throws -> Change {
        let principal = try Principal.require(db, name: try call.requiredString("name"))
        let uid = try call.requiredInt("uid")
        if let holder = try String.fetchOne(db, sql: """
            SELECT p.name FROM uid_binding b JOIN principal p ON p.id = b.principal_id WHERE b.uid = ?
            """, arguments: [uid]), holder != principal.name {
            throw RPCError.conflict("uid \(uid) is already bound to \"\(holder)\"; unbind it first",
                                    details: ["field": "uid", "principal": .string(holder)])
        }
        try db.execute(sql: """
            INSERT INTO uid_binding(uid, principal_id, created_at) VALUES (?, ?, ?)
            ON CONFLICT(uid) DO NOTHING
            """, arguments: [uid, principal.id, UTCTime.now()])
        return Change(result: ["name": .string(principal.name), "uid": .int(uid)], target: target(principal.name))
    }

    func unbindUID(_ call: Call, _ db: Database) throws -> Change {
        let uid = try call.requiredInt("uid")
        guard let holder = try String.fetchOne(db, sql: """
            SELECT p.name FROM uid_binding b JOIN principal p ON p.id = b.principal_id WHERE b.uid = ?
            """, arguments: [uid]) else {
            throw RPCError.notFound("uid \(uid) is not bound to any principal", details: ["field": "uid"])
        }
        try db.execute(sql: "DELETE FROM uid_binding WHERE uid = ?", arguments: [uid])
        return Change(result: ["name": .string(holder), "uid": .int(uid)], target: target(holder))
    }
}

/// `token.*`: API tokens for scripts. A token is shown once, at creation; only its SHA-256 is kept.
struct TokenMethods: Sendable {
    func create(_ call: Call, _ db: Database) throws -> Change {
        let principal = try Principal.require(db, name: try call.requiredString("principal"), field: "principal")
        let label = try call.requiredString("label")
        let expiresAt = call.string("expires_at")
        if let expiresAt, expiresAt <= UTCTime.now() {
            throw RPCError.invalidParams(field: "expires_at", "expires_at must be in the future")
        }
        let token = Secrets.newToken()
        let now = UTCTime.now()
        try db.execute(sql: """
            INSERT INTO api_token(principal_id, label, digest, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [principal.id, label, Secrets.digest(token), now, expiresAt])
        let id = db.lastInsertedRowID
        var result: [String: JSONValue] = [
            "id": .int(id), "principal": .string(principal.name), "label": .string(label),
            "token": .string(token), "created_at": .string(now),
        ]
        if let expiresAt { result["expires_at"] = .string(expiresAt) }
        return Change(result: .object(result), target: AuditTarget(type: "token", id: String(id)))
    }

    func list(_ call: Call, _ db: Database) throws -> JSONValue {
        let principal = try Principal.require(db, name: try call.requiredString("principal"), field: "principal")
        let now = UTCTime.now()
        let request = try call.page(defaultLimit: 100)
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM api_token WHERE principal_id = ? AND id > ? ORDER BY id LIMIT ?",
                                    arguments: [principal.id, request.after, request.fetchLimit])
        return Page(rows, request, cursor: { String($0["id"] as Int64) }).json("tokens") { row in
            var object: [String: JSONValue] = [
                "id": .int(row["id"]), "principal": .string(principal.name), "label": .string(row["label"]),
                "created_at": .string(row["created_at"]),
            ]
            let expiresAt: String? = row["expires_at"], revokedAt: String? = row["revoked_at"], usedAt: String? = row["last_used_at"]
            if let expiresAt { object["expires_at"] = .string(expiresAt) }
            if let revokedAt { object["revoked_at"] = .string(revokedAt) }
            if let usedAt { object["last_used_at"] = .string(usedAt) }
            object["status"] = revokedAt != nil ? "revoked" : (expiresAt.map { $0 <= now } ?? false) ? "expired" : "active"
            return .object(object)
        }
    }

    func revoke(_ call: Call, _ db: Database) throws -> Change {
        let id = try call.requiredInt("id")
        guard let row = try Row.fetchOne(db, sql: """
            SELECT t.revoked_at, p.name FROM api_token t JOIN principal p ON p.id = t.principal_id WHERE t.id = ?
            """, arguments: [id]) else {
            throw RPCError.notFound("no token with id \(id)", details: ["field": "id"])
        }
        let revokedAt: String? = row["revoked_at"]
        if let revokedAt { throw RPCError.invalidState("token \(id) was already revoked at \(revokedAt)") }
        let now = UTCTime.now()
        try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE id = ?", arguments: [now, id])
        let name: String = row["name"]
        return Change(result: ["id": .int(id), "principal": .string(name), "revoked_at": .string(now)],
                      target: AuditTarget(type: "token", id: String(id)))
    }
}
