import GRDB
import TalentStorage

/// Expert recruitment: campaigns with a rubric fixed once open, applications with their stage
/// history, evaluators and their conflicts, blind evaluations, and the experts recruited. The
/// database refuses what it can by itself: one application per person and campaign, one
/// evaluation per evaluator and application, scores within 0..max_score, criteria changed
/// after a campaign opens.
enum RecruitmentMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0010_recruitment") { db in
            try db.execute(sql: """
                INSERT INTO role(name) VALUES ('evaluator');
                -- The registry person a principal is, for conflict-of-interest checks.
                ALTER TABLE principal ADD COLUMN person_id INTEGER REFERENCES person(id);

                CREATE TABLE campaign (
                    id INTEGER PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),
                    title TEXT NOT NULL CHECK (length(title) > 0),
                    org TEXT NOT NULL REFERENCES org(code),
                    tier TEXT NOT NULL CHECK (tier IN ('leading_expert', 'expert', 'chief_architect')),
                    -- A JSON array of field names.
                    fields TEXT NOT NULL DEFAULT '[]',
                    openings INTEGER NOT NULL CHECK (openings >= 1),
                    opens_on TEXT NOT NULL,
                    closes_on TEXT NOT NULL,
                    min_evaluators INTEGER NOT NULL CHECK (min_evaluators >= 1),
                    state TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed', 'filled', 'cancelled')),
                    cancel_reason TEXT,
                    created_by TEXT NOT NULL, created_at TEXT NOT NULL,
                    opened_by TEXT, opened_at TEXT,
                    closed_by TEXT, closed_at TEXT,
                    cancelled_by TEXT, cancelled_at TEXT,
                    updated_at TEXT NOT NULL,
                    CONSTRAINT closes_on CHECK (closes_on >= opens_on),
                    CONSTRAINT reason CHECK ((state = 'cancelled') = (cancel_reason IS NOT NULL))
                );
                CREATE INDEX campaign_org ON campaign(org);

                CREATE TABLE campaign_criterion (
                    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
                    position INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    title TEXT NOT NULL,
                    weight INTEGER NOT NULL CHECK (weight >= 1),
                    max_score INTEGER NOT NULL CHECK (max_score >= 1),
                    min_score INTEGER,
                    CONSTRAINT min_score CHECK (min_score IS NULL OR min_score BETWEEN 0 AND max_score),
                    PRIMARY KEY (campaign_id, key)
                ) WITHOUT ROWID;
                -- A changed rubric is a new campaign, so every score can be recomputed later.
                CREATE TRIGGER campaign_criterion_frozen_insert BEFORE INSERT ON campaign_criterion
                WHEN (SELECT state FROM campaign WHERE id = NEW.campaign_id) != 'draft'
                BEGIN SELECT RAISE(ABORT, 'criteria_frozen'); END;
                CREATE TRIGGER campaign_criterion_frozen_update BEFORE UPDATE ON campaign_criterion
                WHEN (SELECT state FROM campaign WHERE id = OLD.campaign_id) != 'draft'
                BEGIN SELECT RAISE(ABORT, 'criteria_frozen'); END;
                CREATE TRIGGER campaign_criterion_frozen_delete BEFORE DELETE ON campaign_criterion
                WHEN (SELECT state FROM campaign WHERE id = OLD.campaign_id) != 'draft'
                BEGIN SELECT RAISE(ABORT, 'criteria_frozen'); END;

                CREATE TABLE application (
                    id INTEGER PRIMARY KEY,
                    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
                    person_id INTEGER NOT NULL REFERENCES person(id),
                    source TEXT NOT NULL CHECK (source IN ('domestic', 'overseas', 'referral')),
                    referred_by TEXT,
                    note TEXT,
                    stage TEXT NOT NULL CHECK (stage IN ('applied', 'screening', 'evaluation', 'interview', 'offer', 'recruited', 'rejected', 'withdrawn')),
                    reason_code TEXT,
                    offer_start_on TEXT, remuneration_note TEXT,
                    offered_by TEXT, offered_at TEXT,
                    offer_approved_by TEXT, offer_approved_at TEXT,
                    submitted_by TEXT NOT NULL, submitted_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    CONSTRAINT reason_code CHECK ((stage = 'rejected') = (reason_code IS NOT NULL)),
                    -- Four-eyes: whoever made the offer never approves it.
                    CONSTRAINT offer_approved_by CHECK (offer_approved_by IS NULL OR offer_approved_by != offered_by)
                );
                CREATE UNIQUE INDEX application_once ON application(campaign_id, person_id);
                CREATE INDEX application_stage_index ON application(campaign_id, stage);

                -- Every stage change, including the first ('applied', from NULL).
                CREATE TABLE application_stage (
                    id INTEGER PRIMARY KEY,
                    application_id INTEGER NOT NULL REFERENCES application(id),
                    from_stage TEXT,
                    to_stage TEXT NOT NULL,
                    at TEXT NOT NULL,
                    by TEXT NOT NULL,
                    note TEXT
                );
                CREATE INDEX application_stage_history ON application_stage(application_id, id);
                -- recruitment.progress: recruitments recorded by a date.
                CREATE INDEX application_stage_recruited ON application_stage(at) WHERE to_stage = 'recruited';

                CREATE TABLE campaign_evaluator (
                    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
                    principal_id INTEGER NOT NULL REFERENCES principal(id),
                    assigned_by TEXT NOT NULL,
                    assigned_at TEXT NOT NULL,
                    PRIMARY KEY (campaign_id, principal_id)
                ) WITHOUT ROWID;

                CREATE TABLE evaluation_conflict (
                    id INTEGER PRIMARY KEY,
                    application_id INTEGER NOT NULL REFERENCES application(id),
                    principal_id INTEGER NOT NULL REFERENCES principal(id),
                    kind TEXT NOT NULL CHECK (kind IN ('relative', 'supervisor', 'co_author', 'same_employer', 'other')),
                    note TEXT NOT NULL,
                    declared_at TEXT NOT NULL
                );
                CREATE UNIQUE INDEX evaluation_conflict_once ON evaluation_conflict(application_id, principal_id);

                CREATE TABLE evaluation (
                    id INTEGER PRIMARY KEY,
                    application_id INTEGER NOT NULL REFERENCES application(id),
                    principal_id INTEGER NOT NULL REFERENCES principal(id),
                    comment TEXT,
                    submitted_at TEXT NOT NULL
                );
                CREATE UNIQUE INDEX evaluation_once ON evaluation(application_id, principal_id);

                CREATE TABLE evaluation_score (
                    evaluation_id INTEGER NOT NULL REFERENCES evaluation(id),
                    criterion_key TEXT NOT NULL,
                    score INTEGER NOT NULL CHECK (score >= 0),
                    PRIMARY KEY (evaluation_id, criterion_key)
                ) WITHOUT ROWID;
                CREATE TRIGGER evaluation_score_range BEFORE INSERT ON evaluation_score
                WHEN NEW.score > (SELECT c.max_score FROM evaluation e JOIN application a ON a.id = e.application_id
                                  JOIN campaign_criterion c ON c.campaign_id = a.campaign_id AND c.key = NEW.criterion_key
                                  WHERE e.id = NEW.evaluation_id)
                  OR NOT EXISTS (SELECT 1 FROM evaluation e JOIN application a ON a.id = e.application_id
                                 JOIN campaign_criterion c ON c.campaign_id = a.campaign_id AND c.key = NEW.criterion_key
                                 WHERE e.id = NEW.evaluation_id)
                BEGIN SELECT RAISE(ABORT, 'score_out_of_range'); END;

                CREATE TABLE expert (
                    id INTEGER PRIMARY KEY,
                    application_id INTEGER NOT NULL UNIQUE REFERENCES application(id),
                    person_id INTEGER NOT NULL REFERENCES person(id),
                    org TEXT NOT NULL REFERENCES org(code),
                    tier TEXT NOT NULL CHECK (tier IN ('leading_expert', 'expert', 'chief_architect')),
                    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
                    start_on TEXT NOT NULL,
                    overseas INTEGER NOT NULL CHECK (overseas IN (0, 1)),
                    -- The last day in post, inclusive.
                    end_on TEXT,
                    end_reason TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    CONSTRAINT end_on CHECK (end_on IS NULL OR end_on >= start_on)
                );
                CREATE INDEX expert_tier ON expert(tier, start_on);
                CREATE INDEX expert_org ON expert(org);
                """)
        }
    }
}
