"""The Python client (Clients/python) against the real daemon over a real socket.

Tests that need methods the daemon does not serve yet are skipped by a check of rpc.discover, so
they start running on their own once those methods land.
"""
from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLIENT_DIR = REPO / "Clients/python"
sys.path.insert(0, str(CLIENT_DIR))

from conftest import Conn, Daemon, run, short_tmpdir  # noqa: E402
from talent_client import (  # noqa: E402
    Client, IdempotencyMismatch, InvalidParams, MethodNotFound, Overloaded, PossibleDuplicateWarning,
    TalentConnectionError, TalentError, TalentWarning, TooLarge, Unauthenticated,
)


# The mutating method the retry and idempotency tests write with.
WRITE = "person.create"


def creds(d: Daemon) -> dict:
    """The test daemon's admin credentials (conftest's `init --admin-secret-file`)."""
    return {"principal": "admin", "secret": d.admin_secret}


def client(d: Daemon, **kwargs) -> Client:
    kwargs.setdefault("timeout", 20)
    for key, value in creds(d).items():
        kwargs.setdefault(key, value)
    return Client(d.socket, **kwargs)


def cli(*args: str, env: dict | None = None, input: str | None = None, d: Daemon | None = None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    environment["PYTHONPATH"] = str(CLIENT_DIR)
    if d is not None:
        environment["TALENT_PRINCIPAL"] = creds(d)["principal"]
        environment["TALENT_SECRET"] = creds(d)["secret"]
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "talent_client", *args], capture_output=True, text=True,
                          env=environment, input=input, timeout=60)


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch):
    for name in ("TALENT_PRINCIPAL", "TALENT_SECRET", "TALENT_TOKEN", "TALENT_SOCKET"):
        monkeypatch.delenv(name, raising=False)


