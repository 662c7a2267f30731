"""The audit trail: one entry per mutation, secrets redacted, and a hash chain that finds any row
edited, deleted or reordered in the SQLite file (over the socket and offline)."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from conftest import TALENTD, run

TRIGGERS = ("audit_entry_no_update", "audit_entry_no_delete")


def entries(conn, **filters):
    return conn.every("audit.list", filters, limit=50)


def make_history(d):
    """A few mutations of each kind; returns the admin connection and the mutations made."""
    admin = d.login()
    calls = [
        ("principal.create", {"name": "aud-hr", "kind": "human", "roles": ["hr_official"], "org": "MOHA", "secret": "aud-hr-secret-1"}),
        ("principal.create", {"name": "aud-agent", "kind": "agent", "roles": ["ministry_agent"], "org": "MOHA"}),
        ("principal.update", {"name": "aud-hr", "roles": ["hr_official", "reviewer"]}),
        ("principal.set_secret", {"name": "aud-hr", "secret": "aud-hr-secret-2"}),
        ("principal.disable", {"name": "aud-agent"}),
        ("principal.enable", {"name": "aud-agent"}),
        ("principal.bind_uid", {"name": "aud-agent", "uid": 5550001}),
        ("principal.unbind_uid", {"uid": 5550001}),
        ("token.create", {"principal": "aud-agent", "label": "nightly"}),
    ]
    results = [admin.result(m, p) for m, p in calls]
    admin.result("token.revoke", {"id": results[-1]["id"]})
    calls.append(("token.revoke", {"id": results[-1]["id"]}))
    return admin, calls, results


def test_every_mutation_has_one_entry_with_secrets_redacted(make_daemon):
    d = make_daemon()
    admin, calls, results = make_history(d)
    before = entries(admin)
    # init's admin, the admin's login, then exactly one entry per mutation, in order
    assert [(e["principal"], e["method"]) for e in before[:2]] == [("talentd init", "principal.create"), ("admin", "session.login")]
    mutations = before[2:]
    assert [e["method"] for e in mutations] == [m for m, _ in calls]
    for entry, (method, params) in zip(mutations, calls):
        expected = {k: ("***" if k == "secret" else v) for k, v in params.items()}
        assert entry["params"] == expected, method
        assert entry["principal"] == "admin" and entry["outcome"] == "ok"
    assert mutations[0]["target"] == {"type": "principal", "id": "aud-hr"}
    assert mutations[-1]["target"] == {"type": "token", "id": str(results[-1]["id"])}
    token = results[-1]["token"]
    assert token not in json.dumps(before) and "aud-hr-secret" not in json.dumps(before)
    # Reads and failed writes add nothing.
    admin.result("principal.list")
    admin.result("audit.verify")
    assert admin.error("principal.create", {"name": "aud-hr", "kind": "human", "roles": ["ops"]})["data"]["reason"] == "conflict"
    assert admin.error("principal.disable", {"name": "no-such"})["data"]["reason"] == "not_found"
    assert len(entries(admin)) == len(before)
    # Filters and paging.
    assert [e["method"] for e in entries(admin, method="principal.create")] == ["principal.create"] * 3
    assert {e["principal"] for e in entries(admin, principal="admin")} == {"admin"}
    page = admin.result("audit.list", {"limit": 3})
    assert [e["seq"] for e in page["entries"]] == [1, 2, 3] and page["next_cursor"] == "3"
    page = admin.result("audit.list", {"limit": 3, "cursor": page["next_cursor"]})
    assert [e["seq"] for e in page["entries"]] == [4, 5, 6]
    last = admin.result("audit.list", {"limit": len(before)})
    assert len(last["entries"]) == len(before) and "next_cursor" not in last  # a full last page says so
    assert admin.error("audit.list", {"cursor": "not-a-cursor"})["data"]["field"] == "cursor"
    # The chain links each entry to the one before it.
    for prev, entry in zip(before, before[1:]):
        assert entry["prev_hash"] == prev["hash"] and entry["seq"] == prev["seq"] + 1
    assert before[0]["prev_hash"] == "0" * 64
    assert admin.result("audit.verify") == {"ok": True, "entries": len(before), "first_bad_seq": None}


def test_entry_hash_is_sha256_of_previous_hash_and_canonical_json(make_daemon):
    d = make_daemon()
    admin, _, _ = make_history(d)
    assert d.stop() == 0
    db = sqlite3.connect(d.db)
    db.row_factory = sqlite3.Row
    for row in db.execute("SELECT * FROM audit_entry ORDER BY seq"):
        target = {"type": row["target_type"], "id": row["target_id"]} if row["target_type"] is not None else None
        canonical = json.dumps({"at": row["at"], "method": row["method"], "outcome": row["outcome"], "params": row["params"],
                                "prev_hash": row["prev_hash"], "principal": row["principal"], "seq": row["seq"], "target": target},
                               sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(canonical.encode()).hexdigest() == row["hash"], row["seq"]
    db.close()


def tamper(db_path, *statements):
    db = sqlite3.connect(db_path)
    for trigger in TRIGGERS:  # as an attacker with the file would
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for sql in statements:
        db.execute(sql)
    db.commit()
    db.close()


def offline_verify(db_path):
    result = run([str(TALENTD), "audit", "verify", "--db", db_path])
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("attack, first_bad", [
    ("edit", 5),
    ("delete-middle", 5),
    ("swap", 3),
    ("delete-newest", None),  # the newest seq
    ("edit-newest-hash-too", None),
])
def test_tampering_is_found_at_the_first_bad_seq(make_daemon, attack, first_bad):
    d = make_daemon()
    admin, _, _ = make_history(d)
    count = len(entries(admin))
    assert count >= 10
    assert d.stop() == 0
    code, out = offline_verify(d.db)
    assert code == 0, out
    if attack == "edit":
        tamper(d.db, """UPDATE audit_entry SET params = replace(params, 'reviewer', 'admin') WHERE seq = 5""")
    elif attack == "delete-middle":
        tamper(d.db, "DELETE FROM audit_entry WHERE seq = 5")
    elif attack == "swap":
        tamper(d.db, "UPDATE audit_entry SET seq = -1 WHERE seq = 3", "UPDATE audit_entry SET seq = 3 WHERE seq = 6",
               "UPDATE audit_entry SET seq = 6 WHERE seq = -1")
    elif attack == "delete-newest":
        tamper(d.db, f"DELETE FROM audit_entry WHERE seq = {count}")
        first_bad = count
    elif attack == "edit-newest-hash-too":
        # Rewrite the newest entry and recompute its hash: the head in store_meta still disagrees.
        db = sqlite3.connect(d.db)
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM audit_entry WHERE seq = ?", (count,)).fetchone()
        db.close()
        assert row["method"] == "token.revoke"
        forged_params = '{"id":999999}'
        canonical = json.dumps({"at": row["at"], "method": row["method"], "outcome": row["outcome"],
                                "params": forged_params, "prev_hash": row["prev_hash"],
                                "principal": row["principal"], "seq": count,
                                "target": {"type": row["target_type"], "id": row["target_id"]}},
                               sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        forged = hashlib.sha256(canonical.encode()).hexdigest()
        tamper(d.db, f"""UPDATE audit_entry SET params = '{forged_params}', hash = '{forged}' WHERE seq = {count}""")
        first_bad = count
    code, out = offline_verify(d.db)
    assert code == 1, out
    assert str(first_bad) in out
    d.start()
    # Logging in appends an entry: it must not hide what was done to the chain before it.
    verdict = d.login().result("audit.verify")
    if attack == "edit-newest-hash-too":
        # The forged row is self-consistent; what breaks is the link from the next entry, which
        # the daemon chains to the head it recorded, not to the forged row.
        first_bad = count + 1
    assert verdict["ok"] is False and verdict["first_bad_seq"] == first_bad, verdict


def test_denials_are_recorded_without_the_secret(make_daemon):
    d = make_daemon()
    admin = d.login()
    admin.result("principal.create", {"name": "aud-ops", "kind": "human", "roles": ["ops"], "secret": "aud-ops-secret-1"})
    ops = d.login("aud-ops", "aud-ops-secret-1")
    assert ops.error("principal.set_secret", {"name": "admin", "secret": "stolen-secret-value"})["data"]["reason"] == "forbidden"
    assert d.connect().error("session.login", {"principal": "admin", "secret": "guessed-secret-value"})["data"]["reason"] == "unauthenticated"
    all_entries = entries(admin)
    denied = [e for e in all_entries if e["outcome"] == "denied"]
    assert [(e["principal"], e["method"], e["params"]) for e in denied] == [
        ("aud-ops", "principal.set_secret", {"name": "admin", "secret": "***"}),
        ("admin", "session.login", {"principal": "admin", "secret": "***"}),
    ]
    text = json.dumps(all_entries)
    assert "stolen-secret-value" not in text and "guessed-secret-value" not in text and "aud-ops-secret-1" not in text
    auditor_view = admin.result("audit.verify")
    assert auditor_view["ok"] is True and auditor_view["entries"] == len(all_entries)


def test_audit_trail_cannot_be_changed_through_sqlite_while_triggers_stand(make_daemon):
    d = make_daemon()
    d.login().close()
    assert d.stop() == 0
    db = sqlite3.connect(d.db)
    for sql in ("UPDATE audit_entry SET principal = 'x' WHERE seq = 1", "DELETE FROM audit_entry WHERE seq = 1"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    db.close()
