import GRDB
import TalentProtocol

/// The SQL of dated parameters. Values are append-only: what the system knew at a time is the
/// rows recorded by then, the latest row for an effective_from replacing earlier ones.
struct ParamStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    func definition(name: String) throws -> ParamDefinition? {
        try ParamDefinition.fetchOne(db, sql: "SELECT * FROM param WHERE name = ?", arguments: [name])
    }

    func definitions(_ page: PageRequest) throws -> [ParamDefinition] {
        try ParamDefinition.fetchAll(db, sql: "SELECT * FROM param WHERE id > ? ORDER BY id LIMIT ?",
                                     arguments: [page.after, page.fetchLimit])
    }

    func define(name: String, unit: ParamUnit, description: String, by principal: String, at timestamp: String) throws {
        try db.execute(sql: "INSERT INTO param(name, unit, description, defined_by, defined_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [name, unit.rawValue, description, principal, timestamp])
    }

    private static let select = """
        SELECT v.*, p.name, p.unit, r.recorded_at AS replaced_at, r.recorded_by AS replaced_by
        FROM param_value v JOIN param p ON p.id = v.param_id
        LEFT JOIN param_value r ON r.id = (SELECT min(n.id) FROM param_value n
                                            WHERE n.param_id = v.param_id AND n.effective_from = v.effective_from AND n.id > v.id)
        """

    /// The value in force on `day` as known at `asOf` (a timestamp), or nil.
    func value(_ param: ParamDefinition, on day: String, asOf: String) throws -> ParamValue? {
        try ParamValue.fetchOne(db, sql: """
            SELECT v.*, p.name, p.unit, NULL AS replaced_at, NULL AS replaced_by
            FROM param_value v JOIN param p ON p.id = v.param_id
            WHERE v.param_id = ? AND v.effective_from <= ? AND v.recorded_at <= ?
            ORDER BY v.effective_from DESC, v.id DESC LIMIT 1
            """, arguments: [param.id, day, asOf])
    }

    /// The first effective_from known at `asOf`, for a not_found message.
    func firstEffectiveFrom(_ param: ParamDefinition, asOf: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT min(effective_from) FROM param_value WHERE param_id = ? AND recorded_at <= ?",
                            arguments: [param.id, asOf])
    }

    /// Every recorded value, in the order recorded, each with who replaced it and when.
    func history(_ param: ParamDefinition, _ page: PageRequest) throws -> [ParamValue] {
        try ParamValue.fetchAll(db, sql: "\(Self.select) WHERE v.param_id = ? AND v.id > ? ORDER BY v.id LIMIT ?",
                                arguments: [param.id, page.after, page.fetchLimit])
    }

    /// The current row (latest recorded) for one effective_from, if any.
    func current(_ param: ParamDefinition, effectiveFrom: String) throws -> ParamValue? {
        try ParamValue.fetchOne(db, sql: """
            \(Self.select) WHERE v.param_id = ? AND v.effective_from = ? ORDER BY v.id DESC LIMIT 1
            """, arguments: [param.id, effectiveFrom])
    }

    func find(id: Int64) throws -> ParamValue? {
        try ParamValue.fetchOne(db, sql: "\(Self.select) WHERE v.id = ?", arguments: [id])
    }

    struct NewValue {
        let effectiveFrom: String
        let stored: Int64
        let decisionRef: String
        let note: String?
        let corrects: Int64?
    }

    func insert(_ param: ParamDefinition, _ v: NewValue, by principal: String, at timestamp: String) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO param_value(param_id, effective_from, value, decision_ref, note, corrects_id, recorded_at, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [param.id, v.effectiveFrom, v.stored, v.decisionRef, v.note, v.corrects, timestamp, principal])
        return db.lastInsertedRowID
    }
}
