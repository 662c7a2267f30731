import TalentProtocol

/// `token.*`: API tokens for scripts. A token is shown once, at creation; only its SHA-256 is kept.
/// Revoking one also ends the sessions that logged in with it, at their next request.
struct TokenMethods: Sendable {
    let sessions: SessionResolver
    static let selfTokenMaxDays = 30

    private func target(_ id: Int64) -> AuditTarget { AuditTarget(type: "token", id: String(id)) }

    func create(_ call: Call, _ store: TokenStore) throws -> Change {
        let principal = try store.requirePrincipal(name: try call.requiredString("principal"))
        let label = try call.requiredString("label")
        let expiresAt = call.string("expires_at")
        if let expiresAt, expiresAt <= call.timestamp {
            throw RPCError.invalidParams(field: "expires_at", "expires_at must be in the future")
        }
        // A token made without the admin role is a login (talentctl login): it must end soon, so a
        // lost laptop's token is not a standing credential.
        if !call.hasAny([.admin]) {
            let latest = Instant(seconds: call.now.seconds + Self.selfTokenMaxDays * 86_400, milliseconds: 0).timestamp
            guard let expiresAt, expiresAt <= latest else {
                throw RPCError.invalidParams(field: "expires_at", "expires_at is required for a token you make for yourself, "
                                             + "at most \(Self.selfTokenMaxDays) days ahead (no later than \(latest))")
            }
        }
        let token = Secrets.newToken()
        let id = try store.insert(principalID: principal.id, label: label, digest: Secrets.digest(token),
                                  expiresAt: expiresAt, at: call.timestamp)
        var result: [String: JSONValue] = [
            "id": .int(id), "principal": .string(principal.name), "label": .string(label),
            "token": .string(token), "created_at": .string(call.timestamp),
        ]
        if let expiresAt { result["expires_at"] = .string(expiresAt) }
        return Change(result: .object(result), target: target(id))
    }

    func list(_ call: Call, _ store: TokenStore) throws -> JSONValue {
        let principal = try store.requirePrincipal(name: try call.requiredString("principal"))
        let request = try call.page(defaultLimit: 100)
        return Page(try store.list(principalID: principal.id, request), request, cursor: { String($0.id) })
            .json("tokens") { $0.json(at: call.timestamp) }
    }

    func revoke(_ call: Call, _ store: TokenStore) throws -> Change {
        let token = try store.require(id: try call.requiredInt("id"))
        // `principal` lets its owner revoke a token (talentctl logout): the table let the caller
        // through as that principal, so the token must be theirs.
        if let owner = call.string("principal"), owner != token.principalName {
            throw RPCError.notFound("principal \(owner) has no token \(token.id)", details: ["field": "id"])
        }
        if let revokedAt = token.revokedAt { throw RPCError.invalidState("token \(token.id) was already revoked at \(revokedAt)") }
        try store.revoke(id: token.id, at: call.timestamp)
        store.afterCommit(sessions.invalidate)
        return Change(result: ["id": .int(token.id), "principal": .string(token.principalName), "revoked_at": .string(call.timestamp)],
                      target: target(token.id))
    }
}
