import GRDB
import TalentStorage

/// The registry of persons shared by every domain, and the full-text index that makes name
/// search fast at a million persons.
enum PeopleMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0006_people") { db in
            try db.execute(sql: """
                CREATE TABLE person (
                    id INTEGER PRIMARY KEY,
                    full_name TEXT NOT NULL CHECK (length(full_name) > 0),
                    name_key TEXT NOT NULL,
                    birth_date TEXT,
                    gender TEXT CHECK (gender IN ('female', 'male', 'other')),
                    nationality TEXT,
                    overseas_vietnamese INTEGER NOT NULL DEFAULT 0 CHECK (overseas_vietnamese IN (0, 1)),
                    residence_country TEXT, email TEXT, phone TEXT, national_id TEXT,
                    fields TEXT,
                    highest_degree TEXT, employer TEXT,
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
                );
                -- Duplicate warnings look up these two.
                CREATE INDEX person_name_birth ON person(name_key, birth_date);
                CREATE INDEX person_email ON person(email COLLATE NOCASE) WHERE email IS NOT NULL;
                -- A CCCD belongs to one citizen.
                CREATE UNIQUE INDEX person_national_id ON person(national_id) WHERE national_id IS NOT NULL;

                -- Name search: name_key is already folded, so the tokenizer only splits on spaces.
                -- FTS5 yields matches in rowid order: paging by id needs no sort. Prefixes of 1 to 7
                -- letters (every Vietnamese syllable fits in 7) are indexed, so "nguyen"* reads one
                -- doclist lazily and stops at LIMIT instead of merging every match first
                -- (measured at 100,000 persons: 63 ms -> about 2 ms per page).
                CREATE VIRTUAL TABLE person_name USING fts5(
                    name_key, content = 'person', content_rowid = 'id',
                    tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5 6 7', detail = 'none');
                CREATE TRIGGER person_name_insert AFTER INSERT ON person BEGIN
                    INSERT INTO person_name(rowid, name_key) VALUES (new.id, new.name_key);
                END;
                CREATE TRIGGER person_name_update AFTER UPDATE OF name_key ON person BEGIN
                    INSERT INTO person_name(person_name, rowid, name_key) VALUES ('delete', old.id, old.name_key);
                    INSERT INTO person_name(rowid, name_key) VALUES (new.id, new.name_key);
                END;
                CREATE TRIGGER person_name_delete AFTER DELETE ON person BEGIN
                    INSERT INTO person_name(person_name, rowid, name_key) VALUES ('delete', old.id, old.name_key);
                END;
                """)
        }
    }

    /// Released after 0013: registered in that place (see `Daemon.migrations`).
    static func registerNameIndexPerCommit(in migrations: inout Migrations) {
        migrations.register("0014_person_name_per_commit") { db in
            try db.execute(sql: """
                -- FTS5 writes its pending terms out as a new segment at the end of every statement
                -- inside a savepoint, and every write in a shared commit runs in one: indexing names
                -- row by row made a segment, and merges, per person.create (a third of the commit
                -- thread's time). The triggers now only note whose name to (re)index; the notes are
                -- indexed in one statement before each commit (PersonStore.indexPendingNames), so
                -- readers, who only ever see committed data, never see them pending.
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
