"""The daemon as a process: concurrency, ordering, shutdown, socket ownership, durability, logs."""
import json
import os
import signal
import socket
import sqlite3
import stat
import threading
import time

from conftest import Daemon, run, short_tmpdir, TALENTD


def test_pipelining_1000_requests_in_one_write_answers_in_order(daemon):
    conn = daemon.connect()
    methods = ["system.ping", "system.info", "system.ping", "system.health"]  # mixes event-loop and worker-pool methods
    payload = b"".join(
        json.dumps({"jsonrpc": "2.0", "id": i, "method": methods[i % 4]}).encode() + b"\n" for i in range(1000))
    conn.send(payload)
    ids = [conn.read_json()["id"] for _ in range(1000)]
    assert ids == list(range(1000))
    conn.close()


def test_200_concurrent_connections(daemon):
    errors = []
    barrier = threading.Barrier(200)
    # An API token logs in without Argon2 work, so 200 logins at once stay quick.
    token = daemon.rpc("token.create", {"principal": "admin", "label": "200 connections"})["result"]["token"]

    def client(n):
        try:
            conn = daemon.connect(timeout=30)
            conn.login("admin", token)
            barrier.wait(timeout=30)
            for i in range(20):
                method = "system.info" if i % 5 == 0 else "system.ping"
                response = conn.call(method, id=f"{n}-{i}")
                assert response["id"] == f"{n}-{i}" and "result" in response, response
            conn.close()
        except Exception as e:  # collected, reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors[:3]
    stats = daemon.rpc("system.stats")["result"]
    assert stats["connections"]["total"] >= 200


def test_stats_count_requests_errors_and_bytes(daemon):
    conn = daemon.login()
    before = conn.result("system.stats")
    for i in range(25):
        conn.call("system.ping", id=i)
    conn.call("no.such.method", id="x")
    conn.call("system.ping", {"bad": 1}, id="y")
    after = conn.result("system.stats")
    ping_before = before["methods"].get("system.ping", {"requests": 0})["requests"]
    assert after["methods"]["system.ping"]["requests"] - ping_before == 26
    assert after["methods"]["system.ping"]["errors_by_reason"].get("invalid_params", 0) >= 1
    assert after["methods"]["(unknown)"]["errors_by_reason"]["method_not_found"] >= 1
    assert after["bytes"]["in"] > before["bytes"]["in"] + 25 * 40
    assert after["bytes"]["out"] > before["bytes"]["out"] + 25 * 60
    latency = after["methods"]["system.ping"]["latency_us"]
    assert 0 <= latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    conn.close()


def test_health_and_info(daemon):
    health = daemon.rpc("system.health")["result"]
    assert health["status"] == "ok"
    assert health["checks"]["database"]["writable"] is True
    assert health["checks"]["disk"]["free_bytes"] > 0
    assert health["checks"]["connections"]["limit"] == 1024
    info = daemon.rpc("system.info")["result"]
    assert info["name"] == "talentd" and info["schema_version"] >= 1
    assert info["sqlite_version"].startswith("3.")


def test_health_degrades_when_disk_threshold_not_met(make_daemon):
    d = make_daemon(config={"health": {"disk_degraded_below_bytes": 1 << 62, "disk_failing_below_bytes": 0}})
    health = d.rpc("system.health")["result"]
    assert health["status"] == "degraded" and health["checks"]["disk"]["status"] == "degraded"


def test_socket_and_database_are_not_world_accessible(daemon):
    mode = os.stat(daemon.socket).st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == 0o660
    for path in [daemon.db, daemon.db + "-wal"]:
        if os.path.exists(path):
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o007 == 0, path


