import Foundation
import GRDB
import TalentProtocol
import TalentStorage

/// The SQL of the people registry, bound to one request's transaction or snapshot.
///
/// The statements of person.create and person.search are prepared once per connection and kept
/// (`cachedStatement`): compiling one (GRDB's authorizer, SQLite's parser, the FTS trigger)
/// cost more than running it, and bulk loads run them a million times.
struct PersonStore: DomainStore {
    let db: Database

    init(_ db: Database) { self.db = db }

    /// Optional text columns a client sets by the param of the same name.
    static let textColumns = ["birth_date", "gender", "nationality", "residence_country", "email", "phone",
                              "national_id", "highest_degree", "employer"]

    private static let findSQL = "SELECT \(Person.columns) FROM person WHERE id = ?"

    func find(id: Int64) throws -> Person? {
        // Cached: preparing costs more than the read itself (GRDB's authorizer visits every column).
        try db.cachedStatement(sql: Self.findSQL).firstRow(arguments: [id], Person.init)
    }

    func require(id: Int64, field: String = "id") throws -> Person {
        guard let person = try find(id: id) else {
            throw RPCError.notFound("no person with id \(id)", details: ["field": .string(field)])
        }
        return person
    }

    /// Inserts a person (values already validated and normalized); returns the new id. The row is
    /// not read back (nor returned by RETURNING, which made SQLite buffer it in a temporary table
    /// and doubled the insert's cost): it is what `Person(id:inserting:at:)` says.
    func insert(_ insert: Insert, at timestamp: String) throws -> Int64 {
        try translatingConstraints {
            // One statement per set of columns given: a handful in practice.
            try db.cachedStatement(sql: insert.sql).execute(binding: insert.values + [timestamp.databaseValue, timestamp.databaseValue])
        }
        return db.lastInsertedRowID
    }

    /// A person's INSERT worked out from its changes before the shared commit (`prepare`), where
    /// building its SQL cost the committer about 20,000 instructions per person.
    struct Insert: Sendable {
        /// What the person is created with (duplicates are looked up by it).
        let changes: PersonChanges
        /// Binds `values`, then the timestamp twice (created_at, updated_at).
        let sql: String
        let values: [DatabaseValue]

        init(_ changes: PersonChanges) {
            self.changes = changes
            let values = PersonStore.columnValues(changes)
            let columns = values.keys.sorted()
            self.values = columns.map { values[$0]!?.databaseValue ?? .null }
            sql = "INSERT INTO person(\((columns + ["created_at", "updated_at"]).joined(separator: ", "))) "
                + "VALUES (\(Array(repeating: "?", count: columns.count + 2).joined(separator: ", ")))"
        }
    }

    /// Sets columns if `version` is still current, and bumps it. A stale version is `conflict`.
    func update(id: Int64, version: Int64, _ changes: PersonChanges, at timestamp: String) throws {
        let values = Self.columnValues(changes)
        let columns = values.keys.sorted()
        let assignments = (columns.map { "\($0) = ?" } + ["version = version + 1", "updated_at = ?"]).joined(separator: ", ")
        let arguments = columns.map { values[$0]! } + [timestamp, id, version]
        try translatingConstraints {
            try db.execute(sql: "UPDATE person SET \(assignments) WHERE id = ? AND version = ?",
                           arguments: StatementArguments(arguments))
        }
        if db.changesCount == 0 {
            let current = try require(id: id).version
            // The version counts the person's changes: a version above the current one was never
            // read, so nobody changed anything; it was mistyped.
            let message = version > current
                ? "person \(id) is at version \(current): version \(version) does not exist yet, so it was mistyped "
                  + "(the version counts the person's changes; send the one you read, person.get shows it)"
                : "person \(id) is at version \(current), and this update was for version \(version): it was changed "
                  + "\(current - version) time(s) since you read it; read it again (person.get) and reapply your change to version \(current)"
            throw RPCError.conflict(message, details: ["current_version": .int(current), "person_id": .int(id)])
        }
    }

