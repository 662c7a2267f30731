import GRDB
import TalentProtocol

/// `audit.list` and `audit.verify`, for auditors and admins.
struct AuditMethods: Sendable {
    func list(_ call: Call, _ db: Database) throws -> JSONValue {
        let request = try call.page(defaultLimit: 100)
        let entries = try AuditTrail.list(db, afterSeq: request.after, limit: request.fetchLimit,
                                          principal: call.string("principal"), method: call.string("method"))
        return Page(entries, request, cursor: { String($0.seq) }).json("entries", \.json)
    }

    func verify(_ call: Call, _ db: Database) throws -> JSONValue {
        try AuditTrail.verify(db).json
    }
}