def test_sigterm_lets_in_flight_requests_finish(make_daemon):
    d = make_daemon()
    conn = d.login(timeout=30)
    # 1000 worker-pool requests in one batch, then SIGTERM before the answer is read.
    conn.send_json([{"jsonrpc": "2.0", "id": i, "method": "system.health"} for i in range(1000)])
    time.sleep(0.05)
    d.proc.send_signal(signal.SIGTERM)
    response = conn.read_json()
    assert [r["id"] for r in response] == list(range(1000))
    assert all("result" in r or r["error"]["data"]["reason"] == "unavailable" for r in response)
    assert conn.at_eof()
    assert d.proc.wait(timeout=15) == 0
    assert not os.path.exists(d.socket)
    assert "shutting down" in d.log() and "stopped" in d.log()


def test_sigint_behaves_like_sigterm_and_idle_connections_are_closed(make_daemon):
    d = make_daemon()
    idle = d.connect()
    assert d.stop(signal.SIGINT) == 0
    assert idle.at_eof()
    assert not os.path.exists(d.socket)


def test_a_clean_stop_leaves_the_database_in_one_file(make_daemon):
    d = make_daemon()
    conn = d.login()
    # A quick read on an event loop (org.get), reads in the pool (org.list, system.health) and a
    # write: every kind of connection the daemon opens is open at the stop.
    assert "result" in conn.call("org.get", {"code": "MOHA"})
    assert "result" in conn.call("org.list", {"limit": 5})
    assert "result" in conn.call("system.health")
    assert "result" in conn.call("person.create", {"full_name": "Lê Thị Hồng", "birth_date": "1981-02-03"})
    conn.close()
    assert d.stop() == 0
    # The WAL was checkpointed and removed: copying talent.db alone copies everything.
    assert sorted(p.name for p in d.dir.iterdir() if p.name.startswith("talent.db")) == ["talent.db"]
    with sqlite3.connect(d.db) as c:
        assert c.execute("SELECT count(*) FROM person WHERE full_name = 'Lê Thị Hồng'").fetchone()[0] == 1


def test_stale_socket_file_is_replaced(make_daemon):
    d = make_daemon(start=False)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(d.socket)
    stale.close()  # the file stays, nothing listens
    assert os.path.exists(d.socket)
    d.start()
    assert d.rpc("system.ping")["result"]["pong"] is True


def test_refuses_to_start_next_to_a_live_daemon(make_daemon):
    d = make_daemon()
    result = run([str(TALENTD), "serve", "--db", d.db, "--socket", d.socket], timeout=30)
    assert result.returncode != 0
    assert "already" in result.stderr
    assert d.rpc("system.ping")["result"]["pong"] is True
    assert os.path.exists(d.socket)


def test_refuses_a_path_that_is_not_a_socket(make_daemon):
    d = make_daemon(start=False)
    with open(d.socket, "w") as f:
        f.write("precious")
    result = run(d.serve_args(), timeout=30)
    assert result.returncode != 0 and "not a socket" in result.stderr
    assert open(d.socket).read() == "precious"
    os.unlink(d.socket)


def test_serve_without_database_says_to_run_init():
    workdir = short_tmpdir()
    result = run([str(TALENTD), "serve", "--db", str(workdir / "missing.db"), "--socket", str(workdir / "s.sock")], timeout=30)
    assert result.returncode != 0
    assert "talentd init" in result.stderr
    assert not (workdir / "missing.db").exists()


