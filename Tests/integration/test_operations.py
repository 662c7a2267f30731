"""Operations: the anchored audit head, online backup while clients write, offline restore and
verify, and the backup age in system.health."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request

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
    # Each writer logs in first (an Argon2 hash): on a loaded machine that alone can take a second,
    # so wait for real writes rather than for a fixed time.
    deadline = time.monotonic() + 30
    while sum(len(a) for a in acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
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


PROMTOOL = shutil.which("promtool")


def promtool_check(text):
    assert PROMTOOL, "promtool missing: `make deps` installs Debian's prometheus package"
    result = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def sample(text, name, **labels):
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        series, value = line.rsplit(" ", 1)
        got = series.split("{")[0]
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if got == name and found == {k: str(v) for k, v in labels.items()}:
            return float(value)
    return None


def test_metrics_over_the_socket_and_http_pass_promtool_and_name_no_principal(make_daemon):
    port = free_port()
    d = make_daemon(config={"metrics_listen": f"127.0.0.1:{port}"})
    admin = d.login()
    admin.result("principal.create", {"name": "metrics-person", "kind": "human", "roles": ["ops"], "secret": "metrics-secret-1"})
    assert d.connect().error("session.login", {"principal": "metrics-person", "secret": "wrong-secret-xx"})["data"]["reason"] == "unauthenticated"
    admin.call("no.such.method", {})
    result = admin.result("system.metrics")
    assert result["content_type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = result["text"]
    promtool_check(text)
    assert sample(text, "talentd_requests_total", method="principal.create", outcome="ok") == 1
    assert sample(text, "talentd_requests_total", method="(unknown)", outcome="method_not_found") == 1
    assert sample(text, "talentd_request_duration_seconds_count", method="principal.create") == 1
    assert sample(text, "talentd_login_failures_total", kind="failed") == 1
    assert sample(text, "talentd_connections_open") >= 1
    assert sample(text, "talentd_requests_on_workers") == 0  # system.metrics leaves itself out
    assert sample(text, "talentd_audit_head_seq") == admin.result("audit.head")["seq"]
    assert sample(text, "talentd_database_bytes") == os.path.getsize(d.db)
    assert sample(text, "talentd_backup_age_seconds") == -1
    assert sample(text, "talentd_writes_per_commit_count") == 1
    for family in ("talentd_requests_on_workers", "talentd_wal_bytes", "talentd_login_failures_total"):
        assert f"# TYPE {family} " in text
    # No label carries a principal or personal data, whatever was done.
    assert "metrics-person" not in text and "admin" not in text and "wrong-secret" not in text
    # The same families over HTTP for a Prometheus scrape; nothing else is served there.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        scraped = response.read().decode()
    promtool_check(scraped)
    assert sample(scraped, "talentd_requests_total", method="principal.create", outcome="ok") == 1
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
        raise AssertionError("/ should not be served")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    # talentctl metrics prints the text; top prints one line per interval.
    printed = ctl(d, "metrics", "-o", "table")
    assert printed.returncode == 0 and "# TYPE talentd_requests_total counter" in printed.stdout
    top = ctl(d, "top", "--interval", "0.2", "--count", "2")
    assert top.returncode == 0, top.stderr
    lines = top.stdout.splitlines()
    assert lines[0].split() == ["requests/s", "p99", "errors/s", "connections", "queue"] and len(lines) == 3


def test_metrics_listen_is_off_by_default_and_the_flag_turns_it_on(make_daemon):
    d = make_daemon()
    # The start-up line may reach the log just after the socket accepts.
    deadline = time.monotonic() + 10
    while "metrics=off" not in d.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "metrics=off" in d.log(), d.log()
    assert d.stop() == 0
    port = free_port()
    d.serve_args = lambda: [str(TALENTD), "serve", "--db", d.db, "--socket", d.socket, "--metrics-listen", f"127.0.0.1:{port}"]
    d.start()
    # The listener is bound before the socket accepts; a loaded machine may still answer slowly.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        assert "talentd_connections_open" in response.read().decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_json_logs_are_one_object_per_line_without_params_or_secrets(make_daemon):
    d = make_daemon(start=False)
    d.serve_args = lambda: [str(TALENTD), "serve", "--db", d.db, "--socket", d.socket, "--log-level", "debug", "--log-format", "json"]
    d.start()
    admin = d.login()
    admin.result("principal.create", {"name": "log-person", "kind": "human", "roles": ["ops"], "secret": "log-secret-value-1"})
    assert d.connect().error("session.login", {"principal": "log-person", "secret": "wrong-secret-value"})["data"]["reason"] == "unauthenticated"
    admin.close()
    assert d.stop() == 0
    lines = d.log().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "message"} <= set(r) for r in records)
    requests = [r for r in records if r["message"] == "request"]
    create = next(r for r in requests if r.get("method") == "principal.create")
    assert create["outcome"] == "ok" and isinstance(create["duration_us"], int) and isinstance(create["connection"], int)
    assert any(r.get("method") == "session.login" and r["outcome"] == "unauthenticated" for r in requests)
    assert any(r["message"] == "serving" for r in records) and records[-1]["message"] == "stopped"
    text = d.log()
    assert "log-secret-value" not in text and "wrong-secret-value" not in text and "log-person" not in text