    /// Other persons that may be the same human: same folded name and birth date, or same email.
    func possibleDuplicates(nameKey: String, birthDate: String?, email: String?, excluding id: Int64) throws -> [PossibleDuplicate] {
        var found: [PossibleDuplicate] = []
        if let birthDate {
            for other in try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT id FROM person WHERE name_key = ? AND birth_date = ? AND id != ? ORDER BY id LIMIT 20
                """), arguments: [nameKey, birthDate, id]) {
                found.append(PossibleDuplicate(id: other, reason: "same name and birth date"))
            }
        }
        if let email {
            for other in try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT id FROM person WHERE email = ? COLLATE NOCASE AND id != ? ORDER BY id LIMIT 20
                """), arguments: [email, id]) where !found.contains(where: { $0.id == other }) {
                found.append(PossibleDuplicate(id: other, reason: "same email"))
            }
        }
        return found
    }

    /// Persons whose name has, for every query word, a word starting with it; in id order, one
    /// page. `words` are folded (letters and digits only), so quoting them is safe.
    func search(words: [String], _ page: PageRequest) throws -> [Person] {
        let match = words.map { "\"\($0)\"*" }.joined(separator: " AND ")
        return try db.cachedStatement(sql: """
            SELECT \(Person.columns) FROM person_name JOIN person ON person.id = person_name.rowid
            WHERE person_name MATCH ? AND person_name.rowid > ?
            ORDER BY person_name.rowid LIMIT ?
            """).allRows(arguments: [match, page.after, page.fetchLimit], Person.init)
    }

    /// Indexes the names noted by this commit's writes (`PersonNameIndexMigration`): once per
    /// commit, after every write's savepoint, so FTS5 writes one segment per commit, not one per
    /// person. The shared commit runs it (`GroupCommit.beforeCommit`): persons are written there only.
    /// CROSS JOIN keeps the notes as the outer loop, in id order: with ORDER BY person.id instead,
    /// SQLite scanned every person per commit.
    func indexPendingNames() throws {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM person_name_pending)")) == true else { return }
        try db.cachedStatement(sql: """
            INSERT INTO person_name(person_name, rowid, name_key)
            SELECT 'delete', id, indexed_key FROM person_name_pending WHERE indexed_key IS NOT NULL
            """).execute()
        try db.cachedStatement(sql: """
            INSERT INTO person_name(rowid, name_key)
            SELECT person.id, person.name_key FROM person_name_pending CROSS JOIN person ON person.id = person_name_pending.id
            """).execute()
        try db.cachedStatement(sql: "DELETE FROM person_name_pending").execute()
    }

    /// Persons in id order, one page: those whose employer is `employer` (case ignored) and who
    /// lack every column of `missing` (names from `textColumns`, checked by the contract's enum).
    func list(employer: String?, missing: [String], _ page: PageRequest) throws -> [Person] {
        var conditions = ["id > ?"]
        var arguments: [DatabaseValueConvertible?] = [page.after]
        if let employer {
            conditions.append("employer = ? COLLATE NOCASE")
            arguments.append(employer)
        }
        for column in missing where Self.textColumns.contains(column) {
            conditions.append("(\(column) IS NULL OR \(column) = '')")
        }
        arguments.append(page.fetchLimit)
        return try db.makeStatement(sql: "SELECT \(Person.columns) FROM person WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?")
            .allRows(arguments: StatementArguments(arguments), Person.init)
    }

    private static func columnValues(_ changes: PersonChanges) -> [String: DatabaseValueConvertible?] {
        changes.values.mapValues { value -> DatabaseValueConvertible? in
            switch value {
            case .text(let text): text
            case .flag(let flag): flag
            case .list(let list): String(decoding: (try? JSONEncoder().encode(list)) ?? Data("[]".utf8), as: UTF8.self)
            case .clear: nil
            }
        }
    }

    /// The one constraint a client can hit (a CCCD already registered) as `conflict` naming its holder.
    private func translatingConstraints<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            && (error.message ?? "").contains("person.national_id") {
            throw RPCError.conflict("this national_id is already registered to another person",
                                    details: ["field": "national_id"])
        }
    }
}
