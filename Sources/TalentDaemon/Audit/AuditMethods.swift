import GRDB
import TalentProtocol

/// `audit.list` and `audit.verify`, for auditors and admins.
struct AuditMethods: Sendable {
    func list(_ call: Call, _ db: Database) throws -> JSONValue {
        let page = Page(call, defaultLimit: 100)
        let entries = try AuditTrail.list(db, afterSeq: try page.afterID(), limit: page.fetchLimit,
                                          principal: call.string("principal"), method: call.string("method"))
        return page.result(entries, "entries", cursor: { String($0.seq) }, json: \.json)
    }

    func verify(_ call: Call, _ db: Database) throws -> JSONValue {
        try AuditTrail.verify(db).json
    }
}
