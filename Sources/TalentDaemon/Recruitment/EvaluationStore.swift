import GRDB
import TalentProtocol

/// The SQL of evaluations: assignments checked, conflicts declared, scores, and what a ranking reads.
struct EvaluationStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    var applications: ApplicationStore { ApplicationStore(db) }
    var campaigns: CampaignStore { CampaignStore(db) }

    /// The employer registered for a person (nil: none or no such person).
    func employer(personID: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT employer FROM person WHERE id = ?", arguments: [personID])
    }

    struct DeclaredConflict {
        let evaluator: String
        let kind: String
        let note: String
        let declaredAt: String

        var json: JSONValue {
            ["evaluator": .string(evaluator), "kind": .string(kind), "note": .string(note), "declared_at": .string(declaredAt)]
        }
    }

    func declaredConflict(applicationID: Int64, principalID: Int64) throws -> DeclaredConflict? {
        try conflicts("c.application_id = ? AND c.principal_id = ?", [applicationID, principalID]).first
    }

    func declareConflict(applicationID: Int64, principalID: Int64, kind: String, note: String, at timestamp: String) throws -> Int64 {
        do {
            try db.execute(sql: """
                INSERT INTO evaluation_conflict(application_id, principal_id, kind, note, declared_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [applicationID, principalID, kind, note, timestamp])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RPCError.conflict("a conflict with application \(applicationID) is already declared; it stands", details: ["field": "application_id"])
        }
        return db.lastInsertedRowID
    }

    /// Conflicts declared on the applications of a campaign, by application id.
    func conflicts(campaignID: Int64) throws -> [Int64: [DeclaredConflict]] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.application_id, c.kind, c.note, c.declared_at, p.name FROM evaluation_conflict c
            JOIN principal p ON p.id = c.principal_id JOIN application a ON a.id = c.application_id
            WHERE a.campaign_id = ? ORDER BY c.id
            """, arguments: [campaignID])
        return Dictionary(grouping: rows, by: { $0["application_id"] as Int64 }).mapValues { rows in
            rows.map { DeclaredConflict(evaluator: $0["name"], kind: $0["kind"], note: $0["note"], declaredAt: $0["declared_at"]) }
        }
    }

    private func conflicts(_ condition: String, _ arguments: StatementArguments) throws -> [DeclaredConflict] {
        try Row.fetchAll(db, sql: """
            SELECT c.kind, c.note, c.declared_at, p.name FROM evaluation_conflict c JOIN principal p ON p.id = c.principal_id
            WHERE \(condition) ORDER BY c.id
            """, arguments: arguments).map {
            DeclaredConflict(evaluator: $0["name"], kind: $0["kind"], note: $0["note"], declaredAt: $0["declared_at"])
        }
    }

    /// Records one evaluator's scores; a second evaluation by the same evaluator answers
    /// `conflict` naming the first (the UNIQUE index `evaluation_once` decides).
    func insert(applicationID: Int64, principalID: Int64, scores: [(key: String, score: Int64)], comment: String?, at timestamp: String) throws -> Int64 {
        do {
            try db.execute(sql: "INSERT INTO evaluation(application_id, principal_id, comment, submitted_at) VALUES (?, ?, ?, ?)",
                           arguments: [applicationID, principalID, comment, timestamp])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            let other = try Int64.fetchOne(db, sql: "SELECT id FROM evaluation WHERE application_id = ? AND principal_id = ?",
                                           arguments: [applicationID, principalID])
            throw RPCError.conflict("you already evaluated application \(applicationID): evaluation \(other.map(String.init) ?? "?"); "
                                    + "an evaluator scores a candidate once", details: ["evaluation_id": other.map(JSONValue.int) ?? .null])
        }
        let id = db.lastInsertedRowID
        for (key, score) in scores {
            do {
                try db.execute(sql: "INSERT INTO evaluation_score(evaluation_id, criterion_key, score) VALUES (?, ?, ?)",
                               arguments: [id, key, score])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw RPCError.invalidParams(field: key, "\(key): score \(score) is outside the criterion's range")
            }
        }
        return id
    }

    struct Submitted {
        let id: Int64
        let applicationID: Int64
        let evaluator: String
        let principalID: Int64
        let comment: String?
        let submittedAt: String
        var scores: [String: Int64]

        var json: JSONValue {
            var object: [String: JSONValue] = [
                "id": .int(id), "application_id": .int(applicationID), "evaluator": .string(evaluator),
                "submitted_at": .string(submittedAt),
                "scores": .object(scores.mapValues(JSONValue.int)),
            ]
            if let comment { object["comment"] = .string(comment) }
            return .object(object)
        }
    }

    /// The evaluations of one application, in id order.
    func evaluations(applicationID: Int64) throws -> [Submitted] {
        var byID: [Int64: Submitted] = [:]
        var order: [Int64] = []
        for row in try Row.fetchAll(db, sql: """
            SELECT e.id, e.application_id, e.principal_id, e.comment, e.submitted_at, p.name, s.criterion_key, s.score
            FROM evaluation e JOIN principal p ON p.id = e.principal_id JOIN evaluation_score s ON s.evaluation_id = e.id
            WHERE e.application_id = ? ORDER BY e.id
            """, arguments: [applicationID]) {
            let id: Int64 = row["id"]
            if byID[id] == nil {
                order.append(id)
                byID[id] = Submitted(id: id, applicationID: row["application_id"], evaluator: row["name"], principalID: row["principal_id"],
                                     comment: row["comment"], submittedAt: row["submitted_at"], scores: [:])
            }
            byID[id]!.scores[row["criterion_key"]] = row["score"]
        }
        return order.map { byID[$0]! }
    }

    /// The integer sums a ranking needs, per application of the campaign that has evaluations
    /// (`Ranking.Candidate`), computed in SQL: one row per evaluated application and criterion.
    func rankingSums(campaignID: Int64) throws -> [Int64: Ranking.Candidate] {
        var sums: [Int64: [String: Int64]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT e.application_id, s.criterion_key, sum(s.score)
            FROM application a JOIN evaluation e ON e.application_id = a.id JOIN evaluation_score s ON s.evaluation_id = e.id
            WHERE a.campaign_id = ? GROUP BY e.application_id, s.criterion_key
            """, arguments: [campaignID]) {
            sums[row[0] as Int64, default: [:]][row[1] as String] = row[2]
        }
        var candidates: [Int64: Ranking.Candidate] = [:]
        for row in try Row.fetchAll(db, sql: """
            WITH weighted AS (
                SELECT e.application_id, sum(s.score * c.weight) AS w
                FROM application a JOIN evaluation e ON e.application_id = a.id JOIN evaluation_score s ON s.evaluation_id = e.id
                JOIN campaign_criterion c ON c.campaign_id = a.campaign_id AND c.key = s.criterion_key
                WHERE a.campaign_id = ? GROUP BY e.id)
            SELECT application_id, count(*), sum(w), max(w), min(w) FROM weighted GROUP BY application_id
            """, arguments: [campaignID]) {
            let id: Int64 = row[0]
            candidates[id] = Ranking.Candidate(applicationID: id, evaluationCount: row[1], scoreSums: sums[id] ?? [:],
                                               weightedTotal: row[2], weightedHighest: row[3], weightedLowest: row[4])
        }
        return candidates
    }

    /// The applications a ranking lists: every one of the campaign except the withdrawn, in id order.
    func rankedApplications(campaignID: Int64) throws -> [(id: Int64, personID: Int64, personName: String, stage: String)] {
        try Row.fetchAll(db, sql: """
            SELECT a.id, a.person_id, p.full_name, a.stage FROM application a JOIN person p ON p.id = a.person_id
            WHERE a.campaign_id = ? AND a.stage != 'withdrawn' ORDER BY a.id
            """, arguments: [campaignID]).map { ($0[0], $0[1], $0[2], $0[3]) }
    }
}
