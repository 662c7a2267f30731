import GRDB
import TalentProtocol
import TalentStorage

/// The SQL of the event log, bound to one transaction or snapshot.
struct EventStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    /// The event row of the audit entry `seq`, to insert in that entry's transaction; nil when
    /// its method is not an event.
    static func row(seq: Int64, at timestamp: String, method: String, target: AuditTarget?, params: JSONValue,
                    result: JSONValue?, actorOrg: String?) -> [DatabaseValue]? {
        guard let draft = EventDraft(method: method, target: target, params: params, result: result, actorOrg: actorOrg) else { return nil }
        return [seq.databaseValue, timestamp.databaseValue, draft.kind.type.databaseValue, draft.kind.topic.rawValue.databaseValue,
                draft.org?.databaseValue ?? .null, target?.type.databaseValue ?? .null, target?.id.databaseValue ?? .null,
                draft.summaryText.databaseValue]
    }

    /// Inserts event rows (`row`'s values, one row after another), after their audit entries.
    func insert(_ values: [DatabaseValue]) throws {
        try db.insertRows("INSERT INTO event(seq, at, type, topic, org, target_type, target_id, summary) VALUES",
                          columns: 8, values: values)
    }

    /// The newest event's seq, 0 when there is none.
    func head() throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(seq) FROM event")) ?? 0
    }

    /// Events after `after` (and up to `through`), in seq order, that `view` sees (every one when nil).
    func page(after: Int64, through: Int64? = nil, view: EventView?, limit: Int) throws -> [Event] {
        var sql = "SELECT * FROM event WHERE seq > ?"
        var arguments: StatementArguments = [after]
        if let through { sql += " AND seq <= ?"; arguments += [through] }
        if let view {
            let everyOrg = view.everyOrg.map(\.rawValue).sorted(), ownOrg = view.ownOrg.map(\.rawValue).sorted()
            var seen = ["topic IN (\(placeholders(everyOrg.count)))"]
            arguments += StatementArguments(everyOrg)
            if let org = view.org, !ownOrg.isEmpty {
                seen.append("(topic IN (\(placeholders(ownOrg.count))) AND (org IS NULL OR org = ?))")
                arguments += StatementArguments(ownOrg)
                arguments += [org]
            }
            sql += " AND (\(seen.joined(separator: " OR ")))"
        }
        sql += " ORDER BY seq LIMIT ?"
        arguments += [limit]
        return try Event.fetchAll(db, sql: sql, arguments: arguments)
    }

    private func placeholders(_ count: Int) -> String {
        count == 0 ? "NULL" : Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
