"""Every wire limit answers a clear error, never crashes, and leaves the connection usable."""
import json
import socket

from conftest import Conn, run, TALENTD, short_tmpdir, Daemon

MIB = 1 << 20


def ping_works(conn, id="after"):
    response = conn.call("system.ping", id=id)
    return response["id"] == id and response["result"]["pong"] is True


def test_line_over_1_mib_in_one_write(daemon):
    conn = daemon.connect()
    long_line = b'{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"x":"' + b"a" * MIB + b'"}}\n'
    conn.send(long_line + b'{"jsonrpc":"2.0","id":2,"method":"system.ping"}\n')
    response = conn.read_json()
    assert response["id"] is None
    assert response["error"]["data"]["reason"] == "too_large"
    assert conn.read_json()["id"] == 2
    conn.close()


def test_line_over_1_mib_in_small_chunks(daemon):
    conn = daemon.connect()
    conn.send(b'{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"x":"')
    for _ in range(80):
        conn.send(b"b" * 16384)
    conn.send(b'"}}\n')
    response = conn.read_json()
    assert response["error"]["data"]["reason"] == "too_large" and response["id"] is None
    assert ping_works(conn)
    conn.close()


def test_line_of_exactly_the_limit_is_accepted(daemon):
    conn = daemon.connect()
    head = b'{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"x":"'
    tail = b'"}}'
    line = head + b"c" * (MIB - len(head) - len(tail)) + tail
    assert len(line) == MIB
    conn.send(line + b"\n")
    response = conn.read_json()
    # Parsed, so the error is about the unknown param, not the size.
    assert response["error"]["data"]["reason"] == "invalid_params"
    assert response["error"]["data"]["field"] == "x"
    conn.close()


def test_nesting_deeper_than_64(daemon):
    conn = daemon.connect()
    deep = "[" * 65 + "]" * 65
    conn.send(('{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"x":' + deep + "}}\n").encode())
    response = conn.read_json()
    assert response["error"]["data"]["reason"] in ("parse_error", "invalid_request")
    assert "64" in response["error"]["message"]
    assert ping_works(conn)
    conn.close()


def test_very_deep_nesting_does_not_crash(daemon):
    conn = daemon.connect()
    conn.send(b"[" * 500000 + b"\n")
    assert conn.read_json()["error"]["data"]["reason"] == "parse_error"
    assert ping_works(conn)
    conn.close()


def test_invalid_utf8(daemon):
    conn = daemon.connect()
    conn.send(b'{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"x":"\xc3\x28"}}\n')
    response = conn.read_json()
    assert response["id"] is None and response["error"]["data"]["reason"] == "parse_error"
    assert "UTF-8" in response["error"]["message"]
    conn.send(b'\xff\xfe{"jsonrpc":"2.0","id":1,"method":"system.ping"}\n')
    assert conn.read_json()["error"]["data"]["reason"] == "parse_error"
    assert ping_works(conn)
    conn.close()


def test_batch_of_1000_is_answered_and_1001_is_too_large(daemon):
    conn = daemon.connect()
    conn.send_json([{"jsonrpc": "2.0", "id": i, "method": "system.ping"} for i in range(1000)])
    response = conn.read_json()
    assert [r["id"] for r in response] == list(range(1000))
    conn.send_json([{"jsonrpc": "2.0", "id": i, "method": "system.ping"} for i in range(1001)])
    response = conn.read_json()
    assert isinstance(response, dict) and response["id"] is None
    assert response["error"]["data"]["reason"] == "too_large"
    assert "1000" in response["error"]["message"]
    assert ping_works(conn)
    conn.close()


def wait_until_only_one_open(d):
    """Closing is noticed asynchronously: wait until the start-up probe's connection is gone."""
    import time
    deadline = time.monotonic() + 5
    while True:
        probe = d.login()
        open_now = probe.result("system.stats")["connections"]["open"]
        probe.close()
        if open_now == 1 or time.monotonic() > deadline:
            assert open_now == 1
            break
        time.sleep(0.05)
    time.sleep(0.1)


def test_connection_limit(make_daemon):
    d = make_daemon(config={"limits": {"max_connections": 8}})
    wait_until_only_one_open(d)
    conns = [d.connect() for _ in range(8)]
    for c in conns:
        assert ping_works(c)
    extra = d.connect()
    response = extra.read_json()
    assert response["id"] is None and response["error"]["data"]["reason"] == "overloaded"
    assert extra.at_eof()
    extra.close()
    conns.pop().close()
    # The freed slot can be used again (closing is noticed asynchronously: retry briefly).
    import time
    deadline = time.monotonic() + 5
    while True:
        again = d.connect()
        try:
            if ping_works(again):
                break
        except (EOFError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        finally:
            again.close()
    conns[0].login("admin", d.admin_secret)
    stats = conns[0].result("system.stats")
    assert stats["connections"]["rejected"] >= 1 and stats["connections"]["limit"] == 8
    for c in conns:
        c.close()


def test_configured_line_limit(make_daemon):
    d = make_daemon(config={"limits": {"max_line_bytes": 2048}})
    conn = d.connect()
    conn.send(b'{"jsonrpc":"2.0","id":1,"method":"system.ping","params":{"x":"' + b"z" * 3000 + b'"}}\n')
    response = conn.read_json()
    assert response["error"]["data"]["reason"] == "too_large" and "2048" in response["error"]["message"]
    assert ping_works(conn)
    conn.close()


def test_configured_batch_limit(make_daemon):
    d = make_daemon(config={"limits": {"max_batch": 3}})
    conn = d.connect()
    conn.send_json([{"jsonrpc": "2.0", "id": i, "method": "system.ping"} for i in range(4)])
    assert conn.read_json()["error"]["data"]["reason"] == "too_large"
    conn.close()


def test_bad_config_is_refused_naming_the_key():
    d = Daemon(short_tmpdir(), config={"limits": {"max_line_bytez": 10}})
    result = run(d.serve_args(), timeout=30)
    assert result.returncode != 0
    assert "limits.max_line_bytez" in result.stderr
    d2 = Daemon(short_tmpdir(), config={"limits": {"max_batch": "many"}})
    result = run(d2.serve_args(), timeout=30)
    assert result.returncode != 0 and "limits.max_batch" in result.stderr


def test_config_that_is_not_json_is_refused():
    d = Daemon(short_tmpdir())
    bad = d.dir / "bad.json"
    bad.write_text("{nope")
    result = run([str(TALENTD), "serve", "--db", d.db, "--socket", d.socket, "--config", str(bad)], timeout=30)
    assert result.returncode != 0 and "not valid JSON" in result.stderr