class DroppingProxy:
    """A Unix-socket relay in front of the daemon that cuts the connection instead of passing on
    the first `drops` answers to `method`: the request ran, the client never hears. Records every
    request it relays. (A network fault injector, not a fake daemon: answers are the daemon's.)"""

    def __init__(self, target: str, method: str, drops: int = 1):
        self.target, self.method, self.drops = target, method, drops
        self.path = str(short_tmpdir() / "proxy.sock")
        self.requests: list[dict] = []
        self.dropped_answers: list[dict] = []
        self.lock = threading.Lock()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            up.connect(self.target)
            methods: dict = {}
            threading.Thread(target=self._requests, args=(down, up, methods), daemon=True).start()
            threading.Thread(target=self._answers, args=(up, down, methods), daemon=True).start()

    @staticmethod
    def _lines(sock):
        buf = b""
        while True:
            try:
                chunk = sock.recv(1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                yield line + b"\n"

    def _requests(self, down, up, methods):
        for line in self._lines(down):
            request = json.loads(line)
            if isinstance(request, dict):
                with self.lock:
                    self.requests.append(request)
                methods[request.get("id")] = request.get("method")
            try:
                up.sendall(line)
            except OSError:
                return
        try:
            up.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _answers(self, up, down, methods):
        for line in self._lines(up):
            answer = json.loads(line)
            if isinstance(answer, dict) and methods.get(answer.get("id")) == self.method and self.drops > 0:
                with self.lock:
                    self.drops -= 1
                    self.dropped_answers.append(answer)
                for s in (down, up):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    s.close()
                return
            try:
                down.sendall(line)
            except OSError:
                return
        down.close()

    def sent(self, method: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r.get("method") == method]

    def close(self):
        self.listener.close()


# ---------------------------------------------------------------- call, batch, errors


def test_call_returns_the_result(daemon):
    with client(daemon) as c:
        assert c.call("system.ping")["pong"] is True
        assert c.call("system.info")["name"] == "talentd"
        assert c.connected
    assert not c.connected


def test_client_connects_lazily(daemon):
    c = client(daemon)
    assert not c.connected
    assert c.ping()["pong"] is True and c.connected
    c.close()


def test_unknown_method_raises_method_not_found(daemon):
    with client(daemon) as c:
        with pytest.raises(MethodNotFound) as info:
            c.call("nope.nope")
    error = info.value
    assert isinstance(error, TalentError) and not isinstance(error, ConnectionError)
    assert (error.code, error.reason) == (-32601, "method_not_found") and error.message
    assert error.data["reason"] == "method_not_found"


def test_bad_params_raise_invalid_params_with_field(daemon):
    with client(daemon) as c:
        with pytest.raises(InvalidParams) as info:
            c.call("system.ping", verbose=True)
        assert (info.value.code, info.value.reason, info.value.field) == (-32602, "invalid_params", "verbose")
        assert "(field: verbose)" in str(info.value)
        # A param may even be called "method": the method name is positional-only.
        with pytest.raises(InvalidParams) as info:
            c.call("system.ping", {"from": 1}, method="x")
        assert info.value.field in ("from", "method")
        assert c.call("system.ping")["pong"] is True  # the connection is still usable


def test_batch_returns_results_and_errors_in_order(daemon):
    with client(daemon) as c:
        out = c.batch(["system.ping", ("system.info", None), {"method": "nope.nope"},
                       ("system.ping", {"bad": 1}), {"method": "system.health", "params": {}}])
    assert out[0]["pong"] is True and out[1]["name"] == "talentd"
    assert isinstance(out[2], MethodNotFound)
    assert isinstance(out[3], InvalidParams) and out[3].field == "bad"
    assert out[4]["status"] in ("ok", "degraded", "failing")
    assert c.batch([]) == []


def test_batch_over_max_batch_is_too_large(make_daemon):
    d = make_daemon(config={"limits": {"max_batch": 2}})
    with client(d) as c:
        out = c.batch(["system.ping"] * 3)
        assert len(out) == 3 and all(isinstance(e, TooLarge) and e.code == -32000 for e in out)
        assert len(c.batch(["system.ping"] * 2)) == 2


def test_pipeline_5000_pings_in_order(daemon):
    with client(daemon) as c:
        results = list(c.pipeline(("system.ping" for _ in range(5000))))
    assert len(results) == 5000 and all(r["pong"] is True for r in results)
    times = [r["time"] for r in results]
    assert times == sorted(times), "answers must come back in request order"


def test_pipeline_keeps_order_with_errors_in_place(daemon):
    calls = [("system.ping", {f"p{i}": 1}) if i % 7 == 0 else ("system.ping", None) for i in range(3000)]
    with client(daemon) as c:
        for i, outcome in enumerate(c.pipeline(calls, window=250)):
            if i % 7 == 0:
                assert isinstance(outcome, InvalidParams) and outcome.field == f"p{i}"
            else:
                assert outcome["pong"] is True


def test_pipeline_survives_daemon_backpressure(make_daemon):
    # The daemon stops reading this connection while one line waits: writes block unless the
    # client keeps reading. Lines of ~8 KiB fill the socket buffers quickly.
    d = make_daemon(config={"limits": {"max_queued_per_connection": 1}})
    padding = "x" * 8000
    calls = [("system.ping", {"pad": padding})] * 1500 + ["system.ping"] * 1500
    with client(d, timeout=10) as c:
        out = list(c.pipeline(calls, window=1000))
    assert all(isinstance(o, InvalidParams) for o in out[:1500])
    assert all(o["pong"] is True for o in out[1500:])


def test_pipeline_raise_mode_and_reentrancy(daemon):
    with client(daemon) as c:
        with pytest.raises(MethodNotFound):
            for _ in c.pipeline(["system.ping", "nope.nope", "system.ping"], return_exceptions=False):
                pass
        assert c.call("system.ping")["pong"] is True  # usable after an abandoned pipeline
        with pytest.raises(RuntimeError, match="second Client"):
            for _ in c.pipeline(["system.ping"] * 10):
                c.call("system.ping")
        assert [r["pong"] for r in c.pipeline(["system.ping"] * 3)] == [True] * 3


def test_discovery_is_fetched_once_and_read_for_mutating(daemon):
    with client(daemon) as c:
        methods = c.methods()
        assert "system.ping" in methods and c.methods() is methods
        assert c.is_mutating("system.ping") is False
        for name, spec in methods.items():
            assert c.is_mutating(name) == bool(spec.get("x-mutating", any(
                p["name"] == "idempotency_key" for p in spec["params"])))


def test_socket_path_resolution(monkeypatch):
    assert Client().socket_path == "./var/talentd.sock"
    monkeypatch.setenv("TALENT_SOCKET", "/tmp/elsewhere.sock")
    assert Client().socket_path == "/tmp/elsewhere.sock"
    assert Client("/tmp/given.sock").socket_path == "/tmp/given.sock"


def test_secrets_never_show(monkeypatch):
    c = Client("/tmp/x.sock", principal="hr.moh", secret="hunter2-secret")
    assert "hunter2" not in repr(c) and "hunter2" not in str(vars(c))
    monkeypatch.setenv("TALENT_PRINCIPAL", "hr.moh")
    monkeypatch.setenv("TALENT_TOKEN", "tok-abcdef")
    c = Client("/tmp/x.sock")
    assert c.principal == "hr.moh" and "tok-abcdef" not in repr(c) + str(vars(c))


# ---------------------------------------------------------------- reconnecting and retrying


def test_read_succeeds_through_the_same_client_after_kill9_and_restart(make_daemon):
    d = make_daemon()
    c = client(d)
    before = c.call("system.info")["started_at"]
    d.kill9()
    time.sleep(0.01)
    d.start()
    after = c.call("system.info")
    assert after["name"] == "talentd" and after["started_at"] != before
    c.close()


def test_call_waits_for_a_restarting_daemon(make_daemon):
    d = make_daemon()
    c = client(d, backoff_initial=0.05, backoff_max=0.5, max_tries=30)
    c.ping()
    d.kill9()  # the socket file stays: connect is refused until the new daemon listens
    restarter = threading.Timer(0.8, d.start)
    restarter.start()
    started = time.monotonic()
    try:
        assert c.call("system.info")["name"] == "talentd"
    finally:
        restarter.join()
    assert time.monotonic() - started >= 0.7
    c.close()


def test_answer_lost_in_flight_read_is_retried(daemon):
    proxy = DroppingProxy(daemon.socket, "system.info")
    try:
        with client(daemon) as c:
            c.socket_path = proxy.path
            assert c.call("system.info")["name"] == "talentd"
        assert len(proxy.sent("system.info")) == 2 and len(proxy.dropped_answers) == 1
    finally:
        proxy.close()


def test_unreachable_daemon_raises_connection_error_after_bounded_tries(tmp_path):
    c = Client(str(tmp_path / "none.sock"), max_tries=3, backoff_initial=0.01)
    started = time.monotonic()
    with pytest.raises(TalentConnectionError) as info:
        c.call("system.ping")
    assert isinstance(info.value, ConnectionError) and not isinstance(info.value, TalentError)
    assert "none.sock" in str(info.value) and time.monotonic() - started < 5


def hog(d: Daemon) -> Conn:
    """Take the daemon's only connection slot (once the start-up probe's slot is released)."""
    deadline = time.monotonic() + 5
    while True:
        conn = d.connect()
        if "result" in conn.call("system.ping"):
            return conn
        conn.close()
        assert time.monotonic() < deadline, "could not take the connection slot"
        time.sleep(0.05)


def test_overloaded_is_retried_until_a_slot_frees(make_daemon):
    d = make_daemon(config={"limits": {"max_connections": 1}})
    holder = hog(d)
    threading.Timer(0.6, holder.close).start()
    with client(d, backoff_initial=0.05, backoff_max=0.2, max_tries=40) as c:
        assert c.call("system.ping")["pong"] is True
    holder = hog(d)
    try:
        with pytest.raises(Overloaded):
            client(d, backoff_initial=0.01, max_tries=2).call("system.ping")
    finally:
        holder.close()


# ---------------------------------------------------------------- command line


def test_cli_call_prints_json_and_exits_0(daemon):
    result = cli("--socket", daemon.socket, "call", "system.ping", d=daemon)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pong"] is True
    piped = cli("call", "system.info", "-", env={"TALENT_SOCKET": daemon.socket}, input="{}", d=daemon)
    assert piped.returncode == 0 and json.loads(piped.stdout)["name"] == "talentd"


def test_cli_error_prints_reason_and_exits_1(daemon):
    result = cli("call", "nope.nope", "--socket", daemon.socket, d=daemon)
    assert result.returncode == 1 and result.stderr.startswith("method_not_found: ")
    bad = cli("--socket", daemon.socket, "call", "system.ping", '{"x": 1}', d=daemon)
    assert bad.returncode == 1 and "invalid_params: " in bad.stderr and "(field: x)" in bad.stderr
    assert "Traceback" not in result.stderr + bad.stderr


def test_cli_unreachable_exits_3(tmp_path):
    result = cli("--socket", str(tmp_path / "none.sock"), "call", "system.ping")
    assert result.returncode == 3 and "none.sock" in result.stderr and "Traceback" not in result.stderr


def test_cli_usage_errors_exit_64(daemon):
    assert cli("--socket", daemon.socket, "call", "system.ping", "[1").returncode == 64
    assert cli("--socket", daemon.socket, "call", "system.ping", "[1]").returncode == 64
    assert cli().returncode == 64


# ---------------------------------------------------------------- identity


def test_login_with_the_admin_secret(make_daemon):
    d = make_daemon()
    secret = getattr(d, "admin_secret")
    principal = getattr(d, "admin_principal", "admin")
    with Client(d.socket) as c:
        result = c.login(principal, secret)
        assert result["principal"] == principal and isinstance(result["roles"], list)
        assert c.whoami()["principal"] == principal
        assert c.call("system.info")["name"] == "talentd"
        assert secret not in repr(c)


def test_unauthenticated_before_login_and_wrong_secret(make_daemon):
    d = make_daemon()
    with Client(d.socket) as c:
        assert c.call("system.ping")["pong"] is True
        with pytest.raises(Unauthenticated) as info:
            c.call("system.info")
        assert info.value.code == -32010
        with pytest.raises(Unauthenticated):
            c.login(getattr(d, "admin_principal", "admin"), "not-the-secret")
        assert c.principal is None


def test_environment_credentials_log_in_on_connect_and_after_restart(make_daemon, monkeypatch):
    d = make_daemon()
    principal = getattr(d, "admin_principal", "admin")
    monkeypatch.setenv("TALENT_PRINCIPAL", principal)
    monkeypatch.setenv("TALENT_SECRET", d.admin_secret)
    with Client(d.socket) as c:
        assert c.whoami()["principal"] == principal
        d.kill9()
        d.start()
        assert c.whoami()["principal"] == principal  # reconnected and logged in again
        assert c.call("system.info")["name"] == "talentd"


def test_an_empty_secret_variable_counts_as_unset(daemon, monkeypatch):
    admin = daemon.login()
    token = admin.result("token.create", {"principal": "admin", "label": "empty-secret"})["token"]
    admin.close()
    monkeypatch.setenv("TALENT_PRINCIPAL", "admin")
    monkeypatch.setenv("TALENT_SECRET", "")
    monkeypatch.setenv("TALENT_TOKEN", token)
    with Client(daemon.socket) as c:
        assert c.whoami()["via"] == "token"


def test_a_refused_login_fails_once_clearly(daemon, monkeypatch):
    monkeypatch.setenv("TALENT_PRINCIPAL", "admin")
    monkeypatch.setenv("TALENT_SECRET", "not-the-admin-secret")
    monkeypatch.delenv("TALENT_TOKEN", raising=False)
    admin = daemon.login()
    before = admin.every("audit.list", {})
    with Client(daemon.socket) as c:
        with pytest.raises(Unauthenticated) as first:
            c.call("system.info")
        assert "$TALENT_SECRET was refused" in first.value.message and "will not try" in first.value.message
        with pytest.raises(Unauthenticated) as second:
            c.call("system.info")
        assert second.value is first.value
    denied = [e for e in admin.every("audit.list", {})[len(before):] if e["method"] == "session.login"]
    assert len(denied) == 1 and denied[0]["outcome"] == "denied"   # one attempt, not one per call
    admin.close()


def test_cli_uses_environment_credentials(make_daemon):
    d = make_daemon()
    result = cli("--socket", d.socket, "call", "system.info", d=d)
    assert result.returncode == 0 and json.loads(result.stdout)["name"] == "talentd"
    anonymous = cli("--socket", d.socket, "call", "system.info")
    assert anonymous.returncode == 1 and anonymous.stderr.startswith("unauthenticated: ")


# ---------------------------------------------------------------- idempotency


def _person(n: int = 0) -> dict:
    return {"full_name": f"Nguyễn Văn Thử {uuid.uuid4().hex[:6]} {n}"}


def _record_id(result: dict):
    return result["person"]["id"]


def test_same_key_returns_the_original_result(make_daemon):
    d = make_daemon()
    key = uuid.uuid4().hex
    params = _person()
    with client(d) as c:
        first = c.call(WRITE, params, idempotency_key=key)
        again = c.call(WRITE, params, idempotency_key=key)
        assert again == first
        with pytest.raises(IdempotencyMismatch) as info:
            c.call(WRITE, _person(1), idempotency_key=key)
        assert info.value.code == -32013 and info.value.reason == "idempotency_mismatch"


def test_a_write_whose_answer_was_lost_is_retried_with_the_same_key(make_daemon):
    d = make_daemon()
    proxy = DroppingProxy(d.socket, WRITE)
    try:
        with client(d) as c:
            c.socket_path = proxy.path
            result = c.call(WRITE, _person())
        attempts = proxy.sent(WRITE)
        assert len(attempts) == 2
        keys = {a["params"]["idempotency_key"] for a in attempts}
        assert len(keys) == 1 and 1 <= len(keys.pop()) <= 128
        assert result == proxy.dropped_answers[0]["result"], "the retry must return the stored result"
    finally:
        proxy.close()


def test_pipelined_writes_survive_a_restart_without_duplicates(make_daemon):
    d = make_daemon()
    rows = [_person(i) for i in range(300)]
    keys = [f"test-{uuid.uuid4().hex}" for _ in rows]
    calls = [(WRITE, dict(p, idempotency_key=k)) for p, k in zip(rows, keys)]
    with client(d) as c:
        first = list(c.pipeline(calls[:150]))
        d.kill9()
        d.start()
        second = list(c.pipeline(calls))  # the first 150 again: replayed, not re-created
    assert all(not isinstance(r, Exception) for r in first + second)
    assert second[:150] == first
    ids = [_record_id(r) for r in second]
    assert len(set(ids)) == 300


# ---------------------------------------------------------------- pagination and examples


def test_iterate_walks_every_page(make_daemon):
    d = make_daemon()
    with client(d) as c:
        made = {r["person"]["id"] for r in c.pipeline(("person.create", _person(i)) for i in range(23))}
        seen = [p["id"] for p in c.iterate("person.search", q="nguyen van thu", limit=5)]
    # 23 matches in pages of 5: every one exactly once, in the daemon's stable order.
    assert sorted(seen) == sorted(made) and len(seen) == 23
    assert seen == sorted(seen)


def test_result_warnings_are_kept_and_issued_as_python_warnings(make_daemon):
    d = make_daemon()
    person = {"full_name": "Hoàng Minh Châu", "birth_date": "1979-11-02"}
    with client(d) as c, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        first = c.call("person.create", person)
        assert first["warnings"] == [] and seen == []
        again = c.call("person.create", person)
        batched = c.batch([("person.create", person)])[0]
        piped = list(c.pipeline([("person.create", person)]))[0]
    # The result keeps its warnings member...
    assert [(w["code"], w["person_id"]) for w in again["warnings"]] == [("possible_duplicate", first["person"]["id"])]
    assert len(batched["warnings"]) == 2 and len(piped["warnings"]) == 3
    # ...and each entry was issued once as a PossibleDuplicateWarning, pointing at the caller's line.
    assert [w.category for w in seen] == [PossibleDuplicateWarning] * 6
    issued = seen[0].message
    assert isinstance(issued, TalentWarning) and issued.code == "possible_duplicate"
    assert issued.person_id == first["person"]["id"] and issued.method == "person.create"
    assert issued.message == again["warnings"][0]["message"] and "same name and birth date" in str(issued)
    assert all(w.filename == __file__ for w in seen)
    # A script may turn them into errors; the person is created all the same (the daemon warned, not refused).
    with client(d) as c, warnings.catch_warnings():
        warnings.simplefilter("error", PossibleDuplicateWarning)
        with pytest.raises(PossibleDuplicateWarning):
            c.call("person.create", person)
        assert len(list(c.iterate("person.search", q="hoang minh chau"))) == 5


def _example(name: str, *args: str, d: Daemon):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env["PYTHONPATH"] = str(CLIENT_DIR)
    env["TALENT_PRINCIPAL"], env["TALENT_SECRET"] = creds(d)["principal"], creds(d)["secret"]
    return run([sys.executable, str(CLIENT_DIR / "examples" / name), "--socket", d.socket, *args], env=env, timeout=120)


def test_examples_have_help():
    for name in ("bulk_propose.py", "export_coverage.py", "bulk_submit_applications.py", "submit_nominations.py"):
        result = run([sys.executable, str(CLIENT_DIR / "examples" / name), "--help"],
                     env={**os.environ, "PYTHONPATH": str(CLIENT_DIR)})
        assert result.returncode == 0 and "usage:" in result.stdout, result.stderr


def test_bulk_propose_then_export_coverage(make_daemon, tmp_path):
    d = make_daemon()
    csv_path = tmp_path / "proposals.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["org", "post", "full_name", "birth_date", "term_start", "equivalent_rank"])
        w.writerow(["MOD", "chief_engineer_sti", "Trần Thị Hương", "1980-04-12", "2026-01-01", "director_general"])
        w.writerow(["MPS", "chief_engineer_ops", "Lê Văn Minh", "1975-11-30", "2026-02-01", "deputy_director_general"])
    first = _example("bulk_propose.py", str(csv_path), d=d)
    assert first.returncode == 0, first.stdout + first.stderr
    summary = json.loads(_example("bulk_propose.py", str(csv_path), "--json", d=d).stdout)
    first_summary = json.loads(_example("bulk_propose.py", str(csv_path), "--json", d=d).stdout)
    assert summary["proposed"] == 2 and summary["failed"] == 0
    assert summary["appointment_ids"] == first_summary["appointment_ids"], "a rerun must not create duplicates"
    out = tmp_path / "coverage.csv"
    exported = _example("export_coverage.py", "-o", str(out), d=d)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert {"code", "kind", "name"} <= set(rows[0]) and any(r["code"] == "MOD" for r in rows)


def _pipeline_through_restart(d: Daemon, restart, total: int = 20000) -> tuple:
    restarter = threading.Thread(target=restart)

    def calls():
        for i in range(total):
            if i == 3000:
                restarter.start()
            yield "system.ping"

    with client(d, backoff_initial=0.05, max_tries=30) as c:
        try:
            results = list(c.pipeline(calls(), window=500))
        finally:
            restarter.join()
        started = c.call("system.info")["started_at"]
    assert len(results) == total and all(isinstance(r, dict) and r["pong"] is True for r in results), \
        [r for r in results if not isinstance(r, dict)][:3]
    times = [r["time"] for r in results]
    assert times == sorted(times), "answers must come back in request order"
    return results, started


def test_pipeline_rides_through_kill9_and_restart(make_daemon):
    # The connection dies with hundreds of pings unanswered; they are sent again to the new daemon.
    d = make_daemon()

    def restart():
        d.kill9()
        d.start()

    results, started = _pipeline_through_restart(d, restart)
    assert results[0]["time"] < started <= results[-1]["time"], "the restart happened mid-pipeline"


def test_pipeline_rides_through_a_graceful_restart(make_daemon):
    # SIGTERM mid-pipeline: the daemon drains (answering what it read, or `unavailable`) and
    # closes; anything unanswered goes to the restarted daemon.
    d = make_daemon()
    exit_codes = []

    def restart():
        exit_codes.append(d.stop())
        d.start()

    _pipeline_through_restart(d, restart)
    assert exit_codes == [0]
