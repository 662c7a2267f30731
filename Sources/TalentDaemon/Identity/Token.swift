import GRDB
import TalentProtocol

/// An API token as stored: never the token itself, only its digest (kept out of this record).
struct Token: FetchableRecord, Sendable {
    let id: Int64
    let principalName: String
    let label: String
    let createdAt: String
    let expiresAt: String?
    let revokedAt: String?
    let lastUsedAt: String?

    /// A row of `TokenStore`'s select: the token's columns and its principal's name.
    init(row: Row) {
        id = row["id"]
        principalName = row["principal_name"]
        label = row["label"]
        createdAt = row["created_at"]
        expiresAt = row["expires_at"]
        revokedAt = row["revoked_at"]
        lastUsedAt = row["last_used_at"]
    }

    /// "revoked", "expired" or "active" at the given timestamp.
    func status(at timestamp: String) -> String {
        if revokedAt != nil { return "revoked" }
        if let expiresAt, expiresAt <= timestamp { return "expired" }
        return "active"
    }

    func json(at timestamp: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "principal": .string(principalName), "label": .string(label),
            "created_at": .string(createdAt), "status": .string(status(at: timestamp)),
        ]
        if let expiresAt { object["expires_at"] = .string(expiresAt) }
        if let revokedAt { object["revoked_at"] = .string(revokedAt) }
        if let lastUsedAt { object["last_used_at"] = .string(lastUsedAt) }
        return .object(object)
    }
}
