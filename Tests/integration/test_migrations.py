"""Migrations are frozen history: a database written by the release before (schema_version 7,
Tests/fixtures/schema7.db, made by make_schema7_fixture.py at commit 247a235) upgrades in place on
first `serve` to exactly the schema a fresh database gets, keeping every row, secret and token."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import REPO, Daemon, run, short_tmpdir

FIXTURES = REPO / "Tests/fixtures"
SCHEMA7_DB = FIXTURES / "schema7.db"
SCHEMA7_FACTS = json.loads((FIXTURES / "schema7.json").read_text())
SCHEMA7_ADMIN_SECRET = (FIXTURES / "schema7.admin.secret").read_text().strip()
# Every migration this build knows, in order. A new one is appended here.
MIGRATIONS = ["0001_store_meta", "0002_organizations", "0003_identity", "0004_audit", "0005_idempotency",
              "0006_people", "0007_appointments", "0008_role_table",
              "0009_remuneration", "0010_recruitment", "0011_awards", "0012_duties", "0013_events",
              "0014_person_name_per_commit", "0015_allowed_values_as_ors"]
ROLES = {"admin", "hr_official", "ministry_agent", "reviewer", "ops", "auditor", "evaluator", "award_secretariat"}


class CopiedDaemon(Daemon):
    """A daemon serving a copy of an existing database file, without `talentd init`."""

    def __init__(self, source: Path, admin_secret: str):
        self.dir = short_tmpdir()
        self.db = str(self.dir / "talent.db")
        shutil.copyfile(source, self.db)
        self.socket = str(self.dir / "talentd.sock")
        self.log_path = self.dir / "talentd.log"
        self.config = None
        self.log_level = "info"
        self.proc = None
        self.admin_secret = admin_secret


def schema(db: str) -> list[tuple[str, str, str, str]]:
    """sqlite_master with whitespace normalized, without SQLite's own objects."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").fetchall()
    return [(t, n, tbl, re.sub(r"\s+", " ", sql or "").strip()) for t, n, tbl, sql in rows]


