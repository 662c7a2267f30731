import GRDB
import TalentStorage

/// Names indexed for search once per commit instead of once per person (released after 0013).
enum PersonNameIndexMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0014_person_name_per_commit") { db in
            try db.execute(sql: """
                -- FTS5 writes its pending terms out as a new segment at the end of every statement
                -- inside a savepoint, and every write in a shared commit runs in one: indexing names
                -- row by row wrote a segment, and set off merges, per person.create. The triggers now
                -- only note whose name to (re)index; the notes are indexed in one statement before
                -- each commit (PersonStore.indexPendingNames), so readers, who only ever see
                -- committed data, never see them pending.
                CREATE TABLE person_name_pending (
                    id INTEGER PRIMARY KEY,
                    indexed_key TEXT -- the name_key the index holds for this person; NULL: none
                );
                DROP TRIGGER person_name_insert;
                DROP TRIGGER person_name_update;
                DROP TRIGGER person_name_delete;
                -- OR IGNORE keeps the first note of a commit: it names what the index holds.
                CREATE TRIGGER person_name_insert AFTER INSERT ON person BEGIN
                    INSERT OR IGNORE INTO person_name_pending(id, indexed_key) VALUES (new.id, NULL);
                END;
                CREATE TRIGGER person_name_update AFTER UPDATE OF name_key ON person BEGIN
                    INSERT OR IGNORE INTO person_name_pending(id, indexed_key) VALUES (old.id, old.name_key);
                END;
                CREATE TRIGGER person_name_delete AFTER DELETE ON person BEGIN
                    INSERT OR IGNORE INTO person_name_pending(id, indexed_key) VALUES (old.id, old.name_key);
                END;
                """)
        }
    }
}
