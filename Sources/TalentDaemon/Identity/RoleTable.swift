import GRDB

/// The `Role` enum and the database's `role` table must list the same roles: a role only in the
/// enum could never be granted, one only in the table would be a role this build does not know.
enum RoleTable {
    struct Mismatch: Error, CustomStringConvertible {
        let onlyInDatabase: [String]
        let onlyInBuild: [String]

        var description: String {
            var parts: [String] = []
            if !onlyInDatabase.isEmpty {
                parts.append("the database has roles this talentd does not know (\(onlyInDatabase.joined(separator: ", "))); it was migrated by a newer version")
            }
            if !onlyInBuild.isEmpty {
                parts.append("this talentd knows roles missing from the database's role table (\(onlyInBuild.joined(separator: ", "))); a migration must add them")
            }
            return "role table mismatch: " + parts.joined(separator: "; ")
        }
    }

    static func check(_ db: Database) throws {
        let inDatabase = Set(try String.fetchAll(db, sql: "SELECT name FROM role"))
        let inBuild = Set(Role.allCases.map(\.rawValue))
        guard inDatabase == inBuild else {
            throw Mismatch(onlyInDatabase: inDatabase.subtracting(inBuild).sorted(), onlyInBuild: inBuild.subtracting(inDatabase).sorted())
        }
    }
}
