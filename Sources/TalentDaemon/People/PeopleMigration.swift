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
}
