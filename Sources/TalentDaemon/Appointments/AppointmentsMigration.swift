import GRDB
import TalentStorage

/// Chief-engineer and chief-architect appointments. The invariants live in the database itself
/// (CHECKs and triggers), so no code path, script or hand-made INSERT can break them:
/// one holder per post and org (per program for chief architects), one chief-engineer post per
/// person, at any date. Rejected appointments never clash.
enum AppointmentsMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0007_appointments") { db in
            let posts = AppointmentPost.rawValues.map { "'\($0)'" }.joined(separator: ", ")
            let ranks = (EquivalentRank.central + EquivalentRank.provincial).map { "'\($0.rawValue)'" }.joined(separator: ", ")
            try db.execute(sql: """
                CREATE TABLE appointment (
                    id INTEGER PRIMARY KEY,
                    org TEXT NOT NULL REFERENCES org(code),
                    post TEXT NOT NULL CHECK (post IN (\(posts))),
                    program TEXT,
                    person_id INTEGER NOT NULL REFERENCES person(id),
                    term_start TEXT NOT NULL,
                    term_end TEXT,
                    equivalent_rank TEXT NOT NULL CHECK (equivalent_rank IN (\(ranks))),
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
            for event in ["INSERT", "UPDATE OF org, post, program, person_id, term_start, term_end, end_date, state"] {
                let name = event == "INSERT" ? "insert" : "update"
                // SQLite fires the most recently created trigger first: report a post clash before a person clash.
                for clash in AppointmentClash.allCases.reversed() {
                    try db.execute(sql: """
                        CREATE TRIGGER appointment_\(clash.rawValue)_clash_\(name) BEFORE \(event) ON appointment
                        WHEN NEW.state != 'rejected' AND \(clash.applies(to: "NEW"))
                        BEGIN
                            SELECT RAISE(ABORT, '\(clash.abortMessage)')
                            WHERE EXISTS (SELECT 1 FROM appointment a WHERE \(clash.condition(new: "NEW")));
                        END;
                        """)
                }
            }
        }
    }
}

/// The three ways two appointments may clash. SQLite 3.40 accepts only a literal message in
/// RAISE, so a trigger names the invariant ("appointment_clash:post") and the handler finds the
/// clashing appointment with the very same condition, in the same transaction.
enum AppointmentClash: String, CaseIterable {
    /// Two holders of one chief-engineer post of one org.
    case post
    /// Two chief architects of one program of one org.
    case program
    /// One person in two chief-engineer posts.
    case person

    var abortMessage: String { "appointment_clash:\(rawValue)" }

    /// Whether the new row takes part in this invariant at all.
    func applies(to row: String) -> String {
        switch self {
        case .post, .person: "\(row).post IN ('chief_engineer_sti', 'chief_engineer_ops')"
        case .program: "\(row).post = 'chief_architect'"
        }
    }

    /// Rows `a` clashing with the row whose columns are `new.<column>` (NEW in a trigger, or a
    /// parameter table in the lookup): same slot, not rejected, overlapping inclusive intervals.
    func condition(new: String) -> String {
        let slot = switch self {
        case .post: "a.org = \(new).org AND a.post = \(new).post"
        case .program: "a.org = \(new).org AND a.program = \(new).program"
        case .person: "a.person_id = \(new).person_id AND a.post IN ('chief_engineer_sti', 'chief_engineer_ops')"
        }
        return """
            \(slot) AND a.id IS NOT \(new).id AND a.state != 'rejected'
            AND a.term_start <= coalesce(\(new).end_date, \(new).term_end, '9999-12-31')
            AND \(new).term_start <= a.effective_end
            """
    }
}
