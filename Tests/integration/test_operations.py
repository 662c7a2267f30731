"""Operations: the anchored audit head, online backup while clients write, offline restore and
verify, and the backup age in system.health."""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time

from conftest import TALENTD, TALENTCTL, run, short_tmpdir

GENESIS = "0" * 64


def entry_hash(row, prev_hash):
    target = {"type": row["target_type"], "id": row["target_id"]} if row["target_type"] is not None else None
    canonical = json.dumps({"at": row["at"], "method": row["method"], "outcome": row["outcome"], "params": row["params"],
                            "prev_hash": prev_hash, "principal": row["principal"], "seq": row["seq"], "target": target},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def rewrite_whole_chain(db_path, forge):
    """What an attacker with the file can do: drop the triggers, change an entry, recompute every
    hash and link after it and the recorded head, so that the chain is consistent again."""
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    for trigger in ("audit_entry_no_update", "audit_entry_no_delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    prev = GENESIS
    for row in db.execute("SELECT * FROM audit_entry ORDER BY seq").fetchall():
        row = dict(row)
        forge(row)
        row["prev_hash"] = prev
        row["hash"] = entry_hash(row, prev)
        db.execute("UPDATE audit_entry SET params = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                   (row["params"], row["prev_hash"], row["hash"], row["seq"]))
        prev = row["hash"]
        last = row["seq"]
    db.execute("UPDATE store_meta SET value = ? WHERE key = 'audit_head'", (f"{last}:{prev}",))
    db.commit()
    db.close()


def ctl(d, *args):
    env = dict(os.environ, TALENT_PRINCIPAL="admin", TALENT_SECRET=d.admin_secret)
    return run([str(TALENTCTL), "--socket", d.socket, *args], env=env)


def test_audit_head_is_the_newest_entry(make_daemon):
    d = make_daemon()
    admin = d.login()
    admin.result("principal.create", {"name": "ops-one", "kind": "human", "roles": ["ops"], "secret": "ops-one-secret-1"})
    head = admin.result("audit.head")
    newest = admin.every("audit.list", {})[-1]
    assert head == {"seq": newest["seq"], "hash": newest["hash"], "at": newest["at"]}
    # ops may read it (no personal data), and talentctl prints it as the anchor to publish
    assert d.login("ops-one", "ops-one-secret-1").result("audit.head")["seq"] >= head["seq"]
    printed = ctl(d, "audit", "head", "-o", "table")
    assert printed.returncode == 0, printed.stderr
    seq, hash_ = printed.stdout.split()[0].split(":")
    # talentctl's own login is audited, so its head is a later entry of the same chain
    assert int(seq) > head["seq"] and {"seq": int(seq), "hash": hash_} in [
        {"seq": e["seq"], "hash": e["hash"]} for e in admin.every("audit.list", {})]


def test_a_consistently_rewritten_chain_is_caught_by_an_earlier_anchor(make_daemon):
    d = make_daemon()
    admin = d.login()
    admin.result("principal.create", {"name": "anch-hr", "kind": "human", "roles": ["hr_official"], "org": "MOHA",
                                      "secret": "anch-hr-secret-1"})
    anchor = admin.result("audit.head")
    admin.result("principal.update", {"name": "anch-hr", "roles": ["hr_official", "reviewer"]})
    later = admin.result("audit.head")
    assert later["seq"] > anchor["seq"]
    assert d.stop() == 0
    anchor_arg = f"{anchor['seq']}:{anchor['hash']}"
    ok = run([str(TALENTD), "audit", "verify", "--db", d.db, "--anchor", anchor_arg])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["anchor"] == {"seq": anchor["seq"], "hash": anchor["hash"], "holds": True}

    # Hide who made anch-hr: every entry rewritten, every hash recomputed.
    def forge(row):
        if row["method"] == "principal.create" and "anch-hr" in row["params"]:
            row["params"] = row["params"].replace("hr_official", "ops")
    rewrite_whole_chain(d.db, forge)

    plain = run([str(TALENTD), "audit", "verify", "--db", d.db])
    assert plain.returncode == 0, "the forged chain is consistent: without an anchor it passes"
    caught = run([str(TALENTD), "audit", "verify", "--db", d.db, "--anchor", anchor_arg])
    assert caught.returncode == 1, caught.stdout
    report = json.loads(caught.stdout)
    assert report["ok"] is False and report["anchor"]["holds"] is False
    # talentd verify takes the same anchor
    assert run([str(TALENTD), "verify", "--db", d.db, "--anchor", anchor_arg]).returncode == 1
    # an anchor that is not SEQ:HASH is refused, not ignored
    bad = run([str(TALENTD), "audit", "verify", "--db", d.db, "--anchor", "12:nothex"])
    assert bad.returncode != 0 and "SEQ:HASH" in bad.stderr


def write_people(d, worker, acknowledged, stop):
    conn = d.login()
    n = 0
    while not stop.is_set():
        name = f"bk-{worker}-{n}"
        reply = conn.call("principal.create", {"name": name, "kind": "agent", "roles": ["ops"]})
        if "result" in reply:
            acknowledged.append((time.monotonic(), name))
        n += 1
    conn.close()


def test_backup_while_eight_clients_write_holds_every_acknowledged_write_and_restores(make_daemon):
    d = make_daemon()
    stop = threading.Event()
    acknowledged: list[list] = [[] for _ in range(8)]
    writers = [threading.Thread(target=write_people, args=(d, i, acknowledged[i], stop)) for i in range(8)]
    for w in writers:
        w.start()
    time.sleep(1.0)
    backup_path = str(short_tmpdir() / "talent-backup.db")
    started = time.monotonic()
    result = d.login().result("system.backup", {"path": backup_path})
    time.sleep(0.3)
    stop.set()
    for w in writers:
        w.join()
    before = {name for acks in acknowledged for at, name in acks if at < started}
    assert len(before) > 8, "the writers made too few writes for the test to mean anything"
    assert result["verified"] is True and result["pages"] > 0 and result["bytes"] == os.path.getsize(backup_path)
    copy = sqlite3.connect(backup_path)
    names = {row[0] for row in copy.execute("SELECT name FROM principal")}
    head_in_copy = copy.execute("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").fetchone()
    copy.close()
    assert before <= names, f"{len(before - names)} acknowledged writes missing from the backup"
    assert (result["audit_head"]["seq"], result["audit_head"]["hash"]) == tuple(head_in_copy)
    verify = run([str(TALENTD), "verify", "--db", backup_path])
    assert verify.returncode == 0 and json.loads(verify.stdout)["integrity"] == "ok", verify.stdout

    # A backup never overwrites, and the path must be absolute.
    admin = d.login()
    assert admin.error("system.backup", {"path": backup_path})["data"]["reason"] == "conflict"
    assert admin.error("system.backup", {"path": "relative.db"})["data"]["field"] == "path"
    assert admin.error("system.backup", {"path": "/nonexistent-talentd-folder/b.db"})["data"]["reason"] == "not_found"

    # Restore refuses the live database, then replaces it once the daemon is stopped.
    refused = run([str(TALENTD), "restore", "--from", backup_path, "--db", d.db])
    assert refused.returncode != 0 and "in use by a running talentd" in refused.stderr
    admin.result("principal.create", {"name": "after-backup", "kind": "agent", "roles": ["ops"]})
    admin.close()
    assert d.stop() == 0
    restored = run([str(TALENTD), "restore", "--from", backup_path, "--db", d.db])
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["audit_head"] == result["audit_head"]
    d.start()
    admin = d.login()
    assert admin.result("audit.verify")["ok"] is True
    assert admin.error("principal.get", {"name": "after-backup"})["data"]["reason"] == "not_found"
    assert admin.result("principal.get", {"name": sorted(before)[0]})["name"] == sorted(before)[0]
    admin.close()


def test_restore_refuses_a_damaged_backup_and_verify_finds_it(make_daemon):
    d = make_daemon()
    path = str(short_tmpdir() / "copy.db")
    d.rpc("system.backup", {"path": path})
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER audit_entry_no_update")
    db.execute("UPDATE audit_entry SET principal = 'nobody' WHERE seq = 1")
    db.commit()
    db.close()
    verify = run([str(TALENTD), "verify", "--db", path])
    assert verify.returncode == 1 and json.loads(verify.stdout)["audit"]["first_bad_seq"] == 1
    assert d.stop() == 0
    refused = run([str(TALENTD), "restore", "--from", path, "--db", d.db])
    assert refused.returncode != 0 and "fails verification" in refused.stderr


def test_health_is_degraded_until_a_recent_backup(make_daemon):
    d = make_daemon(config={"health": {"backup_max_age_s": 3600}})
    health = d.rpc("system.health")["result"]
    assert health["status"] == "degraded" and health["checks"]["backup"]["last_at"] is None
    assert d.rpc("system.backup", {"path": str(short_tmpdir() / "b.db")})["result"]["verified"] is True
    health = d.rpc("system.health")["result"]
    assert health["status"] == "ok", health
    assert health["checks"]["backup"]["age_s"] <= 5 and health["checks"]["backup"]["max_age_s"] == 3600
    # Without the setting there is no backup check to fail.
    plain = make_daemon().rpc("system.health")["result"]
    assert plain["status"] == "ok" and plain["checks"]["backup"]["max_age_s"] is None
    # The backup is in the audit trail, with its path.
    entries = d.login().every("audit.list", {"method": "system.backup"})
    assert len(entries) == 1 and entries[0]["params"]["path"].endswith("/b.db")
