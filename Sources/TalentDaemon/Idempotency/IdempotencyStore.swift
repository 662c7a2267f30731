import GRDB
import TalentProtocol

/// Idempotency keys for mutating methods. A key is remembered per principal together with a
/// digest of the params and the original result, in the same transaction as the change, so a
/// crash can never keep one without the other. Keys expire after the retention window.
struct IdempotencyStore: DomainStore {
    static let paramName = "idempotency_key"

    let db: Database

    init(_ db: Database) { self.db = db }


    enum Lookup {
        case absent
        case replay(JSONValue)
    }

    /// The digest of what a retry must repeat exactly: the method and every param but the key.
    static func digest(method: String, params: [String: JSONValue]) -> String {
        var rest = params
        rest.removeValue(forKey: paramName)
        return Secrets.sha256Hex(JSONWriter.bytes(["method": .string(method), "params": .object(rest)]))
    }

    /// The result to replay for this key, unless it was stored before `notBefore` (expired).
    func lookup(principalID: Int64, key: String, digest: String, notBefore: String) throws -> Lookup {
        // Every keyed write runs this and `store` (inside the shared commit): prepared once per connection.
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT method, params_digest, result, created_at FROM idempotency_key WHERE principal_id = ? AND key = ?
            """), arguments: [principalID, key]) else { return .absent }
        let createdAt: String = row["created_at"]
        if createdAt < notBefore {
            // Expired but not purged yet: as if it were gone.
            try db.execute(sql: "DELETE FROM idempotency_key WHERE principal_id = ? AND key = ?", arguments: [principalID, key])
            return .absent
        }
        guard row["params_digest"] == digest else {
            let method: String = row["method"]
            throw RPCError.idempotencyMismatch(
                "idempotency_key \"\(key)\" was already used at \(createdAt) for a different request (\(method) with other params); use a new key for a new request")
        }
        let text: String = row["result"]
        return .replay(try JSONParser.parse(text))
    }

    func store(principalID: Int64, key: String, method: String, digest: String, result: JSONValue, at timestamp: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO idempotency_key(principal_id, key, method, params_digest, result, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [principalID, key, method, digest, JSONWriter.string(result), timestamp])
    }

    /// Deletes keys created before `cutoff`; returns how many.
    func purge(before cutoff: String) throws -> Int {
        try db.execute(sql: "DELETE FROM idempotency_key WHERE created_at < ?", arguments: [cutoff])
        return db.changesCount
    }
}
