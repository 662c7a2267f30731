import GRDB
import TalentProtocol

/// What sessions read and write: the principal logging in, its token, its login's audit entry,
/// and whether a session loaded earlier still holds. Speaks through the principal, token and
/// audit stores, bound to the same transaction or snapshot.
struct SessionStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    private var principals: PrincipalStore { PrincipalStore(db) }
    private var tokens: TokenStore { TokenStore(db) }
    var audit: AuditStore { AuditStore(db) }

    func principal(named name: String) throws -> Principal? { try principals.find(name: name) }

    func principal(id: Int64) throws -> Principal? { try principals.find(id: id) }

    /// The id of the principal's live token with this digest (nil: none, revoked or expired).
    func usableToken(digest: String, principalID: Int64, at timestamp: String) throws -> Int64? {
        try tokens.usable(digest: digest, principalID: principalID, at: timestamp)
    }

    /// A successful login: the token's last use, and a password hash redone with today's parameters.
    func recordLogin(principalID: Int64, tokenID: Int64?, rehash: String?, at timestamp: String) throws {
        if let tokenID { try tokens.markUsed(id: tokenID, at: timestamp) }
        if let rehash { try principals.setPasswordHash(id: principalID, rehash, at: timestamp) }
    }

    /// A session loaded before principals or tokens changed, as it stands now: nil once its
    /// principal is disabled or gone, or the token it logged in with is revoked.
    func reload(_ session: SessionPrincipal) throws -> SessionPrincipal? {
        guard let principal = try principals.find(id: session.id), principal.isActive else { return nil }
        if let tokenID = session.tokenID, try tokens.isRevoked(id: tokenID) { return nil }
        return principal.session(via: session.via, tokenID: session.tokenID)
    }

    /// The session of a connection whose peer's Unix uid is bound to an active principal.
    func peerSession(uid: UInt32) throws -> SessionPrincipal? {
        try principals.find(uid: uid)?.session(via: "peer")
    }
}
