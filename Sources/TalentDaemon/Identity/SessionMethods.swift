import TalentProtocol
import TalentStorage

/// `session.login`, `session.whoami`, `session.logout`.
struct SessionMethods: Sendable {
    let store: Store
    let sessions: SessionResolver
    let throttle: LoginThrottle
    let passwords: Passwords

    /// Password or API token. Runs on the bounded CPU pool (Argon2) and so outside any
    /// transaction; a refused attempt is recorded in the audit trail as `denied`, without the secret.
    func login(_ call: Call) throws -> JSONValue {
        let name = try call.requiredString("principal")
        let secret = try call.requiredString("secret")
        // Read before the secret is checked: a token revoked from here on ends this session.
        let generation = sessions.generation
        let principal = try reading { try $0.principal(named: name) }
        // The throttle knows whether the name is real: a flood of made-up names from one Unix
        // user must not lock out that user's real principals.
        try throttle.check(name: name, connection: call.connection, isPrincipal: principal != nil)
        var via = "password"
        var tokenID: Int64?
        var accepted = false
        if secret.hasPrefix(Secrets.tokenPrefix) {
            via = "token"
            let digest = Secrets.digest(secret)
            tokenID = try reading { try $0.usableToken(digest: digest, principalID: principal?.id ?? -1, at: call.timestamp) }
            accepted = tokenID != nil && principal?.isActive == true
        } else if let principal, principal.isActive, let hash = principal.passwordHash {
            accepted = passwords.verify(secret, against: hash)
        } else {
            passwords.burn(secret)
        }
        let params: JSONValue = ["principal": .string(name), "secret": "***"]
        let target = AuditTarget(type: "principal", id: name)
        guard accepted, let principal else {
            throttle.recordFailure(name: name, connection: call.connection)
            try writing {
                try $0.audit.append(principal: name, method: call.method, target: target, params: params, outcome: "denied", at: call.timestamp)
            }
            throw RPCError.unauthenticated("wrong principal or secret, or the principal is disabled")
        }
        throttle.recordSuccess(name: name, connection: call.connection)
        // Parameters raised since this hash was made: redo it now that we know the password.
        let rehash = via == "password" && passwords.needsRehash(principal.passwordHash ?? "") ? try passwords.hash(secret) : nil
        try writing { store in
            try store.recordLogin(principalID: principal.id, tokenID: tokenID, rehash: rehash, at: call.timestamp)
            // A token login is every command of a script or of a `talentctl login` session: its
            // last_used_at says when it was used; the trail keeps password logins and refusals.
            if via == "password" {
                try store.audit.append(principal: name, method: call.method, target: target, params: params, at: call.timestamp)
            }
        }
        let session = principal.session(via: via, tokenID: tokenID)
        sessions.login(call.connection, as: session, loadedAt: generation)
        return Self.describe(session, kind: principal.kind)
    }

    private func reading<T>(_ body: (SessionStore) throws -> T) throws -> T {
        try store.pool.read { try body(SessionStore($0)) }
    }

    private func writing(_ body: (SessionStore) throws -> Void) throws {
        try store.pool.write { try body(SessionStore($0)) }
    }

    /// Only a password login runs Argon2; one with an API token is a SHA-256 and a lookup.
    @Sendable static func hashesPassword(_ params: [String: JSONValue]) -> Bool {
        !(params["secret"]?.stringValue?.hasPrefix(Secrets.tokenPrefix) ?? false)
    }

    func whoami(_ call: Call, _ store: SessionStore) throws -> JSONValue {
        guard let session = call.principal, let principal = try store.principal(id: session.id) else {
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
