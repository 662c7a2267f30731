"""Fuzz and abuse over the real socket: mutated real requests for every method, garbage batches,
unread pipelining and half-close. Every answer must be well-formed, none `internal`, the daemon
must stay up with its memory bounded. Deterministic (fixed seed) and well under 60 s."""
import json
import random
import socket
import time

from conftest import Conn
from test_hardening import DISCOVER, rss_kib, settled, discover_answered

SEED = 10
MUTANTS_PER_METHOD = 12
NASTY = [None, True, False, 0, -1, 1.5, 1e300, -0.0, 2**63, "", "\u0000", "a\nb", "\u001b[2J", "x" * 5000,
         "Nguyễn", "\ud7ff", [], [1, [2, [3]]], {}, {"a": {"b": None}}, "1900-01-01", "0000-01-01",
         "2025-02-29", "9999-12-31T23:59:60Z", "../../etc/passwd", "'; DROP TABLE person; --"]


def example_params(method: dict) -> dict:
    for example in method.get("examples", [])[:1]:
        return {p["name"]: p["value"] for p in example.get("params", []) if "value" in p}
    return {}


def mutate(rng: random.Random, method: dict) -> bytes:
    params = example_params(method)
    names = [p["name"] for p in method["params"]] + ["unknown_param"]
    choice = rng.randrange(6)
    if choice == 0 and names:
        params[rng.choice(names)] = rng.choice(NASTY)
    elif choice == 1 and params:
        params.pop(rng.choice(sorted(params)))
    elif choice == 2:
        params = {name: rng.choice(NASTY) for name in rng.sample(names, k=min(len(names), 3))}
    elif choice == 3:
        params = rng.choice([[], [1], "x", 7, None])
    request = {"jsonrpc": "2.0", "id": rng.choice([1, "m", 2**62, -5]), "method": method["name"], "params": params}
    line = bytearray(json.dumps(request).encode())
    if choice == 4:  # flip bytes of the serialized request
        for _ in range(rng.randrange(1, 4)):
            line[rng.randrange(len(line))] = rng.randrange(256)
    elif choice == 5:  # truncate it
        line = line[: rng.randrange(len(line))]
    return bytes(line).replace(b"\n", b" ")


def garbage_batch(rng: random.Random) -> bytes:
    entries = [rng.choice([1, "x", None, [], {}, {"jsonrpc": "2.0"}, {"jsonrpc": "2.0", "id": 1, "method": "system.ping"},
                           {"jsonrpc": "2.0", "method": "system.ping"}, {"id": [1]}, {"method": 7}])
               for _ in range(rng.randrange(0, 40))]
    return json.dumps(entries).encode()


def check_answer(line: bytes) -> dict:
    answer = json.loads(line)
    for one in answer if isinstance(answer, list) else [answer]:
        assert one["jsonrpc"] == "2.0" and ("result" in one) != ("error" in one), one
        if "error" in one:
            assert one["error"]["data"]["reason"] != "internal", one
    return answer


def exchange(conn: Conn, lines: list[bytes]) -> int:
    """Sends each line followed by a sentinel ping and reads up to the last sentinel: lines that
    became notifications (no id) get no answer, so the sentinels keep the count honest."""
    payload = b"".join(line + b'\n{"jsonrpc":"2.0","id":"sentinel-%d","method":"system.ping"}\n' % i
                       for i, line in enumerate(lines))
    conn.send(payload)
    answers, seen = 0, 0
    while seen < len(lines):
        answer = check_answer(conn.read_line())
        if isinstance(answer, dict) and answer["id"] == f"sentinel-{seen}":
            seen += 1
        else:
            answers += 1
    return answers


def test_fuzz_and_abuse_over_the_socket(make_daemon, openrpc):
    started = time.monotonic()
    rng = random.Random(SEED)
    d = make_daemon(log_level="info")
    before = rss_kib(d.proc.pid)

    conn = d.login(timeout=20)
    mutants = [mutate(rng, method) for method in openrpc["methods"] for _ in range(MUTANTS_PER_METHOD)]
    rng.shuffle(mutants)
    answered = exchange(conn, mutants)
    assert answered > len(mutants) // 2, f"only {answered} of {len(mutants)} mutants answered"

    batches = [garbage_batch(rng) for _ in range(200)]
    exchange(conn, batches)
    conn.close()

    # Pipelining without reading: memory stays bounded, the daemon keeps serving others.
    unread = d.connect(timeout=20)
    unread.send(DISCOVER * 3000)
    settled(lambda: discover_answered(d), quiet=0.5)
    unread.close()

    # Half-close after a mixed burst: every line with an id is answered before EOF.
    burst = [b'{"jsonrpc":"2.0","id":%d,"method":"system.ping"}' % i for i in range(3000)]
    burst += [b'{"jsonrpc":"2.0","method":"system.ping"}', b"[]", b"{", b"\x00\xff",
              b'[1,{"jsonrpc":"2.0","id":"b","method":"system.ping"},{"jsonrpc":"2.0","method":"system.ping"}]']
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(20)
    sock.connect(d.socket)
    sock.sendall(b"\n".join(burst) + b"\n")
    sock.shutdown(socket.SHUT_WR)
    data = b""
    while chunk := sock.recv(1 << 20):
        data += chunk
    sock.close()
    answers = [check_answer(line) for line in data.splitlines()]
    assert [a["id"] for a in answers[:3000]] == list(range(3000))
    assert len(answers) == 3000 + 4, "the notification gets no answer; [], {, the bad bytes and the batch get one each"

    assert d.proc.poll() is None, "the daemon died"
    grown_mib = (rss_kib(d.proc.pid, "VmHWM") - before) / 1024
    assert grown_mib < 128, f"daemon RSS grew {grown_mib:.0f} MiB"
    probe = d.connect()  # not logged in: a mutant may have changed admin's password
    assert probe.call("system.ping")["result"]["pong"] is True
    probe.close()
    assert time.monotonic() - started < 45
