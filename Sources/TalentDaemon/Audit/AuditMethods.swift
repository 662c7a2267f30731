import TalentProtocol

/// `audit.list`, `audit.head` and `audit.verify`, for auditors and admins.
struct AuditMethods: Sendable {
    func list(_ call: Call, _ store: AuditStore) throws -> JSONValue {
        let request = try call.page(defaultLimit: 100)
        let entries = try store.list(afterSeq: request.after, limit: request.fetchLimit,
                                     principal: call.string("principal"), method: call.string("method"))
        return Page(entries, request, cursor: { String($0.seq) }).json("entries", \.json)
    }

    func head(_ call: Call, _ store: AuditStore) throws -> JSONValue {
        try store.newest().json
    }

    func verify(_ call: Call, _ store: AuditStore) throws -> JSONValue {
        try store.verify().json
    }
}