def applied_migrations(db: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT identifier FROM grdb_migrations ORDER BY rowid")]


def counts(db: str) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'person_name%' AND name NOT IN ('grdb_migrations', 'role')")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def dump(db: str, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def upgraded():
    """The schema-7 fixture after its first `serve`; what it held before, read with sqlite3."""
    d = CopiedDaemon(SCHEMA7_DB, SCHEMA7_ADMIN_SECRET)
    assert applied_migrations(d.db) == MIGRATIONS[:7]
    before = {
        "counts": counts(d.db),
        "principals": dump(d.db, "SELECT p.name, p.org, p.status, group_concat(r.role, ',') FROM principal p "
                                 "JOIN (SELECT * FROM principal_role ORDER BY role) r ON r.principal_id = p.id "
                                 "GROUP BY p.id ORDER BY p.id"),
        "persons": dump(d.db, "SELECT id, full_name, name_key, birth_date, national_id, email, phone, version FROM person ORDER BY id"),
        "appointments": dump(d.db, "SELECT id, org, post, program, person_id, term_start, term_end, state, end_date FROM appointment ORDER BY id"),
        "audit": dump(d.db, "SELECT seq, hash FROM audit_entry ORDER BY seq"),
        "orgs": dump(d.db, "SELECT code, kind, name, name_en, created_at FROM org ORDER BY code"),
    }
    d.start()
    yield d, before
    assert d.stop() == 0, d.log()


def test_fixture_is_a_schema_7_database_with_every_kind_of_row():
    """Guards the fixture itself: the upgrade test proves little on an empty database."""
    assert SCHEMA7_DB.stat().st_size < 1 << 20
    assert applied_migrations(str(SCHEMA7_DB)) == MIGRATIONS[:7]
    n = counts(str(SCHEMA7_DB))
    assert n["person"] >= 20 and n["org"] == 52 and n["api_token"] >= 1 and n["uid_binding"] >= 1
    assert n["idempotency_key"] >= 1
    states = {s for (s,) in dump(str(SCHEMA7_DB), "SELECT DISTINCT state FROM appointment")}
    assert states == {"proposed", "approved", "rejected", "ended"}
    assert dump(str(SCHEMA7_DB), "SELECT count(*) FROM audit_entry WHERE outcome = 'denied'")[0][0] >= 1


def test_fresh_and_upgraded_databases_have_the_same_schema(upgraded, make_daemon):
    d, _ = upgraded
    fresh = make_daemon(start=False)
    assert applied_migrations(fresh.db) == MIGRATIONS
    assert applied_migrations(d.db) == MIGRATIONS
    fresh_schema, upgraded_schema = schema(fresh.db), schema(d.db)
    assert {t for t, *_ in fresh_schema} == {"table", "index", "trigger"}
    assert upgraded_schema == fresh_schema


def in_lists_in_checks(db: str) -> list[tuple[str, str]]:
    """CHECKs listing more than two allowed values with IN: SQLite builds a temporary b-tree for
    such a list on every row it checks."""
    with sqlite3.connect(db) as conn:
        tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL").fetchall()
    return [(name, m.group(0)) for name, sql in tables for m in re.finditer(r"CHECK \(\w+ IN \((?:[^(),]*,){2,}[^(),]*\)\)", sql)]


def test_allowed_values_are_checked_without_in_lists(upgraded, make_daemon):
    """0015 spells every list of allowed values as ORs, in place; a new table must too."""
    d, _ = upgraded
    # What the pattern finds in the old release (principal_role's list went with 0008's role table).
    assert [table for table, _ in in_lists_in_checks(str(SCHEMA7_DB))] == [
        "org", "principal_role", "person", "appointment", "appointment", "appointment"]
    fresh = make_daemon(start=False)
    assert in_lists_in_checks(fresh.db) == [], "spell allowed values as ORs (see AllowedValuesMigration.swift)"
    assert in_lists_in_checks(d.db) == []
    with sqlite3.connect(d.db) as conn:
        # Every row the old release wrote satisfies the rewritten CHECKs (integrity_check tests them)...
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # ...and the database itself still refuses a value not on the list.
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed: gender"):
            conn.execute("UPDATE person SET gender = 'unknown' WHERE id = (SELECT min(id) FROM person)")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed: state"):
            conn.execute("UPDATE appointment SET state = 'pending' WHERE id = (SELECT min(id) FROM appointment)")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed: kind"):
            conn.execute("UPDATE org SET kind = 'city' WHERE code = 'MOHA'")
        assert conn.execute("SELECT count(*) FROM person WHERE gender = 'unknown'").fetchone()[0] == 0


def test_the_literal_seed_rows_are_the_ones_the_release_wrote(upgraded, make_daemon):
    """0002's org seed was written from a TSV at migration time; now it is literal SQL. The 51 rows
    a fresh database gets are the very rows the release wrote (the fixture also holds an org an
    admin added), and both databases know the same roles."""
    d, _ = upgraded
    fresh = make_daemon(start=False)
    orgs = "SELECT code, kind, name, name_en, parent FROM org ORDER BY code"
    seeded = dump(fresh.db, orgs)
    assert len(seeded) == 51
    released = [row for row in dump(d.db, orgs) if row[0] in {code for code, *_ in seeded}]
    assert released == seeded
    roles = "SELECT name FROM role ORDER BY name"
    assert dump(d.db, roles) == dump(fresh.db, roles)


def test_schema_7_database_upgrades_in_place_on_first_serve(upgraded):
    d, before = upgraded
    assert "applied" in d.log() and "0008_role_table" in d.log()
    # Every table the old release had keeps every row (later migrations may add tables and seed rows).
    after = counts(d.db)
    assert {table: after.get(table) for table in before["counts"]} == before["counts"]
    for key in ["principals", "persons", "appointments", "audit", "orgs"]:
        assert dump(d.db, {
            "principals": "SELECT p.name, p.org, p.status, group_concat(r.role, ',') FROM principal p "
                          "JOIN (SELECT * FROM principal_role ORDER BY role) r ON r.principal_id = p.id "
                          "GROUP BY p.id ORDER BY p.id",
            "persons": "SELECT id, full_name, name_key, birth_date, national_id, email, phone, version FROM person ORDER BY id",
            "appointments": "SELECT id, org, post, program, person_id, term_start, term_end, state, end_date FROM appointment ORDER BY id",
            "audit": "SELECT seq, hash FROM audit_entry ORDER BY seq",
            "orgs": "SELECT code, kind, name, name_en, created_at FROM org ORDER BY code",
        }[key]) == before[key], key
    assert {r for (r,) in dump(d.db, "SELECT name FROM role")} == ROLES

    admin = d.login()
    assert admin.result("system.info")["schema_version"] == len(MIGRATIONS)
    verdict = admin.result("audit.verify")
    # The old chain verifies, with the entries written since (this login) chained onto it.
    assert verdict["ok"] and verdict["entries"] > len(before["audit"]), verdict
    # Every secret and the token the old release issued still log in, with their roles.
    for name, secret in SCHEMA7_FACTS["secrets"].items():
        conn = d.connect()
        assert conn.login(name, secret)["principal"] == name
        conn.close()
    agent = d.connect()
    agent.login(SCHEMA7_FACTS["token"]["principal"], SCHEMA7_FACTS["token"]["token"])
    assert agent.result("session.whoami")["roles"] == ["ministry_agent"]
    # Data written by the old release reads back through the new one, search index included.
    ids = SCHEMA7_FACTS["person_ids"]
    first = admin.result("person.get", {"id": ids[0]})
    assert first["full_name"] == "Nguyễn Văn An" and first["national_id"] == "001085012345"
    found = admin.result("person.search", {"q": "Đặng Thị Lan"})["persons"]
    assert [p["id"] for p in found] == [ids[9]]
    appointments = SCHEMA7_FACTS["appointments"]
    assert admin.result("appointment.get", {"id": appointments["chief_architect"]})["program"] == "AI-2030"
    # The upgraded database keeps enforcing the old invariants: the MOF post is taken.
    clash = admin.error("appointment.propose", {"org": "MOF", "post": "chief_engineer_sti", "person_id": ids[5],
                                                "term_start": "2026-01-01", "equivalent_rank": "director_general"})
    assert clash["data"]["reason"] == "conflict", clash
    # And writes land, audited, on top of the old chain.
    admin.result("principal.create", {"name": "after-upgrade", "kind": "human", "roles": ["reviewer", "ops"]})
    assert admin.result("audit.verify")["ok"]


def test_second_serve_applies_nothing(upgraded):
    d, _ = upgraded
    # A SIGTERM in the first moments after the socket opens can be lost (Daemon.serve installs its
    # signal sources after listening): let start-up finish first.
    assert "result" in d.rpc("system.info")
    assert d.stop() == 0
    first_log = d.log()
    d.start()
    second_log = d.log()[len(first_log):]
    assert "0008_role_table" not in second_log, second_log
    assert applied_migrations(d.db) == MIGRATIONS


def test_database_from_a_newer_build_is_refused():
    d = CopiedDaemon(SCHEMA7_DB, SCHEMA7_ADMIN_SECRET)
    with sqlite3.connect(d.db) as conn:
        conn.execute("INSERT INTO grdb_migrations(identifier) VALUES ('9999_from_the_future')")
    result = run([str(REPO / ".build/debug/talentd"), "serve", "--db", d.db, "--socket", d.socket])
    assert result.returncode != 0
    assert "9999_from_the_future" in result.stderr and "newer" in result.stderr, result.stderr
    assert applied_migrations(d.db) == MIGRATIONS[:7] + ["9999_from_the_future"], "nothing applied to it"


def test_serve_upgrades_only_a_database_init_made():
    """An empty file is not an old database: serve must not turn it into one without an admin."""
    d = CopiedDaemon(SCHEMA7_DB, SCHEMA7_ADMIN_SECRET)
    Path(d.db).write_bytes(b"")
    result = run([str(REPO / ".build/debug/talentd"), "serve", "--db", d.db, "--socket", d.socket])
    assert result.returncode != 0
    assert "talentd init" in result.stderr, result.stderr
    with sqlite3.connect(d.db) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_unknown_role_is_refused_by_the_database(make_daemon):
    """principal_role.role references the role table: a hand-made row with a role no migration added fails."""
    d = make_daemon(start=False)
    with sqlite3.connect(d.db) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        admin_id = conn.execute("SELECT id FROM principal WHERE name = 'admin'").fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute("INSERT INTO principal_role(principal_id, role) VALUES (?, 'council_secretary')", (admin_id,))
        conn.execute("INSERT INTO principal_role(principal_id, role) VALUES (?, 'auditor')", (admin_id,))
        assert {r for (r,) in conn.execute("SELECT name FROM role")} == ROLES
        assert "CHECK" not in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'principal_role'").fetchone()[0]


def test_serve_refuses_a_role_table_that_disagrees_with_the_build(make_daemon):
    d = make_daemon(start=False)
    with sqlite3.connect(d.db) as conn:
        conn.execute("INSERT INTO role(name) VALUES ('council_secretary')")
    result = run([str(REPO / ".build/debug/talentd"), "serve", "--db", d.db, "--socket", d.socket])
    assert result.returncode != 0
    assert "council_secretary" in result.stderr and "role" in result.stderr, result.stderr


def migration_bodies() -> dict[str, str]:
    """The text of every `register("ID") { ... }` migration body in Sources, by brace matching."""
    bodies = {}
    for path in sorted((REPO / "Sources").rglob("*.swift")):
        text = path.read_text()
        for match in re.finditer(r'\bregister\("([^"]+)"\)\s*\{', text):
            depth, i = 1, match.end()
            while depth and i < len(text):
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            bodies[match.group(1)] = f"{path.relative_to(REPO)}: " + text[match.end():i]
    return bodies


def test_migrations_are_literal():
    """A migration computed from Swift values changes when they do: new databases would differ from
    upgraded ones. Every migration spells its SQL out; a new role or seed row is a new migration."""
    bodies = migration_bodies()
    assert sorted(bodies) == MIGRATIONS
    interpolating = {name: body for name, body in bodies.items() if "\\(" in body}
    assert not interpolating, f"migrations interpolating Swift values: {sorted(interpolating)}"
    # Nor do they loop over Swift collections or read resources to build their SQL.
    looping = {name for name, body in bodies.items() if re.search(r"^\s*for \w+ in |PackageResources|allCases", body, re.MULTILINE)}
    assert not looping, f"migrations computed from Swift values: {sorted(looping)}"
