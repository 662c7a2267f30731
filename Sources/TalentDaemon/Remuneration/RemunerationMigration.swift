import GRDB
import TalentStorage

/// Dated parameters (append-only: a correction is a new row for the same effective_from; the
/// latest row recorded by a time is what the system knew then), the statutory base salary seeded
/// from its decrees, and each appointee's own salary coefficient.
enum RemunerationMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0009_remuneration") { db in
            try db.execute(sql: """
                CREATE TABLE param (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    unit TEXT NOT NULL CHECK (unit IN ('vnd', 'coefficient')),
                    description TEXT NOT NULL,
                    defined_by TEXT NOT NULL,
                    defined_at TEXT NOT NULL
                );
                -- value: whole dong for unit vnd, thousandths for unit coefficient (1.25 is 1250).
                -- Rows are never updated or deleted: corrects_id names the row a correction replaces.
                CREATE TABLE param_value (
                    id INTEGER PRIMARY KEY,
                    param_id INTEGER NOT NULL REFERENCES param(id),
                    effective_from TEXT NOT NULL,
                    value INTEGER NOT NULL CHECK (value >= 0),
                    decision_ref TEXT NOT NULL,
                    note TEXT,
                    corrects_id INTEGER REFERENCES param_value(id),
                    recorded_at TEXT NOT NULL,
                    recorded_by TEXT NOT NULL
                );
                -- The value in force on a date as known at a time: latest effective_from, then latest row.
                CREATE INDEX param_value_lookup ON param_value(param_id, effective_from, id);
                CREATE TRIGGER param_value_append_only_update BEFORE UPDATE ON param_value
                BEGIN SELECT RAISE(ABORT, 'param_value is append-only'); END;
                CREATE TRIGGER param_value_append_only_delete BEFORE DELETE ON param_value
                BEGIN SELECT RAISE(ABORT, 'param_value is append-only'); END;

                INSERT INTO param(name, unit, description, defined_by, defined_at) VALUES
                    ('base_salary', 'vnd', 'Statutory base salary (lương cơ sở), VND per month',
                     'talentd init', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
                INSERT INTO param_value(param_id, effective_from, value, decision_ref, recorded_at, recorded_by)
                SELECT id, '2019-07-01', 1490000, 'Decree 38/2019/ND-CP', defined_at, defined_by FROM param WHERE name = 'base_salary';
                INSERT INTO param_value(param_id, effective_from, value, decision_ref, recorded_at, recorded_by)
                SELECT id, '2023-07-01', 1800000, 'Decree 24/2023/ND-CP', defined_at, defined_by FROM param WHERE name = 'base_salary';
                INSERT INTO param_value(param_id, effective_from, value, decision_ref, recorded_at, recorded_by)
                SELECT id, '2024-07-01', 2340000, 'Decree 73/2024/ND-CP', defined_at, defined_by FROM param WHERE name = 'base_salary';

                -- The appointee's own salary coefficient, in thousandths (optional).
                ALTER TABLE appointment ADD COLUMN salary_coefficient INTEGER
                    CONSTRAINT salary_coefficient CHECK (salary_coefficient IS NULL OR salary_coefficient > 0);
                """)
        }
    }
}
