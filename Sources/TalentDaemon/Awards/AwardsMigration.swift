import GRDB
import TalentStorage

/// Award rounds, nominations, the three agencies' screening, reviewer assignments, declared
/// conflicts, reviews with their history, and the sealed list. The role `award_secretariat` is
/// one row of `role`. A person is in at most one live nomination per round, individually or as a
/// member: `nomination_person`'s partial unique index holds that, whatever writes the rows.
enum AwardsMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0011_awards") { db in
            try db.execute(sql: """
                INSERT INTO role(name) VALUES ('award_secretariat');
                CREATE TABLE award_round (
                    id INTEGER PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE,
                    title TEXT NOT NULL,
                    year INTEGER NOT NULL,
                    opens_on TEXT NOT NULL,
                    closes_on TEXT NOT NULL,
                    review_closes_on TEXT NOT NULL,
                    -- The round's definition, fixed at creation: JSON arrays as the client gave them.
                    categories TEXT NOT NULL,
                    criteria TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed', 'reviewed', 'submitted', 'decided')),
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    -- The sealed list: its canonical JSON and SHA-256 (hex), written once by submit_list.
                    sealed_list TEXT,
                    sealed_sha256 TEXT,
                    submitted_by TEXT, submitted_at TEXT,
                    decided_by TEXT, decided_at TEXT,
                    CONSTRAINT closes_on CHECK (opens_on <= closes_on),
                    CONSTRAINT review_closes_on CHECK (closes_on <= review_closes_on),
                    CONSTRAINT sealed CHECK ((state IN ('submitted', 'decided')) = (sealed_list IS NOT NULL AND sealed_sha256 IS NOT NULL))
                );
                CREATE TABLE nomination (
                    id INTEGER PRIMARY KEY,
                    round_id INTEGER NOT NULL REFERENCES award_round(id),
                    category TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('individual', 'collective')),
                    org TEXT NOT NULL REFERENCES org(code),
                    person_id INTEGER REFERENCES person(id),
                    collective_name TEXT,
                    citation TEXT NOT NULL,
                    achievements TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('submitted', 'withdrawn')),
                    submitted_by TEXT NOT NULL,
                    submitted_at TEXT NOT NULL,
                    withdrawn_by TEXT, withdrawn_at TEXT, withdraw_reason TEXT,
                    outcome TEXT CHECK (outcome IN ('awarded', 'not_awarded')),
                    decision_ref TEXT,
                    updated_at TEXT NOT NULL,
                    CONSTRAINT nominee CHECK ((kind = 'individual') = (person_id IS NOT NULL AND collective_name IS NULL)
                        AND (kind = 'collective') = (collective_name IS NOT NULL AND person_id IS NULL))
                );
                CREATE INDEX nomination_round ON nomination(round_id, org, category);
                -- Every person a nomination names: the nominee, or each member of a collective.
                CREATE TABLE nomination_person (
                    nomination_id INTEGER NOT NULL REFERENCES nomination(id),
                    round_id INTEGER NOT NULL REFERENCES award_round(id),
                    person_id INTEGER NOT NULL REFERENCES person(id),
                    live INTEGER NOT NULL CHECK (live IN (0, 1)),
                    PRIMARY KEY (nomination_id, person_id)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX nomination_person_once ON nomination_person(round_id, person_id) WHERE live = 1;
                CREATE TABLE nomination_screen (
                    nomination_id INTEGER NOT NULL REFERENCES nomination(id),
                    agency TEXT NOT NULL CHECK (agency IN ('MOST', 'MPS', 'MOHA')),
                    outcome TEXT NOT NULL CHECK (outcome IN ('pass', 'fail')),
                    note TEXT NOT NULL,
                    screened_by TEXT NOT NULL,
                    screened_at TEXT NOT NULL,
                    PRIMARY KEY (nomination_id, agency)
                ) WITHOUT ROWID;
                CREATE TABLE review_assignment (
                    nomination_id INTEGER NOT NULL REFERENCES nomination(id),
                    reviewer TEXT NOT NULL REFERENCES principal(name),
                    assigned_by TEXT NOT NULL,
                    assigned_at TEXT NOT NULL,
                    PRIMARY KEY (nomination_id, reviewer)
                ) WITHOUT ROWID;
                CREATE INDEX review_assignment_reviewer ON review_assignment(reviewer);
                CREATE TABLE review_conflict (
                    nomination_id INTEGER NOT NULL REFERENCES nomination(id),
                    reviewer TEXT NOT NULL REFERENCES principal(name),
                    kind TEXT NOT NULL,
                    note TEXT NOT NULL,
                    declared_at TEXT NOT NULL,
                    PRIMARY KEY (nomination_id, reviewer, kind)
                ) WITHOUT ROWID;
                -- Every version of every review; amending adds a version and clears `current` on the last.
                CREATE TABLE review (
                    id INTEGER PRIMARY KEY,
                    nomination_id INTEGER NOT NULL REFERENCES nomination(id),
                    reviewer TEXT NOT NULL REFERENCES principal(name),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    scores TEXT NOT NULL,
                    recommendation TEXT NOT NULL CHECK (recommendation IN ('award', 'maybe', 'no')),
                    confidence INTEGER NOT NULL CHECK (confidence BETWEEN 1 AND 5),
                    comment TEXT,
                    submitted_at TEXT NOT NULL,
                    current INTEGER NOT NULL CHECK (current IN (0, 1)),
                    UNIQUE (nomination_id, reviewer, version)
                );
                CREATE UNIQUE INDEX review_current ON review(nomination_id, reviewer) WHERE current = 1;
                """)
        }
    }
}
