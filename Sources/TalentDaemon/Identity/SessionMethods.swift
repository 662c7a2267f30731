import GRDB
import TalentProtocol
import TalentStorage

/// `session.login`, `session.whoami`, `session.logout`.
struct SessionMethods: Sendable {
    let store: Store
    let sessions: SessionResolver
    let throttle: LoginThrottle
    let passwords: Passwords

    /// Password or API token. Runs on the bounded CPU pool (Argon2); a refused attempt is
    /// recorded in the audit trail as `denied`, without the secret.
    func login(_ call: Call) throws -> JSONValue {
        let name = try call.requiredString("principal")
        let secret = try call.requiredString("secret")
        let principal = try store.pool.read { try Principal.find($0, name: name) }
        try throttle.check(name: name, connection: call.connection, isPrincipal: principal != nil)
        var via = "password"
        var tokenID: Int64?
        var accepted = false
        if secret.hasPrefix(Secrets.tokenPrefix) {
            via = "token"
            let digest = Secrets.digest(secret)
            tokenID = try store.pool.read { db in
                try Int64.fetchOne(db, sql: """
                    SELECT id FROM api_token WHERE digest = ? AND principal_id = ? AND revoked_at IS NULL
                    AND (expires_at IS NULL OR expires_at > ?)
                    """, arguments: [digest, principal?.id ?? -1, UTCTime.now()])
            }
            accepted = tokenID != nil && principal?.isActive == true
        } else if let principal, principal.isActive, let hash = principal.passwordHash {
            accepted = passwords.verify(secret, against: hash)
        } else {
            passwords.burn(secret)
        }
        let params: JSONValue = ["principal": .string(name), "secret": "***"]
        guard accepted, let principal else {
            throttle.recordFailure(name: name, connection: call.connection)
            try store.pool.write { db in
                try AuditTrail.append(db, principal: name, method: call.method, target: AuditTarget(type: "principal", id: name),
                                      params: params, outcome: "denied")
            }
            throw RPCError.unauthenticated("wrong principal or secret, or the principal is disabled")
        }
        throttle.recordSuccess(name: name, connection: call.connection)
        // Parameters raised since this hash was made: redo it now that we know the password.
        let rehash = via == "password" && passwords.needsRehash(principal.passwordHash ?? "") ? try passwords.hash(secret) : nil
        try store.pool.write { db in
            if let tokenID {
                try db.execute(sql: "UPDATE api_token SET last_used_at = ? WHERE id = ?", arguments: [UTCTime.now(), tokenID])
            }
            if let rehash { try Principal.touch(db, id: principal.id, set: "password_hash = ?", [rehash]) }
            try AuditTrail.append(db, principal: name, method: call.method, target: AuditTarget(type: "principal", id: name),
                                  params: params)
        }
        let session = principal.session(via: via)
        sessions.login(call.connection, as: session)
        return Self.describe(session, kind: principal.kind)
    }

    /// Only a password login runs Argon2; one with an API token is a SHA-256 and a lookup.
    @Sendable static func hashesPassword(_ params: [String: JSONValue]) -> Bool {
        !(params["secret"]?.stringValue?.hasPrefix(Secrets.tokenPrefix) ?? false)
    }

    func whoami(_ call: Call, _ db: Database) throws -> JSONValue {
        guard let session = call.principal, let principal = try Principal.find(db, id: session.id) else {
            throw RPCError.unauthenticated()
        }
        return Self.describe(session, kind: principal.kind)
    }

    func logout(_ call: Call) throws -> JSONValue {
        sessions.logout(call.connection)
        return ["logged_out": true]
    }

    static func describe(_ session: SessionPrincipal, kind: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "principal": .string(session.name), "kind": .string(kind),
            "roles": .array(session.roles.sorted().map(JSONValue.string)), "via": .string(session.via),
        ]
        if let org = session.org { object["org"] = .string(org) }
        return .object(object)
    }
}
