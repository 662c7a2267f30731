import GRDB
import TalentProtocol

enum PrincipalStatus: String, Sendable {
    case active, disabled
}

/// A principal as stored: who it is, what it may do, where it belongs. Never serialized with
/// its password hash.
struct Principal: FetchableRecord, Sendable {
    let id: Int64
    let name: String
    let kind: String
    let org: String?
    let status: String
    let passwordHash: String?
    let createdAt: String
    let updatedAt: String
    let roles: [String]
    /// The registry person this principal is (recruitment conflict checks).
    let personID: Int64?

    /// A row of `PrincipalStore`'s select: the principal's columns and `roles`, comma-separated.
    init(row: Row) {
        id = row["id"]
        name = row["name"]
        kind = row["kind"]
        org = row["org"]
        status = row["status"]
        passwordHash = row["password_hash"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
        personID = row["person_id"]
        let roles: String? = row["roles"]
        self.roles = roles.map { $0.split(separator: ",").map(String.init) } ?? []
    }

    var isActive: Bool { status == PrincipalStatus.active.rawValue }
    var isAdmin: Bool { roles.contains(Role.admin.rawValue) }

    /// The session of a login: `tokenID` is the API token it logged in with, whose revocation ends it.
    func session(via: String, tokenID: Int64? = nil) -> SessionPrincipal {
        SessionPrincipal(id: id, name: name, roles: Set(roles), org: org, via: via, tokenID: tokenID)
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "kind": .string(kind), "roles": .array(roles.map(JSONValue.string)),
            "status": .string(status), "has_password": .bool(passwordHash != nil),
            "created_at": .string(createdAt), "updated_at": .string(updatedAt),
        ]
        if let org { object["org"] = .string(org) }
        if let personID { object["person_id"] = .int(personID) }
        return .object(object)
    }
}