def test_init_is_idempotent_and_creates_the_folder():
    workdir = short_tmpdir()
    db = workdir / "nested" / "talent.db"
    first = run([str(TALENTD), "init", "--db", str(db)], timeout=30)
    second = run([str(TALENTD), "init", "--db", str(db)], timeout=30)
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    assert "migrated" in first.stderr and "up to date" in second.stderr
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_environment_variables_choose_the_paths(make_daemon):
    d = make_daemon(start=False)
    env = dict(os.environ, TALENT_DB=d.db, TALENT_SOCKET=d.socket)
    import subprocess
    proc = subprocess.Popen([str(TALENTD), "serve"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while not os.path.exists(d.socket):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.1)
        assert d.rpc("system.ping")["result"]["pong"] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


def test_acknowledged_write_survives_kill_9(make_daemon):
    d = make_daemon()
    # system.health commits a synced write (its probe row) before it answers.
    assert d.rpc("system.health")["result"]["checks"]["database"]["writable"] is True
    with sqlite3.connect(d.db) as c:
        probe_before = c.execute("SELECT value FROM store_meta WHERE key='last_health_probe'").fetchone()[0]
    d.kill9()
    with sqlite3.connect(d.db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT value FROM store_meta WHERE key='last_health_probe'").fetchone()[0] == probe_before
    # The stale socket left by kill -9 is taken over on restart.
    d.start()
    assert d.rpc("system.ping")["result"]["pong"] is True


def test_debug_log_has_one_line_per_request_and_never_params(make_daemon):
    d = make_daemon()
    conn = d.connect()
    conn.call("system.ping", {"secret": "SECRET-VALUE-123"}, id=1)
    conn.call("system.ping", id=2)
    conn.call("nope", {"password": "SECRET-VALUE-456"}, id=3)
    conn.close()
    assert d.stop() == 0
    log = d.log()
    assert "SECRET-VALUE" not in log
    request_lines = [line for line in log.splitlines() if line.rstrip().endswith(" request")]
    assert len(request_lines) >= 3
    assert any("method=system.ping" in line and "outcome=invalid_params" in line for line in request_lines)
    assert any("method=system.ping" in line and "outcome=ok" in line and "duration_us=" in line for line in request_lines)
    assert any("outcome=method_not_found" in line for line in request_lines)


def test_client_that_writes_without_reading_does_not_hurt_others(daemon):
    # A client floods requests and never reads: the daemon stops reading from it (backpressure)
    # while other connections are served normally.
    flood = socket.socket(socket.AF_UNIX)
    flood.connect(daemon.socket)
    flood.setblocking(False)
    line = b'{"jsonrpc":"2.0","id":1,"method":"system.ping"}\n' * 1000
    sent = 0
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            sent += flood.send(line)
        except BlockingIOError:
            time.sleep(0.01)
    assert sent > 0
    other = daemon.connect(timeout=5)
    assert other.call("system.ping", id="ok")["id"] == "ok"
    other.close()
    flood.close()


def test_sigterm_stops_reading_a_connection_that_never_stops_writing(make_daemon):
    d = make_daemon()
    conn = d.connect(timeout=30)
    stop = threading.Event()
    sent = []

    def writer():
        n = 0
        try:
            while not stop.is_set():
                conn.send((json.dumps({"jsonrpc": "2.0", "id": n, "method": "system.ping"}) + "\n").encode() * 1)
                sent.append(n)
                n += 1
        except OSError:
            pass  # the daemon closed the connection: expected

    thread = threading.Thread(target=writer)
    thread.start()
    answered = []
    try:
        for _ in range(200):
            answered.append(conn.read_json()["id"])
        started = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        while True:
            try:
                answered.append(conn.read_json()["id"])
            except (EOFError, OSError):
                break
        assert d.proc.wait(timeout=15) == 0
        took = time.monotonic() - started
    finally:
        stop.set()
        thread.join(timeout=10)
    # Far below the 10 s drain timeout: the daemon stopped reading instead of waiting for quiet.
    assert took < 3, f"shutdown took {took:.1f} s with a client that never stops writing"
    assert answered == list(range(len(answered))), "answers out of order or missing in the middle"
    assert "drain timeout" not in d.log()


def test_system_info_reports_the_durability_settings_in_force(daemon):
    """The kill -9 test alone would pass with synchronous=OFF: the settings are read back from SQLite."""
    storage = daemon.rpc("system.info")["result"]["storage"]
    assert storage == {"journal_mode": "wal", "synchronous": "full", "foreign_keys": True}


def test_the_daemon_sets_sqlite_up_before_it_opens_the_database(daemon):
    """Memory statistics off and savepoint journals in one piece take effect only if they are set
    before SQLite's first open; the daemon says so in its log when they could not be."""
    daemon.rpc("person.create", {"full_name": "Nguyễn Văn An"})
    assert "SQLite was initialized before talentd could set it up" not in daemon.log()
