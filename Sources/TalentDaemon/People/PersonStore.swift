import Foundation
import GRDB
import TalentProtocol

/// The SQL of the people registry.
enum PersonStore {
    /// Optional text columns a client sets by the param of the same name.
    static let textColumns = ["birth_date", "gender", "nationality", "residence_country", "email", "phone",
                              "national_id", "highest_degree", "employer"]

    static func find(_ db: Database, id: Int64) throws -> Person? {
        try Person.fetchOne(db, sql: "SELECT * FROM person WHERE id = ?", arguments: [id])
    }

    static func require(_ db: Database, id: Int64, field: String = "id") throws -> Person {
        guard let person = try find(db, id: id) else {
            throw RPCError.notFound("no person with id \(id)", details: ["field": .string(field)])
        }
        return person
    }

    /// Inserts a person from column values (already validated and normalized); returns its id.
    static func insert(_ db: Database, _ values: [String: DatabaseValueConvertible?]) throws -> Int64 {
        let now = UTCTime.now()
        var values = values
        values["created_at"] = now
        values["updated_at"] = now
        let columns = values.keys.sorted()
        let sql = "INSERT INTO person(\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        try translatingConstraints(db) {
            try db.execute(sql: sql, arguments: StatementArguments(columns.map { values[$0]! }))
        }
        return db.lastInsertedRowID
    }

    /// Sets columns if `version` is still current, and bumps it. A stale version is `conflict`.
    static func update(_ db: Database, id: Int64, version: Int64, _ values: [String: DatabaseValueConvertible?]) throws {
        let columns = values.keys.sorted()
        let assignments = (columns.map { "\($0) = ?" } + ["version = version + 1", "updated_at = ?"]).joined(separator: ", ")
        let arguments = columns.map { values[$0]! } + [UTCTime.now(), id, version]
        try translatingConstraints(db) {
            try db.execute(sql: "UPDATE person SET \(assignments) WHERE id = ? AND version = ?",
                           arguments: StatementArguments(arguments))
        }
        if db.changesCount == 0 {
            let current = try require(db, id: id).version
            throw RPCError.conflict("person \(id) was changed by someone else (version \(current), you sent \(version)); "
                                    + "read it again with person.get and reapply your change",
                                    details: ["current_version": .int(current), "person_id": .int(id)])
        }
    }

    /// Other persons that may be the same human: same folded name and birth date, or same email.
    static func possibleDuplicates(_ db: Database, nameKey: String, birthDate: String?, email: String?,
                                   excluding id: Int64) throws -> [(id: Int64, reason: String)] {
        var found: [(Int64, String)] = []
        if let birthDate {
            for other in try Int64.fetchAll(db, sql: """
                SELECT id FROM person WHERE name_key = ? AND birth_date = ? AND id != ? ORDER BY id LIMIT 20
                """, arguments: [nameKey, birthDate, id]) {
                found.append((other, "same name and birth date"))
            }
        }
        if let email {
            for other in try Int64.fetchAll(db, sql: """
                SELECT id FROM person WHERE email = ? COLLATE NOCASE AND id != ? ORDER BY id LIMIT 20
                """, arguments: [email, id]) where !found.contains(where: { $0.0 == other }) {
                found.append((other, "same email"))
            }
        }
        return found
    }

    /// Persons whose name has, for every query word, a word starting with it; in id order,
    /// after `afterID`. `words` are folded (letters and digits only), so quoting them is safe.
    static func search(_ db: Database, words: [String], afterID: Int64, limit: Int) throws -> [Person] {
        let match = words.map { "\"\($0)\"*" }.joined(separator: " AND ")
        return try Person.fetchAll(db, sql: """
            SELECT person.* FROM person_name JOIN person ON person.id = person_name.rowid
            WHERE person_name MATCH ? AND person_name.rowid > ?
            ORDER BY person_name.rowid LIMIT ?
            """, arguments: [match, afterID, limit])
    }

    /// The one constraint a client can hit (a CCCD already registered) as `conflict`.
    private static func translatingConstraints(_ db: Database, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
            && (error.message ?? "").contains("person.national_id") {
            throw RPCError.conflict("this national_id is already registered to another person",
                                    details: ["field": "national_id"])
        }
    }
}
