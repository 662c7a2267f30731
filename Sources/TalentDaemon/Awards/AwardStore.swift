import GRDB
import TalentProtocol

/// The SQL of award rounds, nominations, screening and reviews.
///
/// The statements of nomination.submit (its lookups, inserts and read-back) are prepared once per
/// connection and kept (`cachedStatement`): ministries load nominations in bulk through the one
/// committer thread, where compiling a statement each call cost more than running it.
struct AwardStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    // MARK: Rounds

    func round(code: String) throws -> AwardRound? {
        try AwardRound.fetchOne(db.cachedStatement(sql: "SELECT * FROM award_round WHERE code = ?"), arguments: [code])
    }

    func requireRound(code: String) throws -> AwardRound {
        guard let round = try round(code: code) else {
            throw RPCError.notFound("no award round with code \"\(code)\"; award_round.list shows them", details: ["field": "round"])
        }
        return round
    }

    struct NewRound {
        let code: String, title: String, year: Int64
        let opensOn: String, closesOn: String, reviewClosesOn: String
        let categories: JSONValue, criteria: JSONValue
    }

    func insert(_ r: NewRound, by principal: String, at timestamp: String) throws {
        do {
            try db.execute(sql: """
                INSERT INTO award_round(code, title, year, opens_on, closes_on, review_closes_on, categories, criteria,
                                        state, created_by, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)
                """, arguments: [r.code, r.title, r.year, r.opensOn, r.closesOn, r.reviewClosesOn,
                                 JSONWriter.string(r.categories), JSONWriter.string(r.criteria), principal, timestamp, timestamp])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RPCError.conflict("an award round with code \"\(r.code)\" already exists; award_round.get shows it",
                                    details: ["field": "code"])
        }
    }

    func setState(_ round: AwardRound, _ state: AwardRoundState, at timestamp: String) throws {
        try db.execute(sql: "UPDATE award_round SET state = ?, updated_at = ? WHERE id = ?",
                       arguments: [state.rawValue, timestamp, round.id])
    }

    func seal(_ round: AwardRound, list: String, sha256: String, by principal: String, at timestamp: String) throws {
        try db.execute(sql: """
            UPDATE award_round SET state = 'submitted', sealed_list = ?, sealed_sha256 = ?, submitted_by = ?, submitted_at = ?,
                                   updated_at = ? WHERE id = ?
            """, arguments: [list, sha256, principal, timestamp, timestamp, round.id])
    }

    func markDecided(_ round: AwardRound, by principal: String, at timestamp: String) throws {
        try db.execute(sql: "UPDATE award_round SET state = 'decided', decided_by = ?, decided_at = ?, updated_at = ? WHERE id = ?",
                       arguments: [principal, timestamp, timestamp, round.id])
    }

    /// Rounds in id order, one page.
    func rounds(state: AwardRoundState?, year: Int64?, _ page: PageRequest) throws -> [AwardRound] {
        var conditions = ["id > :after"]
        var arguments: [String: DatabaseValueConvertible?] = ["after": page.after, "limit": page.fetchLimit]
        if let state { conditions.append("state = :state"); arguments["state"] = state.rawValue }
        if let year { conditions.append("year = :year"); arguments["year"] = year }
        return try AwardRound.fetchAll(db, sql: """
            SELECT * FROM award_round WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT :limit
            """, arguments: StatementArguments(arguments))
    }

    // MARK: Register lookups

    func orgExists(_ code: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM org WHERE code = ?"), arguments: [code]) != nil
    }

    /// The full names of these persons; a missing id is absent from the answer.
    func personNames(_ ids: [Int64]) throws -> [Int64: String] {
        // One id at a time: a fixed statement, prepared once per connection, where an IN list of
        // as many placeholders as members would be compiled anew for each length.
        let statement = try db.cachedStatement(sql: "SELECT full_name FROM person WHERE id = ?")
        var names: [Int64: String] = [:]
        for id in ids {
            if let name = try String.fetchOne(statement, arguments: [id]) { names[id] = name }
        }
        return names
    }

    /// Active principals holding the reviewer role, by name.
    func reviewers() throws -> [Reviewer] {
        try Row.fetchAll(db, sql: """
            SELECT p.name, p.org FROM principal p JOIN principal_role r ON r.principal_id = p.id
            WHERE r.role = 'reviewer' AND p.status = 'active' ORDER BY p.name
            """).map { Reviewer(name: $0["name"], org: $0["org"]) }
    }

    /// The org of a principal (nil when it has none); throws not_found when no such principal.
    func principalOrg(_ name: String) throws -> String? {
        guard let row = try Row.fetchOne(db, sql: "SELECT org FROM principal WHERE name = ?", arguments: [name]) else {
            throw RPCError.notFound("no principal named \"\(name)\"", details: ["field": "reviewer"])
        }
        return row["org"]
    }

    // MARK: Nominations

    private static let selectNomination = "SELECT n.*, r.code AS round_code FROM nomination n JOIN award_round r ON r.id = n.round_id"

    func nomination(id: Int64) throws -> Nomination? {
        guard var nomination = try Nomination.fetchOne(db.cachedStatement(sql: "\(Self.selectNomination) WHERE n.id = ?"),
                                                        arguments: [id]) else { return nil }
        nomination.persons = try persons(of: [id])[id] ?? []
        return nomination
    }

    func requireNomination(id: Int64) throws -> Nomination {
        guard let nomination = try nomination(id: id) else {
            throw RPCError.notFound("no nomination with id \(id)", details: ["field": "nomination_id"])
        }
        return nomination
    }

    /// The org of a nomination, for record scoping (nil: no such nomination).
    func org(nomination id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try String.fetchOne(db, sql: "SELECT org FROM nomination WHERE id = ?", arguments: [id])
    }

    private func persons(of ids: [Int64]) throws -> [Int64: [(id: Int64, name: String)]] {
        guard !ids.isEmpty else { return [:] }
        return Self.groupPersons(try Row.fetchAll(inList(ids, """
            SELECT np.nomination_id, p.id, p.full_name FROM nomination_person np JOIN person p ON p.id = np.person_id
            WHERE np.nomination_id IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY np.nomination_id, p.id
            """), arguments: StatementArguments(ids)))
    }

    /// A statement with an `IN (?, …)` list over `ids`: the one-id form, which every nomination
    /// write reads its answer back with, is prepared once per connection; longer lists (list
    /// pages) vary without bound and are compiled each time.
    private func inList(_ ids: [Int64], _ sql: String) throws -> Statement {
        ids.count == 1 ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }

    private func persons(round: AwardRound) throws -> [Int64: [(id: Int64, name: String)]] {
        Self.groupPersons(try Row.fetchAll(db, sql: """
            SELECT np.nomination_id, p.id, p.full_name FROM nomination_person np JOIN person p ON p.id = np.person_id
            WHERE np.round_id = ? ORDER BY np.nomination_id, p.id
            """, arguments: [round.id]))
    }

    private static func groupPersons(_ rows: [Row]) -> [Int64: [(id: Int64, name: String)]] {
        Dictionary(grouping: rows, by: { $0["nomination_id"] as Int64 }).mapValues { rows in
            rows.map { (id: $0["id"] as Int64, name: $0["full_name"] as String) }
        }
    }

    /// The live nomination of a round already naming this person, if any.
    func liveNomination(round: AwardRound, person: Int64) throws -> (id: Int64, org: String, asMember: Bool)? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT n.id, n.org, n.kind FROM nomination_person np JOIN nomination n ON n.id = np.nomination_id
            WHERE np.round_id = ? AND np.person_id = ? AND np.live = 1
            """), arguments: [round.id, person]).map { (id: $0["id"], org: $0["org"], asMember: ($0["kind"] as String) == "collective") }
    }

    /// Live nominations of an org in a category of a round.
    func liveCount(round: AwardRound, org: String, category: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM nomination WHERE round_id = ? AND org = ? AND category = ? AND status = 'submitted'
            """), arguments: [round.id, org, category]) ?? 0
    }

    struct NewNomination {
        let round: AwardRound, category: AwardCategory, org: String
        let personID: Int64?, collectiveName: String?, members: [Int64]
        let citation: String, achievements: JSONValue
    }

    func insert(_ n: NewNomination, by principal: String, at timestamp: String) throws -> Int64 {
        // Prepared once per connection, like the nominee rows below: bulk loads run them per nomination.
        try db.cachedStatement(sql: """
            INSERT INTO nomination(round_id, category, kind, org, person_id, collective_name, citation, achievements, status,
                                   submitted_by, submitted_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?)
            """).execute(arguments: [n.round.id, n.category.key, n.category.kind.rawValue, n.org, n.personID, n.collectiveName,
                             n.citation, JSONWriter.string(n.achievements), principal, timestamp, timestamp])
        let id = db.lastInsertedRowID
        let member = try db.cachedStatement(sql: "INSERT INTO nomination_person(nomination_id, round_id, person_id, live) VALUES (?, ?, ?, 1)")
        for person in n.personID.map({ [$0] }) ?? n.members {
            try member.execute(arguments: [id, n.round.id, person])
        }
        return id
    }

    func withdraw(_ n: Nomination, reason: String, by principal: String, at timestamp: String) throws {
        try db.execute(sql: """
            UPDATE nomination SET status = 'withdrawn', withdrawn_by = ?, withdrawn_at = ?, withdraw_reason = ?, updated_at = ?
            WHERE id = ?
            """, arguments: [principal, timestamp, reason, timestamp, n.id])
        try db.execute(sql: "UPDATE nomination_person SET live = 0 WHERE nomination_id = ?", arguments: [n.id])
    }

    func decide(_ id: Int64, outcome: AwardOutcome, decisionRef: String, at timestamp: String) throws {
        try db.execute(sql: "UPDATE nomination SET outcome = ?, decision_ref = ?, updated_at = ? WHERE id = ?",
                       arguments: [outcome.rawValue, decisionRef, timestamp, id])
    }

    struct NominationFilter {
        let round: AwardRound
        var org: String?, category: String?, status: NominationStatus?
    }

    /// Nominations in id order, one page (`page` nil: all of them).
    func nominations(_ filter: NominationFilter, _ page: PageRequest?) throws -> [Nomination] {
        var conditions = ["n.round_id = :round", "n.id > :after"]
        var arguments: [String: DatabaseValueConvertible?] = ["round": filter.round.id, "after": page?.after ?? 0,
                                                              "limit": page?.fetchLimit ?? -1]
        if let org = filter.org { conditions.append("n.org = :org"); arguments["org"] = org }
        if let category = filter.category { conditions.append("n.category = :category"); arguments["category"] = category }
        if let status = filter.status { conditions.append("n.status = :status"); arguments["status"] = status.rawValue }
        var found = try Nomination.fetchAll(db, sql: """
            \(Self.selectNomination) WHERE \(conditions.joined(separator: " AND ")) ORDER BY n.id LIMIT :limit
            """, arguments: StatementArguments(arguments))
        // A whole round (no page) can exceed SQLite's bound-variable limit: read its persons by round.
        let persons = page == nil ? try persons(round: filter.round) : try persons(of: found.map(\.id))
        for i in found.indices { found[i].persons = persons[found[i].id] ?? [] }
        return found
    }

    // MARK: Screening

    /// The gates of every nomination of a round.
    func gates(round: AwardRound) throws -> [Int64: Gates] {
        let screens = try Screen.fetchAll(db, sql: """
            SELECT s.* FROM nomination_screen s JOIN nomination n ON n.id = s.nomination_id WHERE n.round_id = ? ORDER BY s.agency
            """, arguments: [round.id])
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM nomination WHERE round_id = ?", arguments: [round.id])
        let grouped = Dictionary(grouping: screens, by: \.nominationID)
        return Dictionary(uniqueKeysWithValues: ids.map { ($0, Gates(screens: grouped[$0] ?? [])) })
    }

    func gates(_ ids: [Int64]) throws -> [Int64: Gates] {
        guard !ids.isEmpty else { return [:] }
        let screens = try Screen.fetchAll(inList(ids, """
            SELECT * FROM nomination_screen WHERE nomination_id IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY agency
            """), arguments: StatementArguments(ids))
        let grouped = Dictionary(grouping: screens, by: \.nominationID)
        return Dictionary(uniqueKeysWithValues: ids.map { ($0, Gates(screens: grouped[$0] ?? [])) })
    }

    /// Records an agency's screening, replacing its earlier one (the audit trail keeps that).
    func screen(_ id: Int64, agency: ScreeningAgency, outcome: ScreenOutcome, note: String, by principal: String, at timestamp: String) throws {
        try db.execute(sql: """
            INSERT INTO nomination_screen(nomination_id, agency, outcome, note, screened_by, screened_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(nomination_id, agency) DO UPDATE SET outcome = excluded.outcome, note = excluded.note,
                screened_by = excluded.screened_by, screened_at = excluded.screened_at
            """, arguments: [id, agency.rawValue, outcome.rawValue, note, principal, timestamp])
    }

    // MARK: Assignments and conflicts

    /// (nomination id, reviewer) of every assignment in a round.
    func assignments(round: AwardRound) throws -> [(nominationID: Int64, reviewer: String)] {
        try Row.fetchAll(db, sql: """
            SELECT a.nomination_id, a.reviewer FROM review_assignment a JOIN nomination n ON n.id = a.nomination_id
            WHERE n.round_id = ? ORDER BY a.nomination_id, a.reviewer
            """, arguments: [round.id]).map { (nominationID: $0["nomination_id"], reviewer: $0["reviewer"]) }
    }

    func isAssigned(_ nominationID: Int64, _ reviewer: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM review_assignment WHERE nomination_id = ? AND reviewer = ?",
                          arguments: [nominationID, reviewer]) != nil
    }

    func assign(_ nominationID: Int64, _ reviewer: String, by principal: String, at timestamp: String) throws {
        try db.execute(sql: """
            INSERT INTO review_assignment(nomination_id, reviewer, assigned_by, assigned_at) VALUES (?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """, arguments: [nominationID, reviewer, principal, timestamp])
    }

    func unassign(_ nominationID: Int64, _ reviewer: String) throws {
        try db.execute(sql: "DELETE FROM review_assignment WHERE nomination_id = ? AND reviewer = ?", arguments: [nominationID, reviewer])
    }

    func declareConflict(_ nominationID: Int64, reviewer: String, kind: DeclaredConflictKind, note: String, at timestamp: String) throws {
        try db.execute(sql: """
            INSERT INTO review_conflict(nomination_id, reviewer, kind, note, declared_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(nomination_id, reviewer, kind) DO UPDATE SET note = excluded.note
            """, arguments: [nominationID, reviewer, kind.rawValue, note, timestamp])
    }

    /// Declared conflicts of a round's nominations (or of one nomination).
    func declaredConflicts(round: AwardRound, nomination: Int64? = nil) throws -> [ReviewConflict] {
        try Row.fetchAll(db, sql: """
            SELECT c.* FROM review_conflict c JOIN nomination n ON n.id = c.nomination_id
            WHERE n.round_id = ? AND (? IS NULL OR n.id = ?) ORDER BY c.nomination_id, c.reviewer, c.kind
            """, arguments: [round.id, nomination, nomination]).map {
            ReviewConflict(nominationID: $0["nomination_id"], reviewer: $0["reviewer"], kind: $0["kind"], note: $0["note"], declared: true)
        }
    }

    /// Conflicts from a reviewer's linked person (`principal.link_person`): that person is the
    /// nominee or a member, or shares the nominee's or a member's employer (compared folded,
    /// `NameKey.fold`, so "Viện Hàn lâm" and "vien han lam" are one employer).
    func linkedPersonConflicts(reviewers: [Reviewer], nominations: [Nomination]) throws -> [ReviewConflict] {
        guard !reviewers.isEmpty, !nominations.isEmpty else { return [] }
        let names = JSONWriter.string(.array(reviewers.map { .string($0.name) }))
        let links = try Row.fetchAll(db, sql: """
            SELECT pr.name, pr.person_id, p.full_name, p.employer FROM principal pr JOIN person p ON p.id = pr.person_id
            WHERE pr.name IN (SELECT value FROM json_each(?))
            """, arguments: [names])
        guard !links.isEmpty else { return [] }
        let ids = JSONWriter.string(.array(nominations.map { .int($0.id) }))
        let nominees = try Row.fetchAll(db, sql: """
            SELECT n.id AS nomination_id, p.id AS person_id, p.full_name, p.employer
            FROM nomination n JOIN person p ON p.id = n.person_id WHERE n.id IN (SELECT value FROM json_each(?))
            UNION
            SELECT np.nomination_id, p.id, p.full_name, p.employer
            FROM nomination_person np JOIN person p ON p.id = np.person_id WHERE np.nomination_id IN (SELECT value FROM json_each(?))
            """, arguments: [ids, ids])
        var found: [ReviewConflict] = []
        var seen = Set<String>()
        for link in links {
            let reviewer: String = link["name"], linkedID: Int64 = link["person_id"], linkedName: String = link["full_name"]
            let linkedEmployer = (link["employer"] as String?).map(NameKey.fold).flatMap { $0.isEmpty ? nil : $0 }
            for nominee in nominees {
                let nominationID: Int64 = nominee["nomination_id"], personID: Int64 = nominee["person_id"]
                let nomineeName: String = nominee["full_name"]
                let note: String
                if personID == linkedID {
                    note = "\(reviewer) is linked to \(linkedName), who is nominated in it"
                } else if let linkedEmployer, let employer = nominee["employer"] as String?, NameKey.fold(employer) == linkedEmployer {
                    note = "\(reviewer) is linked to \(linkedName), who works at \(employer) like the nominee \(nomineeName)"
                } else {
                    continue
                }
                if seen.insert("\(nominationID)/\(reviewer)").inserted {
                    found.append(ReviewConflict(nominationID: nominationID, reviewer: reviewer, kind: "linked_person",
                                                note: note, declared: false))
                }
            }
        }
        return found
    }

    // MARK: Reviews

    func currentReview(_ nominationID: Int64, _ reviewer: String) throws -> Review? {
        try Review.fetchOne(db, sql: "SELECT * FROM review WHERE nomination_id = ? AND reviewer = ? AND current = 1",
                            arguments: [nominationID, reviewer])
    }

    struct NewReview {
        let scores: [String: Int64], recommendation: Recommendation, confidence: Int64, comment: String?
    }

    /// Adds a version; the reviewer's earlier version, if any, stays as history.
    func addReview(_ nominationID: Int64, reviewer: String, _ r: NewReview, at timestamp: String) throws -> Review {
        let version = (try Int64.fetchOne(db, sql: "SELECT max(version) FROM review WHERE nomination_id = ? AND reviewer = ?",
                                          arguments: [nominationID, reviewer]) ?? 0) + 1
        try db.execute(sql: "UPDATE review SET current = 0 WHERE nomination_id = ? AND reviewer = ? AND current = 1",
                       arguments: [nominationID, reviewer])
        try db.execute(sql: """
            INSERT INTO review(nomination_id, reviewer, version, scores, recommendation, confidence, comment, submitted_at, current)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
            """, arguments: [nominationID, reviewer, version, JSONWriter.string(.object(r.scores.mapValues { .int($0) })),
                             r.recommendation.rawValue, r.confidence, r.comment, timestamp])
        return try Review.fetchOne(db, sql: "SELECT * FROM review WHERE id = ?", arguments: [db.lastInsertedRowID])!
    }

    /// Reviews of one nomination in id order (submission order), one page: current only, or every version.
    func reviews(nomination id: Int64, history: Bool, _ page: PageRequest) throws -> [Review] {
        try Review.fetchAll(db, sql: """
            SELECT * FROM review WHERE nomination_id = ? AND (? OR current = 1) AND id > ? ORDER BY id LIMIT ?
            """, arguments: [id, history, page.after, page.fetchLimit])
    }

    /// Current reviews of a round's live nominations.
    func currentReviews(round: AwardRound) throws -> [Review] {
        try Review.fetchAll(db, sql: """
            SELECT v.* FROM review v JOIN nomination n ON n.id = v.nomination_id
            WHERE n.round_id = ? AND n.status = 'submitted' AND v.current = 1 ORDER BY v.nomination_id, v.reviewer
            """, arguments: [round.id])
    }
}
