"""talentctl batch: pipelined JSON lines, results in input order, failures, idempotent resume."""
import json
import os
import signal
import subprocess
import time

from conftest import TALENTCTL


def admin_env(daemon):
    env = dict(os.environ)
    env.update(TALENT_PRINCIPAL="admin", TALENT_SECRET=daemon.admin_secret)
    return env


def batch(daemon, text, *args, timeout=120):
    return subprocess.run([str(TALENTCTL), "--socket", daemon.socket, "batch", *args, "-"], input=text,
                          capture_output=True, text=True, env=admin_env(daemon), timeout=timeout)


def lines_of(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def test_10000_lines_answer_in_input_order(daemon):
    requests = []
    for n in range(10_000):
        if n % 3 == 0:
            requests.append({"method": "system.ping"})
        elif n % 3 == 1:
            requests.append({"jsonrpc": "2.0", "id": "ignored", "method": "session.whoami", "params": {}})
        else:
            requests.append({"method": "principal.get", "params": {"name": "admin"}})
    result = batch(daemon, "\n".join(json.dumps(r) for r in requests) + "\n")
    assert result.returncode == 0, result.stderr
    out = lines_of(result.stdout)
    assert [o["line"] for o in out] == list(range(1, 10_001))
    assert all("result" in o for o in out)
    assert out[0]["result"]["pong"] is True and out[1]["result"]["principal"] == "admin"
    assert out[2]["result"]["name"] == "admin"
    assert "10000 lines: 10000 succeeded, 0 failed" in result.stderr


def test_a_failing_line_is_reported_in_place_and_the_exit_status_is_1(daemon):
    text = "\n".join([
        json.dumps({"method": "system.ping"}),
        "this is not json",
        json.dumps({"method": "principal.get", "params": {"name": "nobody-here"}}),
        "",
        json.dumps({"method": "no.such.method"}),
        json.dumps({"method": "system.ping"}),
    ]) + "\n"
    result = batch(daemon, text)
    assert result.returncode == 1
    out = lines_of(result.stdout)
    # Line numbers count input lines: the blank line 4 has no output.
    assert [o["line"] for o in out] == [1, 2, 3, 5, 6]
    assert out[0]["result"]["pong"] is True
    assert out[1]["error"]["data"]["reason"] == "parse_error"
    assert out[2]["error"]["data"]["reason"] == "not_found"
    assert out[3]["error"]["data"]["reason"] == "method_not_found"
    assert "result" in out[4]
    assert "5 lines: 2 succeeded, 3 failed" in result.stderr


def test_stop_on_error_runs_nothing_after_the_failure(daemon):
    text = "\n".join(json.dumps({"method": "principal.create", "params": p}) for p in [
        {"name": "stop-a", "kind": "agent", "roles": ["ministry_agent"], "org": "MOHA"},
        {"name": "stop-b", "kind": "agent", "roles": ["ministry_agent"], "org": "NO-SUCH-ORG"},
        {"name": "stop-c", "kind": "agent", "roles": ["ministry_agent"], "org": "MOHA"},
    ]) + "\n"
    result = batch(daemon, text, "--stop-on-error")
    assert result.returncode == 1
    out = lines_of(result.stdout)
    assert [o["line"] for o in out] == [1, 2]
    assert out[1]["error"]["data"]["field"] == "org"
    assert "1 not run" in result.stderr
    conn = daemon.login()
    assert conn.call("principal.get", {"name": "stop-a"})["result"]["name"] == "stop-a"
    assert conn.call("principal.get", {"name": "stop-c"})["error"]["data"]["reason"] == "not_found"


def test_idempotent_rerun_of_a_half_finished_file_creates_no_duplicates(make_daemon, tmp_path):
    d = make_daemon()
    path = tmp_path / "agents.jsonl"
    path.write_text("".join(json.dumps({"method": "principal.create", "params": {
        "name": f"resume-{n:05d}", "kind": "agent", "roles": ["ministry_agent"], "org": "MOF"}}) + "\n" for n in range(3000)))
    args = [str(TALENTCTL), "--socket", d.socket, "batch", "--idempotent", str(path)]
    # First run: killed part-way.
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=admin_env(d))
    conn = d.login()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        made = len(conn.every("principal.list", {"org": "MOF"}))
        if made >= 300:
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    made = len(conn.every("principal.list", {"org": "MOF"}))
    assert 300 <= made < 3000, made
    # Second run: completes the file; lines already done are replayed, not run again.
    second = subprocess.run(args, capture_output=True, text=True, env=admin_env(d), timeout=300)
    assert second.returncode == 0, second.stderr
    out = lines_of(second.stdout)
    assert len(out) == 3000 and all("result" in o for o in out)
    assert [o["result"]["name"] for o in out] == [f"resume-{n:05d}" for n in range(3000)]
    principals = conn.every("principal.list", {"org": "MOF"})
    assert len(principals) == 3000
    # Each was created exactly once: one audit entry per principal.
    entries = conn.every("audit.list", {"method": "principal.create"}, limit=1000)
    created = [e["target"]["id"] for e in entries if e["target"]["id"].startswith("resume-")]
    assert len(created) == 3000 and len(set(created)) == 3000
