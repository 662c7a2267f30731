import GRDB
import TalentStorage

/// Duties given to organizations with a due date. Only what cannot be derived is stored: a duty's
/// status on any date is computed from its due date, its completion or cancellation dates, and
/// (for the derived kinds) other domains' records (`DutyStore`). The CHECKs hold the shape of
/// each kind whatever writes the rows; constraint names are the param a client must fix.
enum DutiesMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0012_duties") { db in
            try db.execute(sql: """
                CREATE TABLE duty (
                    id INTEGER PRIMARY KEY,
                    title TEXT NOT NULL,
                    org TEXT NOT NULL REFERENCES org(code),
                    kind TEXT NOT NULL CHECK (kind IN ('chief_engineers', 'nominations', 'recruitment', 'manual')),
                    due_on TEXT NOT NULL,
                    responsible TEXT,
                    target INTEGER,
                    target_round_id INTEGER REFERENCES award_round(id),
                    note TEXT,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    -- manual duties only: the Vietnam date duty.complete was called, and what it said.
                    completed_on TEXT, completed_by TEXT, completed_at TEXT, result TEXT, evidence_ref TEXT,
                    cancelled_on TEXT, cancelled_by TEXT, cancelled_at TEXT, cancel_reason TEXT,
                    -- The audit seq of the duty.late entry published when it became late: never twice.
                    late_recorded_seq INTEGER,
                    updated_at TEXT NOT NULL,
                    CONSTRAINT target CHECK ((kind IN ('nominations', 'recruitment')) = (target IS NOT NULL)
                        AND (target IS NULL OR target > 0)),
                    CONSTRAINT target_round CHECK ((kind = 'nominations') = (target_round_id IS NOT NULL)),
                    CONSTRAINT completed CHECK ((completed_on IS NULL OR kind = 'manual')
                        AND (completed_on IS NULL) = (result IS NULL)),
                    CONSTRAINT cancelled CHECK ((cancelled_on IS NULL) = (cancel_reason IS NULL))
                );
                CREATE INDEX duty_org ON duty(org);
                -- The late sweep looks only at duties whose lateness is not yet published.
                CREATE INDEX duty_late_unpublished ON duty(due_on) WHERE late_recorded_seq IS NULL AND cancelled_on IS NULL;
                """)
        }
    }
}
