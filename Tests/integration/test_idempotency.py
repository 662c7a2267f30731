"""Idempotent writes: a replay returns the original result and changes nothing; a key reused with
other params is refused; keys are per principal; token replays never show the token again; expired
keys count as absent."""
from __future__ import annotations

import sqlite3
import time

MISMATCH = -32013


def audit_count(conn):
    return conn.result("audit.verify")["entries"]


def create_params(name, key, roles=("ops",)):
    return {"name": name, "kind": "agent", "roles": list(roles), "idempotency_key": key}


def test_replay_returns_the_identical_result_and_creates_nothing(daemon):
    admin = daemon.login()
    other = daemon.login()
    first = admin.call("principal.create", create_params("idem-one", "key-0001"))
    count = audit_count(admin)
    listed = len(admin.result("principal.list")["principals"])
    for _ in range(3):
        again = admin.call("principal.create", create_params("idem-one", "key-0001"))
        assert again["result"] == first["result"]
    # A retry on another connection of the same principal is a replay too.
    assert other.result("principal.create", create_params("idem-one", "key-0001")) == first["result"]
    assert audit_count(admin) == count
    assert len(admin.result("principal.list")["principals"]) == listed
    # Without the key, the same request is a new one: a conflict, not a replay.
    plain = {k: v for k, v in create_params("idem-one", "x").items() if k != "idempotency_key"}
    assert admin.error("principal.create", plain)["data"]["reason"] == "conflict"
    admin.close()
    other.close()


def test_same_key_with_other_params_is_a_mismatch(daemon):
    admin = daemon.login()
    admin.result("principal.create", create_params("idem-two", "key-0002"))
    count = audit_count(admin)
    for params, method in ((create_params("idem-two", "key-0002", roles=("auditor",)), "principal.create"),
                           (create_params("idem-three", "key-0002"), "principal.create"),
                           ({"name": "idem-two", "idempotency_key": "key-0002"}, "principal.disable")):
        error = admin.error(method, params)
        assert error["code"] == MISMATCH and error["data"]["reason"] == "idempotency_mismatch", error
        assert error["data"]["field"] == "idempotency_key"
        assert "key-0002" in error["message"]
    assert admin.error("principal.get", {"name": "idem-three"})["data"]["reason"] == "not_found"
    assert admin.result("principal.get", {"name": "idem-two"})["status"] == "active"
    assert audit_count(admin) == count
    admin.close()


def test_keys_are_per_principal(daemon):
    admin = daemon.login()
    admin.result("principal.create", {"name": "idem-admin2", "kind": "human", "roles": ["admin"], "secret": "idem-admin2-secret"})
    admin.result("principal.create", create_params("idem-by-admin", "shared-key"))
    second = daemon.login("idem-admin2", "idem-admin2-secret")
    made = second.result("principal.create", create_params("idem-by-admin2", "shared-key"))
    assert made["name"] == "idem-by-admin2"
    assert admin.result("principal.get", {"name": "idem-by-admin2"})["name"] == "idem-by-admin2"
    admin.close()
    second.close()


def test_failed_requests_are_not_remembered(daemon):
    admin = daemon.login()
    params = {"name": "idem-later", "roles": ["auditor"], "idempotency_key": "key-retry"}
    assert admin.error("principal.update", params)["data"]["reason"] == "not_found"
    admin.result("principal.create", create_params("idem-later", "key-create-later"))
    assert admin.result("principal.update", params)["roles"] == ["auditor"]
    assert admin.result("principal.update", params)["roles"] == ["auditor"]
    admin.close()


def test_token_create_replay_returns_the_token_masked(daemon):
    admin = daemon.login()
    admin.result("principal.create", create_params("idem-tok", "key-tok-p"))
    params = {"principal": "idem-tok", "label": "ci", "idempotency_key": "key-tok-1"}
    first = admin.result("token.create", params)
    assert first["token"].startswith("tal_")
    replay = admin.result("token.create", params)
    assert replay["token"] == "***"
    assert {k: v for k, v in replay.items() if k != "token"} == {k: v for k, v in first.items() if k != "token"}
    assert len(admin.result("token.list", {"principal": "idem-tok"})["tokens"]) == 1
    assert daemon.connect().login("idem-tok", first["token"])["via"] == "token"
    admin.close()


def test_expired_key_is_treated_as_absent(make_daemon):
    d = make_daemon(config={"idempotency_retention_s": 60})
    admin = d.login()
    first = admin.result("principal.create", create_params("idem-old", "key-old"))
    admin.result("principal.disable", {"name": "idem-old", "idempotency_key": "key-old-disable"})
    assert d.stop() == 0
    db = sqlite3.connect(d.db)
    db.execute("UPDATE idempotency_key SET created_at = '2020-01-01T00:00:00.000Z'")
    db.commit()
    db.close()
    d.start()
    admin = d.login()
    # The create key expired: the same request runs again (and now clashes with the record).
    error = admin.error("principal.create", create_params("idem-old", "key-old"))
    assert error["data"]["reason"] == "conflict"
    # An expired key may be reused for a different request.
    made = admin.result("principal.create", create_params("idem-new", "key-old-disable"))
    assert made["name"] == "idem-new" and first["name"] == "idem-old"
    db = sqlite3.connect(d.db)
    keys = dict(db.execute("SELECT key, created_at FROM idempotency_key"))
    db.close()
    # The failed re-run rolled back with its transaction; the reused key is stored anew.
    assert keys["key-old"] == "2020-01-01T00:00:00.000Z" and keys["key-old-disable"] > "2026"
    # The background purge (first run 5 s after start) removes what expired.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db = sqlite3.connect(d.db)
        left = [row[0] for row in db.execute("SELECT key FROM idempotency_key")]
        db.close()
        if left == ["key-old-disable"]:
            break
        time.sleep(0.5)
    assert left == ["key-old-disable"]
    assert "purged expired idempotency keys" in d.log()


def test_key_format_is_checked(daemon):
    admin = daemon.login()
    for bad in ("", "x" * 129, "has space", "tiếng-việt"):
        error = admin.error("principal.create", create_params("idem-bad", bad))
        assert error["data"]["reason"] == "invalid_params" and error["data"]["field"] == "idempotency_key", bad
    assert admin.result("principal.create", create_params("idem-ok", "~" * 128))["name"] == "idem-ok"
    admin.close()
