import GRDB
import TalentStorage

/// Roles become rows of a `role` table that `principal_role` references, instead of a CHECK
/// listing them: adding a role is then one INSERT in a new migration, on fresh and upgraded
/// databases alike.
enum RoleTableMigration {
    static func register(in migrations: inout Migrations) {
        // GRDB runs a migration with foreign keys off and checks them all before committing
        // (its default `.deferred` mode), as SQLite's table-rebuild procedure requires.
        migrations.register("0008_role_table") { db in
            try db.execute(sql: """
                CREATE TABLE role (
                    name TEXT PRIMARY KEY
                ) WITHOUT ROWID;
                INSERT INTO role(name) VALUES ('admin'), ('hr_official'), ('ministry_agent'), ('reviewer'), ('ops'), ('auditor');
                CREATE TABLE principal_role_new (
                    principal_id INTEGER NOT NULL REFERENCES principal(id) ON DELETE CASCADE,
                    role TEXT NOT NULL REFERENCES role(name),
                    PRIMARY KEY (principal_id, role)
                ) WITHOUT ROWID;
                INSERT INTO principal_role_new(principal_id, role) SELECT principal_id, role FROM principal_role;
                DROP TABLE principal_role;
                ALTER TABLE principal_role_new RENAME TO principal_role;
                """)
        }
    }
}
