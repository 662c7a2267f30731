import GRDB
import TalentStorage

/// The event log: one row per successful audit entry that is a change worth following, written
/// in the same transaction as the entry, so the audit seq is the event seq. The summary holds
/// ids, codes and a short text: never personal data, so one row serves every subscriber.
/// Entries made before this migration have no events (the audit trail still holds them).
enum EventsMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0013_events") { db in
            try db.execute(sql: """
                CREATE TABLE event (
                    seq INTEGER PRIMARY KEY REFERENCES audit_entry(seq),
                    at TEXT NOT NULL,
                    type TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    org TEXT,
                    target_type TEXT,
                    target_id TEXT,
                    summary TEXT NOT NULL
                );
                -- Replays of an org-bound subscriber read its org's events and national ones.
                CREATE INDEX event_org ON event(org, seq);
                CREATE TRIGGER event_no_update BEFORE UPDATE ON event
                    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                """)
        }
    }
}
