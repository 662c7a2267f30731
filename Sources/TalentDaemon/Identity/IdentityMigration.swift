import GRDB
import TalentStorage

/// Principals (people and scripts), their roles, API tokens and Unix-uid bindings.
enum IdentityMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0003_identity") { db in
            try db.execute(sql: """
                CREATE TABLE principal (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
                    kind TEXT NOT NULL CHECK (kind IN ('human', 'agent')),
                    org TEXT REFERENCES org(code),
                    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
                    -- An Argon2id PHC string; NULL: no password (token or peer login only).
                    password_hash TEXT CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%'),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE principal_role (
                    principal_id INTEGER NOT NULL REFERENCES principal(id) ON DELETE CASCADE,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'hr_official', 'ministry_agent', 'reviewer', 'ops', 'auditor')),
                    PRIMARY KEY (principal_id, role)
                ) WITHOUT ROWID;
                CREATE TABLE api_token (
                    id INTEGER PRIMARY KEY,
                    principal_id INTEGER NOT NULL REFERENCES principal(id) ON DELETE CASCADE,
                    label TEXT NOT NULL,
                    -- SHA-256 of the token, hex; the token itself is shown once and never stored.
                    digest TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    expires_at TEXT,
                    revoked_at TEXT,
                    last_used_at TEXT
                );
                CREATE INDEX api_token_principal ON api_token(principal_id);
                CREATE TABLE uid_binding (
                    uid INTEGER PRIMARY KEY CHECK (uid >= 0),
                    principal_id INTEGER NOT NULL REFERENCES principal(id) ON DELETE CASCADE,
                    created_at TEXT NOT NULL
                );
                """)
        }
    }
}
