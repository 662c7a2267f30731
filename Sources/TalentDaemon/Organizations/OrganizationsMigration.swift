import Foundation
import GRDB
import TalentStorage

/// The organizations table, seeded with the 17 central bodies and 34 provincial-level units of
/// July 2025 (`organizations.tsv`, copied from the program's reference data). Admins add more.
enum OrganizationsMigration {
    static let kinds = ["ministry", "ministerial_agency", "central_city", "province", "government_agency", "other"]

    static func register(in migrations: inout Migrations) {
        migrations.register("0002_organizations") { db in
            let kindList = kinds.map { "'\($0)'" }.joined(separator: ", ")
            try db.execute(sql: """
                CREATE TABLE org (
                    code TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 32),
                    kind TEXT NOT NULL CHECK (kind IN (\(kindList))),
                    name TEXT NOT NULL CHECK (length(name) > 0),
                    name_en TEXT,
                    parent TEXT REFERENCES org(code),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX org_kind ON org(kind, code);
                """)
            let now = UTCTime.now()
            for (code, kind, name, nameEn) in seed() {
                try db.execute(sql: "INSERT INTO org(code, kind, name, name_en, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [code, kind, name, nameEn, now, now])
            }
        }
    }

    /// The rows of organizations.tsv (header: code, kind, name_vi, name_en).
    static func seed() -> [(String, String, String, String)] {
        let text = String(decoding: PackageResources.organizations_tsv, as: UTF8.self)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
            guard fields.count >= 4 else { return nil }
            return (fields[0], fields[1], fields[2].precomposedStringWithCanonicalMapping, fields[3])
        }
    }
}
