"""talentctl whoami, principal, token and audit against a real daemon."""
from __future__ import annotations

import json
import os
import stat

import pytest

from conftest import TALENTCTL, run


def ctl(d, *args, principal="admin", secret=None, env_extra=None):
    """talentctl against `d`, logged in through the environment (never a secret as an argument)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    if principal is not None:
        env.update(TALENT_PRINCIPAL=principal, TALENT_SECRET=d.admin_secret if secret is None else secret)
    env.update(env_extra or {})
    return run([str(TALENTCTL), "--socket", d.socket, "-o", "json", *args], env=env, timeout=30)


def ok(result):
    assert result.returncode == 0, result.stderr
    return result


def test_whoami_table_and_json(daemon):
    table = ok(ctl(daemon, "whoami", "-o", "table")).stdout
    assert table.splitlines()[0].split() == ["principal", "admin"]
    assert "via" in table and "password" in table
    assert json.loads(ok(ctl(daemon, "whoami")).stdout) == {"principal": "admin", "kind": "human", "roles": ["admin"], "via": "password"}
    unauthenticated = ctl(daemon, "whoami", principal=None)
    assert unauthenticated.returncode == 1 and "unauthenticated" in unauthenticated.stderr


def test_principal_lifecycle(daemon, tmp_path):
    secret_file = tmp_path / "lan.secret"
    created = ok(ctl(daemon, "principal", "create", "lan.hr", "--kind", "human", "--role", "hr_official", "--role", "reviewer",
                     "--org", "MOHA", "--generate-secret-file", str(secret_file)))
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    password = secret_file.read_text().strip()
    assert len(password) == 24 and password not in created.stdout + created.stderr
    assert f"password written to {secret_file}" in created.stderr
    principal = json.loads(created.stdout)
    assert principal["roles"] == ["hr_official", "reviewer"] and principal["org"] == "MOHA" and principal["has_password"] is True
    # The generated password logs in.
    assert json.loads(ok(ctl(daemon, "whoami", principal="lan.hr", secret=password)).stdout)["org"] == "MOHA"
    # --secret-file logs in as the caller; whoami via a file too.
    admin_file = tmp_path / "admin.secret"
    admin_file.write_text(daemon.admin_secret + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    by_file = run([str(TALENTCTL), "--socket", daemon.socket, "--principal", "admin", "--secret-file", str(admin_file), "whoami", "-o", "json"], env=env)
    assert json.loads(by_file.stdout)["principal"] == "admin"

    shown = ok(ctl(daemon, "principal", "show", "lan.hr", "-o", "table")).stdout
    rows = dict(line.split(None, 1) for line in shown.splitlines())
    assert rows["roles"] == "hr_official,reviewer" and rows["org"] == "MOHA" and rows["status"] == "active"

    listed = ok(ctl(daemon, "principal", "list", "--org", "MOHA", "-o", "table")).stdout.splitlines()
    assert listed[0].split() == ["name", "kind", "roles", "org", "status", "password", "created"]
    assert any(line.split()[:6] == ["lan.hr", "human", "hr_official,reviewer", "MOHA", "active", "yes"] for line in listed[2:])
    as_csv = ok(ctl(daemon, "principal", "list", "--role", "reviewer", "-o", "csv")).stdout
    assert as_csv.splitlines()[0] == "name,kind,roles,org,status,password,created" and "lan.hr" in as_csv

    updated = json.loads(ok(ctl(daemon, "principal", "update", "lan.hr", "--role", "auditor", "--no-org")).stdout)
    assert updated["roles"] == ["auditor"] and "org" not in updated
    assert ctl(daemon, "principal", "update", "lan.hr").returncode == 64

    assert json.loads(ok(ctl(daemon, "principal", "disable", "lan.hr")).stdout)["status"] == "disabled"
    refused = ctl(daemon, "whoami", principal="lan.hr", secret=password)
    assert refused.returncode == 1 and "unauthenticated" in refused.stderr
    again = ctl(daemon, "principal", "disable", "lan.hr")
    assert again.returncode == 1 and "invalid_state" in again.stderr
    assert json.loads(ok(ctl(daemon, "principal", "enable", "lan.hr")).stdout)["status"] == "active"

    # Self-service password change, then the old one no longer works.
    new_file = tmp_path / "lan.new"
    new_file.write_text("lan-new-password-2026\n")
    ok(ctl(daemon, "principal", "set-secret", "lan.hr", "--new-secret-file", str(new_file), principal="lan.hr", secret=password))
    assert ctl(daemon, "whoami", principal="lan.hr", secret=password).returncode == 1
    assert ok(ctl(daemon, "whoami", principal="lan.hr", secret="lan-new-password-2026"))
    forbidden = ctl(daemon, "principal", "set-secret", "admin", "--new-secret-file", str(new_file),
                    principal="lan.hr", secret="lan-new-password-2026")
    assert forbidden.returncode == 1 and "forbidden" in forbidden.stderr
    assert ctl(daemon, "principal", "set-secret", "lan.hr").returncode == 64


def test_a_refused_create_removes_the_generated_secret_file(daemon, tmp_path):
    secret_file = tmp_path / "dup.secret"
    ok(ctl(daemon, "principal", "create", "dup.one", "--kind", "agent", "--role", "ops"))
    clash = ctl(daemon, "principal", "create", "dup.one", "--kind", "agent", "--role", "ops", "--generate-secret-file", str(secret_file))
    assert clash.returncode == 1 and "conflict" in clash.stderr
    assert not secret_file.exists()
    existing = tmp_path / "exists.secret"
    existing.write_text("keep me as I am\n")
    refused = ctl(daemon, "principal", "create", "dup.two", "--kind", "agent", "--role", "ops", "--generate-secret-file", str(existing))
    assert refused.returncode == 64 and existing.read_text() == "keep me as I am\n"


def test_bind_and_unbind_uid_logs_in_by_peer(make_daemon):
    d = make_daemon()
    ok(ctl(d, "principal", "create", "me.peer", "--kind", "human", "--role", "ops"))
    bound = ok(ctl(d, "principal", "bind-uid", "me.peer", str(os.getuid()), "-o", "table")).stdout
    assert bound.strip() == f"uid {os.getuid()} now logs in as me.peer"
    assert json.loads(ok(ctl(d, "whoami", principal=None)).stdout)["via"] == "peer"
    ok(ctl(d, "principal", "unbind-uid", str(os.getuid())))
    assert ctl(d, "whoami", principal=None).returncode == 1


def test_token_create_prints_it_once_and_list_revoke(daemon):
    ok(ctl(daemon, "principal", "create", "sync.bot", "--kind", "agent", "--role", "ministry_agent", "--org", "MOHA"))
    created = ok(ctl(daemon, "-o", "table", "token", "create", "sync.bot", "--label", "nightly", "--expires-at", "2099-01-01T00:00:00Z"))
    token = created.stdout.strip()
    assert token.startswith("tal_") and len(created.stdout.splitlines()) == 1
    assert "will not be shown again" in created.stderr and token not in created.stderr
    whoami = json.loads(ok(ctl(daemon, "whoami", principal=None, env_extra={"TALENT_PRINCIPAL": "sync.bot", "TALENT_TOKEN": token})).stdout)
    assert whoami["via"] == "token"
    as_json = json.loads(ok(ctl(daemon, "token", "create", "sync.bot", "--label", "second")).stdout)
    assert as_json["token"].startswith("tal_") and as_json["label"] == "second"
    listed = ok(ctl(daemon, "token", "list", "sync.bot", "-o", "table")).stdout
    assert token not in listed and as_json["token"] not in listed
    lines = listed.splitlines()
    assert lines[0].split()[:3] == ["id", "label", "status"] and len(lines) == 4
    first_id = json.loads(ok(ctl(daemon, "token", "list", "sync.bot")).stdout)["tokens"][0]["id"]
    revoked = ok(ctl(daemon, "token", "revoke", str(first_id), "-o", "table")).stdout
    assert revoked.startswith(f"token {first_id} of sync.bot revoked at ")
    assert ctl(daemon, "whoami", principal=None, env_extra={"TALENT_PRINCIPAL": "sync.bot", "TALENT_TOKEN": token}).returncode == 1
    assert "invalid_state" in ctl(daemon, "token", "revoke", str(first_id)).stderr


def test_audit_list_pages_and_filters_and_verify(make_daemon):
    d = make_daemon()
    for i in range(5):
        ok(ctl(d, "principal", "create", f"aud.{i}", "--kind", "agent", "--role", "ops"))
    page = ctl(d, "audit", "list", "--limit", "3", "-o", "table")
    ok(page)
    lines = page.stdout.splitlines()
    assert lines[0].split() == ["seq", "at", "principal", "method", "target", "outcome", "params"]
    assert [line.split()[0] for line in lines[2:]] == ["1", "2", "3"]
    hint = next(line for line in page.stderr.splitlines() if line.startswith("talentctl: more: "))
    assert hint.startswith("talentctl: more: talentctl ") and hint.endswith(" audit list --limit 3 -o table --cursor 3 (or --all)")
    as_json = json.loads(ok(ctl(d, "audit", "list", "--limit", "3")).stdout)
    assert as_json["next_cursor"] == "3" and len(as_json["entries"]) == 3
    following = json.loads(ok(ctl(d, "audit", "list", "--limit", "3", "--cursor", "3")).stdout)
    assert [e["seq"] for e in following["entries"]] == [4, 5, 6]
    everything = json.loads(ok(ctl(d, "audit", "list", "--all", "--limit", "2", "--method", "principal.create")).stdout)
    assert [e["target"]["id"] for e in everything["entries"]] == ["admin"] + [f"aud.{i}" for i in range(5)]
    assert "next_cursor" not in everything
    by_admin = json.loads(ok(ctl(d, "audit", "list", "--all", "--actor", "admin")).stdout)["entries"]
    assert {e["principal"] for e in by_admin} == {"admin"} and len(by_admin) >= 11
    verified = ok(ctl(d, "audit", "verify", "-o", "table")).stdout
    assert verified.startswith("ok: ") and "chain intact" in verified
    # Tampered: exit 1, and the seq named.
    assert d.stop() == 0
    import sqlite3
    db = sqlite3.connect(d.db)
    db.execute("DROP TRIGGER audit_entry_no_update")
    db.execute("UPDATE audit_entry SET principal = 'someone-else' WHERE seq = 4")
    db.commit()
    db.close()
    d.start()
    tampered = ctl(d, "audit", "verify", "-o", "table")
    assert tampered.returncode == 1 and "seq 4" in tampered.stdout
    assert json.loads(ctl(d, "audit", "verify").stdout)["first_bad_seq"] == 4
    denied = ctl(d, "audit", "list", principal="aud.0", secret="none-such-secret")
    assert denied.returncode == 1


@pytest.mark.parametrize("command", [
    ["whoami"], ["principal"], ["principal", "create"], ["principal", "list"], ["principal", "show"], ["principal", "update"],
    ["principal", "disable"], ["principal", "enable"], ["principal", "set-secret"], ["principal", "bind-uid"],
    ["principal", "unbind-uid"], ["token"], ["token", "create"], ["token", "list"], ["token", "revoke"],
    ["audit"], ["audit", "list"], ["audit", "verify"],
])
def test_help_has_an_example(command):
    result = run([str(TALENTCTL), *command, "--help"])
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout and "talentctl " + " ".join(command) in result.stdout.replace("\n", " ")


def test_no_option_takes_a_secret_as_an_argument():
    for command in (["principal", "create"], ["principal", "set-secret"], ["token", "create"]):
        usage = run([str(TALENTCTL), *command, "--help"]).stdout
        assert "--secret " not in usage and "--password " not in usage and "--token " not in usage
