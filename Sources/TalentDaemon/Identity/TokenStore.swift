import GRDB
import TalentProtocol

/// The SQL of API tokens, bound to one request's transaction or snapshot. Tokens are found by
/// the SHA-256 digest of their text, never by the text.
struct TokenStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    private static let select = "SELECT t.*, p.name AS principal_name FROM api_token t JOIN principal p ON p.id = t.principal_id"

    /// The principal a token is created or listed for, named by the `principal` param.
    func requirePrincipal(name: String) throws -> Principal {
        try PrincipalStore(db).require(name: name, field: "principal")
    }

    func insert(principalID: Int64, label: String, digest: String, expiresAt: String?, at timestamp: String) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO api_token(principal_id, label, digest, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [principalID, label, digest, timestamp, expiresAt])
        return db.lastInsertedRowID
    }

    func list(principalID: Int64, _ page: PageRequest) throws -> [Token] {
        try Token.fetchAll(db, sql: "\(Self.select) WHERE t.principal_id = ? AND t.id > ? ORDER BY t.id LIMIT ?",
                           arguments: [principalID, page.after, page.fetchLimit])
    }

    func require(id: Int64) throws -> Token {
        guard let token = try Token.fetchOne(db, sql: "\(Self.select) WHERE t.id = ?", arguments: [id]) else {
            throw RPCError.notFound("no token with id \(id)", details: ["field": "id"])
        }
        return token
    }

    func revoke(id: Int64, at timestamp: String) throws {
        try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE id = ?", arguments: [timestamp, id])
    }

    /// The id of the principal's token with this digest, if it is neither revoked nor expired.
    func usable(digest: String, principalID: Int64, at timestamp: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT id FROM api_token WHERE digest = ? AND principal_id = ? AND revoked_at IS NULL
            AND (expires_at IS NULL OR expires_at > ?)
            """, arguments: [digest, principalID, timestamp])
    }

    func isRevoked(id: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT revoked_at IS NOT NULL FROM api_token WHERE id = ?", arguments: [id]) ?? true
    }

    func markUsed(id: Int64, at timestamp: String) throws {
        try db.execute(sql: "UPDATE api_token SET last_used_at = ? WHERE id = ?", arguments: [timestamp, id])
    }

    /// Runs `action` once this transaction commits (nothing if it rolls back).
    func afterCommit(_ action: @escaping @Sendable () -> Void) {
        db.afterNextTransaction { _ in action() }
    }
}
