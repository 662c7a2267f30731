"""The live event stream over the real socket: resuming with no gap and no duplicate while
another client writes, filtering by role and org, the overflow path, requests interleaved with
notifications, replay after a restart, the Python iterator and talentctl events."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import REPO, TALENTCTL, Conn, run
from test_appointments import principal

sys.path.insert(0, str(REPO / "Clients/python"))
from talent_client import Client  # noqa: E402

INVALID_PARAMS = -32602


def connect_as(daemon, name, token) -> Conn:
    conn = daemon.connect(timeout=20)
    conn.login(name, token)
    return conn


def create_persons(conn, count: int, prefix: str, batch: int = 500) -> list[int]:
    """person.create `count` times, pipelined `batch` requests at a time; returns the ids."""
    ids = []
    for start in range(0, count, batch):
        n = min(batch, count - start)
        lines = [json.dumps({"jsonrpc": "2.0", "id": start + i + 1, "method": "person.create",
                             "params": {"full_name": f"{prefix} {start + i}"}}) for i in range(n)]
        conn.send(("\n".join(lines) + "\n").encode())
        for _ in range(n):
            response = conn.read_json()
            assert "result" in response, response
            ids.append(response["result"]["person"]["id"])
    return ids


def read_events(conn, until_seq: int, timeout: float = 30.0) -> list[dict]:
    """Reads event notifications until one with seq >= until_seq arrives."""
    events = []
    deadline = time.monotonic() + timeout
    while not events or events[-1]["seq"] < until_seq:
        assert time.monotonic() < deadline, f"no event up to seq {until_seq}; last {events[-1:]}"
        message = conn.read_json()
        assert "id" not in message, message
        if message["method"] == "event":
            events.append(message["params"])
    return events


def quiet_for(conn, seconds: float) -> list[bytes]:
    """Every line that arrives within `seconds` (none expected)."""
    conn.sock.settimeout(seconds)
    lines = []
    try:
        while True:
            lines.append(conn.read_line())
    except (socket.timeout, TimeoutError):
        return lines
    finally:
        conn.sock.settimeout(20)


def visible(conn, params=None) -> list[dict]:
    return conn.every("events.list", params)


def test_resume_with_no_gap_and_no_duplicate_while_5000_changes_are_written(make_daemon):
    daemon = make_daemon()
    admin = daemon.login(timeout=60)
    head = admin.result("events.list", {"limit": 1})["head_seq"]
    subscriber = daemon.login(timeout=20)
    assert subscriber.result("events.subscribe", {"topics": ["person"], "after_seq": head})["topics"] == ["person"]

    written: list[int] = []
    writer = threading.Thread(target=lambda: written.extend(create_persons(admin, 5000, "Người Thử Luồng")))
    writer.start()
    received: list[dict] = []
    # Hang up three times mid-stream, each time resuming after the last seq received.
    for stop_after in (700, 1900, 3300):
        while len(received) < stop_after:
            message = subscriber.read_json()
            assert message["method"] == "event"
            received.append(message["params"])
        subscriber.close()
        subscriber = daemon.login(timeout=20)
        subscriber.result("events.subscribe", {"topics": ["person"], "after_seq": received[-1]["seq"]})
    writer.join()
    assert len(written) == 5000
    expected = [e["seq"] for e in visible(admin, {"topics": ["person"]}) if e["seq"] > head]
    assert len(expected) == 5000
    received += read_events(subscriber, expected[-1])
    seqs = [e["seq"] for e in received]
    assert seqs == expected, "a gap or a duplicate"
    assert {int(e["target"]["id"]) for e in received} == set(written)
    assert {e["type"] for e in received} == {"person.created"}
    # The audit seq is the event seq.
    audit = admin.every("audit.list", {"method": "person.create"})
    assert [a["seq"] for a in audit if a["seq"] > head] == seqs


@pytest.fixture(scope="module")
def world(daemon):
    admin = daemon.login()
    tokens = {name: principal(admin, name, roles, org) for name, roles, org in [
        ("agent-moh", ["ministry_agent"], "MOH"), ("hr-mof", ["hr_official"], "MOF"),
        ("hr-nat", ["hr_official"], None), ("ops-1", ["ops"], None), ("agent-moit", ["ministry_agent"], "MOIT"),
    ]}
    return admin, tokens


def propose(conn, org, person_id):
    return conn.result("appointment.propose", {"org": org, "post": "chief_engineer_sti", "person_id": person_id,
                                               "term_start": "2025-07-01", "equivalent_rank": "director_general"})


def test_each_subscriber_sees_only_what_its_roles_and_org_allow(daemon, world, tmp_path):
    admin, tokens = world
    # Each principal acts on one connection and listens on another.
    names = ["agent-moh", "hr-mof", "ops-1", "hr-nat"]
    actors = {name: connect_as(daemon, name, tokens[name]) for name in names}
    conns = {name: connect_as(daemon, name, tokens[name]) for name in names}
    conns["admin"] = daemon.login()
    heads = {who: conn.result("events.subscribe", {})["head_seq"] for who, conn in conns.items()}
    name = "Trần Thị Bí Mật"
    moh_person = actors["agent-moh"].result("person.create", {"full_name": name, "national_id": "001199001234"})["person"]["id"]
    mof_person = actors["hr-mof"].result("person.create", {"full_name": name + " Hai"})["person"]["id"]
    moh = propose(actors["agent-moh"], "MOH", moh_person)
    mof = propose(actors["hr-mof"], "MOF", mof_person)
    actors["hr-nat"].result("appointment.approve", {"id": mof["id"]})
    backup = admin.result("system.backup", {"path": str(tmp_path / "copy.db")})
    last = max(e["seq"] for e in visible(admin))
    streams = {}
    for who, conn in conns.items():
        # What a subscriber receives is exactly what events.list shows it, no more.
        expected = [e for e in visible(actors.get(who, admin)) if heads[who] < e["seq"] <= last]
        assert expected, who
        streams[who] = read_events(conn, expected[-1]["seq"])
        assert streams[who] == expected, who

    agent = streams["agent-moh"]
    assert {"person.created", "appointment.proposed"} <= {e["type"] for e in agent}
    assert all(e["org"] in (None, "MOH") for e in agent), [e for e in agent if e["org"] not in (None, "MOH")]
    assert not any(e.get("target", {}) == {"type": "appointment", "id": str(mof["id"])} for e in agent)
    # The MOF events exist: admin and national HR saw them.
    for who in ("admin", "hr-nat"):
        assert any(e["org"] == "MOF" and e["type"] == "appointment.approved" for e in streams[who])
    # ops: system events only (the backup), never a name.
    assert streams["ops-1"] and {e["topic"] for e in streams["ops-1"]} == {"system"}
    assert any(e["type"] == "system.backup_made" for e in streams["ops-1"])
    # No summary anywhere holds the name or the national id.
    for who, events in streams.items():
        text = json.dumps(events, ensure_ascii=False)
        assert name not in text and "001199001234" not in text, who
    # Whose org: the record's (the appointment), else the org of whoever acted (the person).
    by_target = {(e["target"]["type"], e["target"]["id"]): e for e in streams["admin"] if e["target"]}
    assert by_target[("appointment", str(moh["id"]))]["org"] == "MOH"
    assert by_target[("person", str(mof_person))]["org"] == "MOF"
    assert backup is not None
    for conn in [*conns.values(), *actors.values()]:
        conn.close()


def test_a_principal_disabled_mid_stream_stops_receiving(daemon, world):
    admin, tokens = world
    agent = connect_as(daemon, "agent-moit", tokens["agent-moit"])
    agent.result("events.subscribe", {"topics": ["person"]})
    watcher = daemon.login()
    watcher.result("events.subscribe", {"topics": ["person"]})
    first = admin.result("person.create", {"full_name": "Lê Văn Một"})["person"]["id"]
    assert read_events(agent, 0)[0]["target"]["id"] == str(first)
    read_events(watcher, 0)
    admin.result("principal.disable", {"name": "agent-moit"})
    second = admin.result("person.create", {"full_name": "Lê Văn Hai"})["person"]["id"]
    # The bus did deliver it (to the watcher); the disabled principal got nothing.
    assert read_events(watcher, 0)[0]["target"]["id"] == str(second)
    assert quiet_for(agent, 1.0) == []
    assert agent.call("system.info")["error"]["data"]["reason"] == "unauthenticated"


def test_unknown_topic_and_a_seq_from_the_future_are_invalid_params(daemon):
    conn = daemon.login()
    error = conn.error("events.subscribe", {"topics": ["appointments"]})
    assert error["code"] == INVALID_PARAMS and error["data"]["field"].startswith("topics")
    head = conn.result("events.list", {"limit": 1})["head_seq"]
    error = conn.error("events.subscribe", {"after_seq": head + 1000})
    assert error["code"] == INVALID_PARAMS and error["data"]["field"] == "after_seq"
    assert conn.result("events.unsubscribe") == {"unsubscribed": False}


def test_requests_on_a_subscribed_connection_keep_their_order(daemon):
    conn = daemon.login(timeout=20)
    conn.result("events.subscribe", {"topics": ["person"]})
    other = daemon.login()
    writer = threading.Thread(target=lambda: create_persons(other, 300, "Phạm Song Song", batch=50))
    writer.start()
    # Pipelined pings and writes on the subscribed connection itself: its own writes are events too.
    requests = []
    for i in range(1, 201):
        method, params = ("person.create", {"full_name": f"Đỗ Xen Kẽ {i}"}) if i % 2 else ("system.ping", {})
        requests.append(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}))
    conn.send(("\n".join(requests) + "\n").encode())
    answered, events = [], []
    while len(answered) < 200:
        message = json.loads(conn.read_line())  # every line is one whole JSON value
        if "id" in message:
            assert "result" in message, message
            answered.append(message["id"])
        else:
            events.append(message["params"]["seq"])
    writer.join()
    assert answered == list(range(1, 201))
    while len(events) < 400:  # 300 + 100 persons, all committed: each is delivered, once
        events.append(conn.read_json()["params"]["seq"])
    assert events == sorted(set(events)) and len(events) == 400
    assert conn.result("events.unsubscribe") == {"unsubscribed": True}
    other.result("person.create", {"full_name": "Phạm Sau Khi Hủy"})
    assert quiet_for(conn, 1.0) == []


def test_a_subscriber_that_stops_reading_overflows_then_resumes(make_daemon):
    # The overflow line waits up to stuck_output_timeout_s to be read: longer than the writes take.
    daemon = make_daemon(config={"limits": {"max_event_backlog": 50, "stuck_output_timeout_s": 600}})
    admin = daemon.login(timeout=60)
    head = admin.result("events.list", {"limit": 1})["head_seq"]
    stalled = daemon.login(timeout=20)
    stalled.result("events.subscribe", {"topics": ["person"]})
    create_persons(admin, 2000, "Vũ Tràn Bộ Đệm")
    received, overflow = [], None
    while True:
        try:
            message = stalled.read_json()
        except EOFError:
            break
        if message["method"] == "event":
            assert overflow is None, "an event after event.overflow"
            received.append(message["params"]["seq"])
        else:
            assert message["method"] == "event.overflow"
            overflow = message["params"]
    assert overflow is not None and len(received) < 2000
    assert overflow["last_seq"] == (received[-1] if received else head)
    resumed = daemon.login(timeout=20)
    resumed.result("events.subscribe", {"topics": ["person"], "after_seq": overflow["last_seq"]})
    expected = [e["seq"] for e in visible(admin, {"topics": ["person"]}) if e["seq"] > head]
    received += [e["seq"] for e in read_events(resumed, expected[-1])]
    assert received == expected
    assert "event subscriber overflowed" in daemon.log()


def test_replay_after_a_restart_of_the_daemon(make_daemon):
    daemon = make_daemon()
    admin = daemon.login()
    ids = [admin.result("person.create", {"full_name": f"Hoàng Khởi Động {i}"})["person"]["id"] for i in range(5)]
    before = visible(admin, {"topics": ["person"]})
    admin.close()
    daemon.stop()
    daemon.start()
    conn = daemon.login()
    conn.result("events.subscribe", {"topics": ["person"], "after_seq": 0})
    replayed = read_events(conn, before[-1]["seq"])
    assert replayed == before
    assert [int(e["target"]["id"]) for e in replayed] == ids
    # And live after the replay.
    new = daemon.login().result("person.create", {"full_name": "Hoàng Sau Cùng"})["person"]["id"]
    assert read_events(conn, 0)[0]["target"]["id"] == str(new)


def test_the_python_iterator_resumes_after_the_daemon_restarts(make_daemon):
    daemon = make_daemon()
    client = Client(daemon.socket, principal="admin", secret=daemon.admin_secret, timeout=20)
    head = client.call("events.list", limit=1)["head_seq"]
    got: list[dict] = []

    def follow():
        for event in client.events(after_seq=head, topics=["person"]):
            got.append(event)
            if len(got) == 20:
                return

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    writer = Client(daemon.socket, principal="admin", secret=daemon.admin_secret, timeout=20)
    for i in range(10):
        writer.call("person.create", full_name=f"Đinh Trước {i}")
    deadline = time.monotonic() + 20
    while len(got) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(got) == 10
    daemon.stop()
    daemon.start()
    for i in range(10):
        writer.call("person.create", full_name=f"Đinh Sau {i}")
    follower.join(timeout=30)
    assert not follower.is_alive()
    seqs = [e["seq"] for e in got]
    assert seqs == sorted(set(seqs)) and len(seqs) == 20
    # An event's seq is its cursor in events.list.
    assert seqs == [e["seq"] for e in writer.iterate("events.list", cursor=str(head), topics=["person"])]


def test_talentctl_events(daemon):
    env = {"TALENT_SOCKET": daemon.socket, "TALENT_PRINCIPAL": "admin", "TALENT_SECRET": daemon.admin_secret,
           "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    admin = daemon.login()
    person = admin.result("person.create", {"full_name": "Ngô Dòng Lệnh"})["person"]["id"]
    listed = run([str(TALENTCTL), "events", "--topic", "person", "-o", "json"], env=env)
    assert listed.returncode == 0, listed.stderr
    events = [json.loads(line) for line in listed.stdout.splitlines()]
    assert events and events[-1]["target"] == {"type": "person", "id": str(person)}
    table = run([str(TALENTCTL), "events", "--topic", "person", "--after-seq", str(events[-2]["seq"] if len(events) > 1 else 0)], env=env)
    assert table.returncode == 0 and f"person.created: person {person}" in table.stdout.splitlines()[-1]
    bad = run([str(TALENTCTL), "events", "--topic", "persons"], env=env)
    assert bad.returncode != 0 and "persons" in bad.stderr

    follow = subprocess.Popen([str(TALENTCTL), "events", "--follow", "--topic", "person", "-o", "json"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # let it subscribe: without --after-seq it follows from now on
        new = admin.result("person.create", {"full_name": "Ngô Theo Dõi"})["person"]["id"]
        line = follow.stdout.readline()
        assert json.loads(line)["target"] == {"type": "person", "id": str(new)}
    finally:
        follow.terminate()
        follow.wait(timeout=10)
