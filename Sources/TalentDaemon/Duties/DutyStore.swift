import GRDB
import TalentProtocol

/// The SQL of duties. A duty's done date is derived here, in SQL, on the date asked (`:at`),
/// from the records' own dates (terms, submissions, start of post), never from when they were
/// entered; its status follows by `DutyRule`.
///
/// For the KPI report: `statusCounts(at:)` gives every org's duties by status on a date. Its
/// name and signature are stable.
struct DutyStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    /// When a derived duty was done, on or before `:at` (NULL: not done by then).
    private static let doneOn = """
        CASE d.kind
            WHEN 'manual' THEN CASE WHEN d.completed_on <= :at THEN d.completed_on END
            WHEN 'chief_engineers' THEN \(AppointmentStore.bothChiefEngineersSinceSQL(org: "d.org", at: ":at"))
            WHEN 'nominations' THEN \(AwardStore.targetNominationsSinceSQL(org: "d.org", roundID: "d.target_round_id", target: "d.target", at: ":at"))
            WHEN 'recruitment' THEN \(ExpertStore.targetExpertsSinceSQL(org: "d.org", target: "d.target", at: ":at"))
        END
        """

    /// Duties with their done date and the date asked, as `Duty` reads them.
    private static let derived = """
        SELECT d.*, r.code AS target_round, :at AS at, \(doneOn) AS done_on
        FROM duty d LEFT JOIN award_round r ON r.id = d.target_round_id
        """

    private static let status = DutyRule.sqlStatus(dueOn: "d.due_on", doneOn: "d.done_on", cancelledOn: "d.cancelled_on", at: ":at")

    func find(id: Int64, at day: String) throws -> Duty? {
        try Duty.fetchOne(db, sql: "\(Self.derived) WHERE d.id = :id", arguments: ["id": id, "at": day])
    }

    func require(id: Int64, at day: String) throws -> Duty {
        guard let duty = try find(id: id, at: day) else {
            throw RPCError.notFound("no duty with id \(id); duty.list shows them", details: ["field": "id"])
        }
        return duty
    }

    /// The org of a duty, for record scoping (nil: no such duty).
    func org(id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try String.fetchOne(db, sql: "SELECT org FROM duty WHERE id = ?", arguments: [id])
    }

    struct Filter {
        var org: String?
        var status: DutyStatus?
        var kind: DutyKind?
        var at: String
    }

    /// Duties matching the filter on `filter.at`, in id order, one page.
    func list(_ filter: Filter, _ page: PageRequest) throws -> [Duty] {
        var conditions = ["d.id > :after"]
        if filter.org != nil { conditions.append("d.org = :org") }
        if filter.kind != nil { conditions.append("d.kind = :kind") }
        let statusCondition = filter.status == nil ? "" : "WHERE \(Self.status) = :status"
        return try Duty.fetchAll(db, sql: """
            SELECT * FROM (\(Self.derived) WHERE \(conditions.joined(separator: " AND "))) d
            \(statusCondition) ORDER BY d.id LIMIT :limit
            """, arguments: ["after": page.after, "org": filter.org, "kind": filter.kind?.rawValue,
                             "status": filter.status?.rawValue, "at": filter.at, "limit": page.fetchLimit])
    }

    /// Every org's duties by status on `at`, keyed by org code; cancelled duties are left out,
    /// orgs without duties are absent. `on_time` is `done`, by due date.
    func statusCounts(at: CalendarDate) throws -> [String: DutyCounts] {
        // LIMIT -1 keeps SQLite from flattening the subquery, which would copy the done_on
        // expression (its correlated subqueries) into each use in the status: half the time.
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.org, \(Self.status) AS status, count(*) AS n FROM (\(Self.derived) LIMIT -1) d GROUP BY 1, 2
            """, arguments: ["at": at.description])
        var counts: [String: DutyCounts] = [:]
        for row in rows {
            let org: String = row["org"], n: Int64 = row["n"]
            switch DutyStatus(rawValue: row["status"]) {
            case .done: counts[org, default: DutyCounts()].onTime += n
            case .late: counts[org, default: DutyCounts()].late += n
            case .doneLate: counts[org, default: DutyCounts()].doneLate += n
            case .open: counts[org, default: DutyCounts()].open += n
            case .cancelled, nil: break
            }
        }
        return counts
    }

    // MARK: creating and changing

    /// The org codes a duty.create `orgs` word stands for, in code order.
    func orgCodes(kinds: [OrgKind]?) throws -> [String] {
        guard let kinds else { return try String.fetchAll(db, sql: "SELECT code FROM org ORDER BY code") }
        return try String.fetchAll(db, sql: "SELECT code FROM org WHERE kind IN (SELECT value FROM json_each(?)) ORDER BY code",
                                   arguments: [JSONWriter.string(.array(kinds.map { .string($0.rawValue) }))])
    }

    /// Which of these org codes name no organization.
    func unknownOrgs(_ codes: [String]) throws -> [String] {
        let known = Set(try String.fetchAll(db, sql: "SELECT code FROM org WHERE code IN (SELECT value FROM json_each(?))",
                                            arguments: [JSONWriter.string(.array(codes.map(JSONValue.string)))]))
        return codes.filter { !known.contains($0) }
    }

    func roundID(code: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM award_round WHERE code = ?", arguments: [code])
    }

    struct NewDuty {
        let title: String
        let kind: DutyKind
        let dueOn: String
        let responsible: String?
        let target: Int64?
        let targetRoundID: Int64?
        let note: String?
    }

    /// One duty per org, in the order given; returns their ids.
    func insert(_ duty: NewDuty, orgs: [String], by principal: String, at timestamp: String) throws -> [Int64] {
        try orgs.map { org in
            try db.execute(sql: """
                INSERT INTO duty(title, org, kind, due_on, responsible, target, target_round_id, note,
                                 created_by, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [duty.title, org, duty.kind.rawValue, duty.dueOn, duty.responsible, duty.target,
                                 duty.targetRoundID, duty.note, principal, timestamp, timestamp])
            return db.lastInsertedRowID
        }
    }

    func complete(id: Int64, on day: String, result: String, evidenceRef: String?, by principal: String, at timestamp: String) throws {
        try db.execute(sql: """
            UPDATE duty SET completed_on = ?, completed_by = ?, completed_at = ?, result = ?, evidence_ref = ?, updated_at = ?
            WHERE id = ?
            """, arguments: [day, principal, timestamp, result, evidenceRef, timestamp, id])
    }

    func cancel(id: Int64, on day: String, reason: String, by principal: String, at timestamp: String) throws {
        try db.execute(sql: """
            UPDATE duty SET cancelled_on = ?, cancelled_by = ?, cancelled_at = ?, cancel_reason = ?, updated_at = ? WHERE id = ?
            """, arguments: [day, principal, timestamp, reason, timestamp, id])
    }

    // MARK: the late sweep

    /// Duties late on `day` whose lateness is not yet published, in id order.
    func unpublishedLate(on day: String) throws -> [Duty] {
        try Duty.fetchAll(db, sql: """
            SELECT * FROM (\(Self.derived) WHERE d.late_recorded_seq IS NULL AND d.cancelled_on IS NULL AND d.due_on < :at) d
            WHERE \(Self.status) = 'late' ORDER BY d.id
            """, arguments: ["at": day])
    }

    /// Records that the duty's lateness was published by the audit entry `seq`.
    func markLatePublished(id: Int64, seq: Int64) throws {
        try db.execute(sql: "UPDATE duty SET late_recorded_seq = ? WHERE id = ?", arguments: [seq, id])
    }
}
