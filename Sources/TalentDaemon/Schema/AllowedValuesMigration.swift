import GRDB
import TalentStorage

/// CHECKs that list allowed values spell them as ORs (released after 0014).
///
/// For an IN list of more than two constants, SQLite builds a temporary b-tree, and inside a CHECK
/// it builds it again for every row it checks. The three of `appointment` cost about a quarter of
/// an appointment insert, the one of `person` over a third of a person insert (measured with the
/// clash triggers and the name note). The ORs allow exactly the same values.
///
/// A CHECK cannot be altered, and these are equivalent rewrites that every stored row already
/// satisfies, so this uses SQLite's documented procedure for changing a table's constraints in
/// place (sqlite.org/lang_altertable.html, "making other kinds of table schema changes"):
/// rewrite the stored CREATE TABLE text, then make every connection reload the schema. A table's rows, indexes and triggers are untouched, however many rows it holds.
/// New tables spell allowed values as ORs from the start (test_migrations.py checks).
enum AllowedValuesMigration {
    static func register(in migrations: inout Migrations) {
        migrations.register("0015_allowed_values_as_ors") { db in
            try db.execute(sql: """
                PRAGMA writable_schema = ON;
                UPDATE sqlite_schema SET sql = replace(sql,
                        'CHECK (kind IN (''ministry'', ''ministerial_agency'', ''central_city'', ''province'', ''government_agency'', ''other''))',
                        'CHECK (kind = ''ministry'' OR kind = ''ministerial_agency'' OR kind = ''central_city'' OR kind = ''province'' OR kind = ''government_agency'' OR kind = ''other'')')
                    WHERE type = 'table' AND name = 'org';
                UPDATE sqlite_schema SET sql = replace(sql,
                        'CHECK (gender IN (''female'', ''male'', ''other''))',
                        'CHECK (gender = ''female'' OR gender = ''male'' OR gender = ''other'')')
                    WHERE type = 'table' AND name = 'person';
                UPDATE sqlite_schema SET sql = replace(replace(replace(sql,
                        'CHECK (post IN (''chief_engineer_sti'', ''chief_engineer_ops'', ''chief_architect''))',
                        'CHECK (post = ''chief_engineer_sti'' OR post = ''chief_engineer_ops'' OR post = ''chief_architect'')'),
                        'CHECK (equivalent_rank IN (''deputy_minister'', ''director_general'', ''deputy_director_general'', ''department_director'', ''deputy_department_director'', ''provincial_vice_chairman'', ''provincial_department_director'', ''provincial_deputy_department_director''))',
                        'CHECK (equivalent_rank = ''deputy_minister'' OR equivalent_rank = ''director_general'' OR equivalent_rank = ''deputy_director_general'' OR equivalent_rank = ''department_director'' OR equivalent_rank = ''deputy_department_director'' OR equivalent_rank = ''provincial_vice_chairman'' OR equivalent_rank = ''provincial_department_director'' OR equivalent_rank = ''provincial_deputy_department_director'')'),
                        'CHECK (state IN (''proposed'', ''approved'', ''rejected'', ''ended''))',
                        'CHECK (state = ''proposed'' OR state = ''approved'' OR state = ''rejected'' OR state = ''ended'')')
                    WHERE type = 'table' AND name = 'appointment';
                UPDATE sqlite_schema SET sql = replace(replace(sql,
                        'CHECK (tier IN (''leading_expert'', ''expert'', ''chief_architect''))',
                        'CHECK (tier = ''leading_expert'' OR tier = ''expert'' OR tier = ''chief_architect'')'),
                        'CHECK (state IN (''draft'', ''open'', ''closed'', ''filled'', ''cancelled''))',
                        'CHECK (state = ''draft'' OR state = ''open'' OR state = ''closed'' OR state = ''filled'' OR state = ''cancelled'')')
                    WHERE type = 'table' AND name = 'campaign';
                UPDATE sqlite_schema SET sql = replace(replace(sql,
                        'CHECK (source IN (''domestic'', ''overseas'', ''referral''))',
                        'CHECK (source = ''domestic'' OR source = ''overseas'' OR source = ''referral'')'),
                        'CHECK (stage IN (''applied'', ''screening'', ''evaluation'', ''interview'', ''offer'', ''recruited'', ''rejected'', ''withdrawn''))',
                        'CHECK (stage = ''applied'' OR stage = ''screening'' OR stage = ''evaluation'' OR stage = ''interview'' OR stage = ''offer'' OR stage = ''recruited'' OR stage = ''rejected'' OR stage = ''withdrawn'')')
                    WHERE type = 'table' AND name = 'application';
                UPDATE sqlite_schema SET sql = replace(sql,
                        'CHECK (kind IN (''relative'', ''supervisor'', ''co_author'', ''same_employer'', ''other''))',
                        'CHECK (kind = ''relative'' OR kind = ''supervisor'' OR kind = ''co_author'' OR kind = ''same_employer'' OR kind = ''other'')')
                    WHERE type = 'table' AND name = 'evaluation_conflict';
                UPDATE sqlite_schema SET sql = replace(sql,
                        'CHECK (tier IN (''leading_expert'', ''expert'', ''chief_architect''))',
                        'CHECK (tier = ''leading_expert'' OR tier = ''expert'' OR tier = ''chief_architect'')')
                    WHERE type = 'table' AND name = 'expert';
                UPDATE sqlite_schema SET sql = replace(sql,
                        'CHECK (state IN (''draft'', ''open'', ''closed'', ''reviewed'', ''submitted'', ''decided''))',
                        'CHECK (state = ''draft'' OR state = ''open'' OR state = ''closed'' OR state = ''reviewed'' OR state = ''submitted'' OR state = ''decided'')')
                    WHERE type = 'table' AND name = 'award_round';
                UPDATE sqlite_schema SET sql = replace(sql,
                        'CHECK (agency IN (''MOST'', ''MPS'', ''MOHA''))',
                        'CHECK (agency = ''MOST'' OR agency = ''MPS'' OR agency = ''MOHA'')')
                    WHERE type = 'table' AND name = 'nomination_screen';
                UPDATE sqlite_schema SET sql = replace(sql,
                        'CHECK (recommendation IN (''award'', ''maybe'', ''no''))',
                        'CHECK (recommendation = ''award'' OR recommendation = ''maybe'' OR recommendation = ''no'')')
                    WHERE type = 'table' AND name = 'review';
                UPDATE sqlite_schema SET sql = replace(sql,
                        'CHECK (kind IN (''chief_engineers'', ''nominations'', ''recruitment'', ''manual''))',
                        'CHECK (kind = ''chief_engineers'' OR kind = ''nominations'' OR kind = ''recruitment'' OR kind = ''manual'')')
                    WHERE type = 'table' AND name = 'duty';
                -- Any schema change bumps the schema version, so that other connections reload the
                -- schema; RESET turns schema writing off and reloads it on this connection.
                CREATE TABLE allowed_values_reload(x);
                DROP TABLE allowed_values_reload;
                PRAGMA writable_schema = RESET;
                """)
        }
    }
}
