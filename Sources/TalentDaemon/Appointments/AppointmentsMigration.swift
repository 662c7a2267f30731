import GRDB
import TalentStorage

/// Chief-engineer and chief-architect appointments. The invariants live in the database itself
/// (CHECKs and triggers), so no code path, script or hand-made INSERT can break them:
/// one holder per post and org (per program for chief architects), one chief-engineer post per
/// person, at any date. Rejected appointments never clash.
enum AppointmentsMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0007_appointments") { db in
            try db.execute(sql: """
                CREATE TABLE appointment (
                    id INTEGER PRIMARY KEY,
                    org TEXT NOT NULL REFERENCES org(code),
                    post TEXT NOT NULL CHECK (post IN ('chief_engineer_sti', 'chief_engineer_ops', 'chief_architect')),
                    program TEXT,
                    person_id INTEGER NOT NULL REFERENCES person(id),
                    term_start TEXT NOT NULL,
                    term_end TEXT,
                    equivalent_rank TEXT NOT NULL CHECK (equivalent_rank IN ('deputy_minister', 'director_general', 'deputy_director_general', 'department_director', 'deputy_department_director', 'provincial_vice_chairman', 'provincial_department_director', 'provincial_deputy_department_director')),
                    decision_ref TEXT,
                    state TEXT NOT NULL CHECK (state IN ('proposed', 'approved', 'rejected', 'ended')),
                    proposed_by TEXT NOT NULL,
                    proposed_at TEXT NOT NULL,
                    approved_by TEXT, approved_at TEXT,
                    rejected_by TEXT, rejected_at TEXT, rejection_reason TEXT,
                    end_date TEXT, end_reason TEXT,
                    updated_at TEXT NOT NULL,
                    -- The last day in office (inclusive); '9999-12-31' for an open term.
                    effective_end TEXT GENERATED ALWAYS AS (coalesce(end_date, term_end, '9999-12-31')) VIRTUAL,
                    -- Constraint names are the param a client must fix.
                    CONSTRAINT term_end CHECK (term_end IS NULL OR term_end > term_start),
                    CONSTRAINT program CHECK ((post = 'chief_architect') = (program IS NOT NULL)),
                    CONSTRAINT end_date CHECK ((state = 'ended') = (end_date IS NOT NULL)
                        AND (end_date IS NULL OR (end_date >= term_start AND (term_end IS NULL OR end_date <= term_end))))
                );
                -- The overlap checks scan one (org, post), (org, program) or person from the date a
                -- term must still run at; coverage.report finds each post's holder on a date the same way.
                CREATE INDEX appointment_post ON appointment(org, post, effective_end, term_start);
                CREATE INDEX appointment_program ON appointment(org, program, effective_end, term_start) WHERE program IS NOT NULL;
                CREATE INDEX appointment_person ON appointment(person_id, effective_end, term_start);
                -- Listing one org in id order (the index carries the rowid).
                CREATE INDEX appointment_org ON appointment(org);
                """)
            // SQLite fires the most recently created trigger first: a post clash is reported before
            // a person clash. Each trigger's WHERE EXISTS is `AppointmentClash.condition(new: "NEW")`
            // spelled out: the store finds the clashing appointment with that same condition.
            try db.execute(sql: """
                CREATE TRIGGER appointment_person_clash_insert BEFORE INSERT ON appointment
                WHEN NEW.state != 'rejected' AND NEW.post IN ('chief_engineer_sti', 'chief_engineer_ops')
                BEGIN
                    SELECT RAISE(ABORT, 'appointment_clash:person')
                    WHERE EXISTS (SELECT 1 FROM appointment a WHERE a.person_id = NEW.person_id AND a.post IN ('chief_engineer_sti', 'chief_engineer_ops') AND a.id IS NOT NEW.id AND a.state != 'rejected'
                AND a.term_start <= coalesce(NEW.end_date, NEW.term_end, '9999-12-31')
                AND NEW.term_start <= a.effective_end);
                END;
                CREATE TRIGGER appointment_program_clash_insert BEFORE INSERT ON appointment
                WHEN NEW.state != 'rejected' AND NEW.post = 'chief_architect'
                BEGIN
                    SELECT RAISE(ABORT, 'appointment_clash:program')
                    WHERE EXISTS (SELECT 1 FROM appointment a WHERE a.org = NEW.org AND a.program = NEW.program AND a.id IS NOT NEW.id AND a.state != 'rejected'
                AND a.term_start <= coalesce(NEW.end_date, NEW.term_end, '9999-12-31')
                AND NEW.term_start <= a.effective_end);
                END;
                CREATE TRIGGER appointment_post_clash_insert BEFORE INSERT ON appointment
                WHEN NEW.state != 'rejected' AND NEW.post IN ('chief_engineer_sti', 'chief_engineer_ops')
                BEGIN
                    SELECT RAISE(ABORT, 'appointment_clash:post')
                    WHERE EXISTS (SELECT 1 FROM appointment a WHERE a.org = NEW.org AND a.post = NEW.post AND a.id IS NOT NEW.id AND a.state != 'rejected'
                AND a.term_start <= coalesce(NEW.end_date, NEW.term_end, '9999-12-31')
                AND NEW.term_start <= a.effective_end);
                END;
                CREATE TRIGGER appointment_person_clash_update BEFORE UPDATE OF org, post, program, person_id, term_start, term_end, end_date, state ON appointment
                WHEN NEW.state != 'rejected' AND NEW.post IN ('chief_engineer_sti', 'chief_engineer_ops')
                BEGIN
                    SELECT RAISE(ABORT, 'appointment_clash:person')
                    WHERE EXISTS (SELECT 1 FROM appointment a WHERE a.person_id = NEW.person_id AND a.post IN ('chief_engineer_sti', 'chief_engineer_ops') AND a.id IS NOT NEW.id AND a.state != 'rejected'
                AND a.term_start <= coalesce(NEW.end_date, NEW.term_end, '9999-12-31')
                AND NEW.term_start <= a.effective_end);
                END;
                CREATE TRIGGER appointment_program_clash_update BEFORE UPDATE OF org, post, program, person_id, term_start, term_end, end_date, state ON appointment
                WHEN NEW.state != 'rejected' AND NEW.post = 'chief_architect'
                BEGIN
                    SELECT RAISE(ABORT, 'appointment_clash:program')
                    WHERE EXISTS (SELECT 1 FROM appointment a WHERE a.org = NEW.org AND a.program = NEW.program AND a.id IS NOT NEW.id AND a.state != 'rejected'
                AND a.term_start <= coalesce(NEW.end_date, NEW.term_end, '9999-12-31')
                AND NEW.term_start <= a.effective_end);
                END;
                CREATE TRIGGER appointment_post_clash_update BEFORE UPDATE OF org, post, program, person_id, term_start, term_end, end_date, state ON appointment
                WHEN NEW.state != 'rejected' AND NEW.post IN ('chief_engineer_sti', 'chief_engineer_ops')
                BEGIN
                    SELECT RAISE(ABORT, 'appointment_clash:post')
                    WHERE EXISTS (SELECT 1 FROM appointment a WHERE a.org = NEW.org AND a.post = NEW.post AND a.id IS NOT NEW.id AND a.state != 'rejected'
                AND a.term_start <= coalesce(NEW.end_date, NEW.term_end, '9999-12-31')
                AND NEW.term_start <= a.effective_end);
                END;
                """)
        }
    }
}
