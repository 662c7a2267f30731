import GRDB
import TalentProtocol
import TalentStorage

/// The audit trail's table (`AuditStore` holds its SQL, `AuditEntry` its hashing rule).
enum AuditTrail {
    static func register(in migrations: inout Migrations) {
        migrations.register("0004_audit") { db in
            try db.execute(sql: """
                CREATE TABLE audit_entry (
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    principal TEXT NOT NULL,
                    method TEXT NOT NULL,
                    target_type TEXT,
                    target_id TEXT,
                    params TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied')),
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX audit_entry_principal ON audit_entry(principal, seq);
                CREATE INDEX audit_entry_method ON audit_entry(method, seq);
                -- Append-only through the daemon; someone editing the file by hand must drop
                -- these first, and audit.verify still finds what they changed.
                CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
                    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
                CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
                    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
                """)
        }
    }
}
