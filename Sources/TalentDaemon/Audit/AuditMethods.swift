import TalentProtocol

/// `audit.list` and `audit.verify`, for auditors and admins.
struct AuditMethods: Sendable {
    func list(_ call: Call, _ store: AuditStore) throws -> JSONValue {
        let limit = Int(call.int("limit") ?? 100)
        let entries = try store.list(afterSeq: call.int("after_seq") ?? 0, limit: limit,
                                          principal: call.string("principal"), method: call.string("method"))
        var result: [String: JSONValue] = ["entries": .array(entries.map(\.json))]
        if entries.count == limit, let last = entries.last { result["next_after_seq"] = .int(last.seq) }
        return .object(result)
    }

    func verify(_ call: Call, _ store: AuditStore) throws -> JSONValue {
        try store.verify().json
    }
}
