import GRDB
import TalentProtocol

/// The SQL of the event log, bound to one transaction or snapshot.
struct EventStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    /// Records the event of the audit entry `seq` just appended, if its method is an event;
    /// call inside that entry's transaction.
    func record(seq: Int64, at timestamp: String, method: String, target: AuditTarget?, params: JSONValue,
                result: JSONValue?, actorOrg: String?) throws {
        guard let draft = EventDraft(method: method, target: target, params: params, result: result, actorOrg: actorOrg) else { return }
        // Every write runs this inside the shared commit, beside the audit append: prepared once.
        try db.cachedStatement(sql: """
            INSERT INTO event(seq, at, type, topic, org, target_type, target_id, summary)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [seq, timestamp, draft.kind.type, draft.kind.topic.rawValue, draft.org,
                             target?.type, target?.id, JSONWriter.string(draft.summary)])
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
