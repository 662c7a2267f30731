import GRDB
import TalentStorage

/// Idempotency keys, remembered per principal with the params' digest and the original result.
enum IdempotencyMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0005_idempotency") { db in
            try db.execute(sql: """
                CREATE TABLE idempotency_key (
                    principal_id INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    method TEXT NOT NULL,
                    params_digest TEXT NOT NULL,
                    result TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (principal_id, key)
                ) WITHOUT ROWID;
                CREATE INDEX idempotency_key_created ON idempotency_key(created_at);
                """)
        }
    }
}
