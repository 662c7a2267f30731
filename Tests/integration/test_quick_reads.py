"""Quick reads (`org.get`, `person.get`, ...) run on the connection's event loop from its own read
connection. They must keep every guarantee of reads on the worker pool: a principal disabled or a
token revoked takes effect for the very next request whatever is cached, a read sees every write
acknowledged before it was sent, answers come in request order, and refusals are audited."""
from __future__ import annotations

import os
import threading
import time

from conftest import Conn

FORBIDDEN = -32011
UNAUTHENTICATED = -32010


class PipelinedReader(threading.Thread):
    """Keeps `depth` org.get (or other) requests in flight on one connection until told to stop, noting
    when each was sent (before its bytes left) and what answered it."""

    def __init__(self, conn: Conn, depth: int = 16, method: str = "org.get", params=lambda request_id: {"code": "MOHA"}):
        super().__init__(daemon=True)
        self.conn, self.depth, self.method, self.params = conn, depth, method, params
        self.sent: dict[int, float] = {}
        self.answers: dict[int, dict] = {}
        self.order: list[int] = []
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def send(self, request_id: int) -> None:
        self.sent[request_id] = time.monotonic()
        self.conn.send_json({"jsonrpc": "2.0", "id": request_id, "method": self.method, "params": self.params(request_id)})

    def run(self) -> None:
        try:
            next_id = 1
            for _ in range(self.depth):
                self.send(next_id)
                next_id += 1
            while len(self.answers) < len(self.sent):
                answer = self.conn.read_json()
                self.answers[answer["id"]] = answer
                self.order.append(answer["id"])
                if not self.stop.is_set():
                    self.send(next_id)
                    next_id += 1
        except BaseException as error:  # reported by the test
            self.failure = error


def refused_after(reader: PipelinedReader, answered_at: float) -> tuple[int, int]:
    """Checks the reader's answers: in request order, every request sent after `answered_at`
    refused as unauthenticated. Returns (answered before, refused after)."""
    assert reader.failure is None, reader.failure
    assert reader.order == sorted(reader.order)  # in request order on the connection
    before = after = 0
    for request_id, sent_at in reader.sent.items():
        answer = reader.answers[request_id]
        if sent_at > answered_at:
            assert answer.get("error", {}).get("code") == UNAUTHENTICATED, (request_id, answer)
            after += 1
        elif "result" in answer:
            before += 1
    return before, after


def run_until_refused(reader: PipelinedReader, change) -> tuple[int, int]:
    """Lets the reader get going, applies `change` on another connection, notes when its answer
    arrived, keeps reading for a while after it, then checks every answer."""
    reader.start()
    deadline = time.monotonic() + 10
    while len(reader.answers) < 200 and time.monotonic() < deadline:
        time.sleep(0.005)
    change()
    answered_at = time.monotonic()
    time.sleep(0.2)
    reader.stop.set()
    reader.join(timeout=30)
    assert not reader.is_alive()
    return refused_after(reader, answered_at)


def test_a_disabled_principal_is_refused_from_the_next_pipelined_read(make_daemon):
    d = make_daemon()
    admin = d.login()
    admin.result("principal.create", {"name": "pipelining-reader", "kind": "agent", "roles": ["hr_official"]})
    token = admin.result("token.create", {"principal": "pipelining-reader", "label": "test"})["token"]
    reader = PipelinedReader(d.login("pipelining-reader", token))

    def disable() -> None:
        assert admin.result("principal.disable", {"name": "pipelining-reader"})["status"] == "disabled"

    before, after = run_until_refused(reader, disable)
    assert before >= 200 and after >= 1, (before, after)


def test_a_revoked_token_is_refused_from_the_next_pipelined_read(make_daemon):
    d = make_daemon()
    admin = d.login()
    admin.result("principal.create", {"name": "token-reader", "kind": "agent", "roles": ["hr_official"]})
    token = admin.result("token.create", {"principal": "token-reader", "label": "test"})
    reader = PipelinedReader(d.login("token-reader", token["token"]))

    def revoke() -> None:
        assert admin.result("token.revoke", {"id": token["id"]})["id"] == token["id"]

    before, after = run_until_refused(reader, revoke)
    assert before >= 200 and after >= 1, (before, after)


def test_a_quick_read_sees_every_write_acknowledged_before_it(daemon):
    writer, reader = daemon.login(), daemon.login()
    for i in range(50):
        person = writer.result("person.create", {"full_name": f"Lê Văn Mới {i}"})["person"]
        assert reader.result("person.get", {"id": person["id"]})["full_name"] == f"Lê Văn Mới {i}"
        writer.result("person.update", {"id": person["id"], "version": person["version"], "employer": f"Viện {i}"})
        assert reader.result("person.get", {"id": person["id"]})["employer"] == f"Viện {i}"
    writer.close()
    reader.close()


def test_quick_reads_refused_by_role_or_org_are_audited(daemon):
    admin = daemon.login()
    admin.result("principal.create", {"name": "quick-ops", "kind": "human", "roles": ["ops"], "secret": "quick-ops-secret"})
    admin.result("principal.create", {"name": "quick-hr-moh", "kind": "human", "roles": ["hr_official"], "org": "MOH",
                                      "secret": "quick-hr-moh-secret"})
    person = admin.result("person.create", {"full_name": "Phạm Thị Lan"})["person"]
    proposal = admin.result("appointment.propose", {"org": "MOHA", "post": "chief_engineer_sti", "person_id": person["id"],
                                                    "term_start": "2026-01-01", "equivalent_rank": "department_director"})
    ops = daemon.login("quick-ops", "quick-ops-secret")
    hr = daemon.login("quick-hr-moh", "quick-hr-moh-secret")
    for _ in range(3):  # the same on a connection that already answered quick reads
        assert ops.error("person.get", {"id": person["id"]})["code"] == FORBIDDEN
        assert hr.error("appointment.get", {"id": proposal["id"]})["code"] == FORBIDDEN
        assert ops.result("org.get", {"code": "MOHA"})["code"] == "MOHA"
    denied = [e for name in ("quick-ops", "quick-hr-moh")
              for e in admin.every("audit.list", {"principal": name}) if e["outcome"] == "denied"]
    assert sorted({(e["principal"], e["method"]) for e in denied}) == [("quick-hr-moh", "appointment.get"),
                                                                      ("quick-ops", "person.get")]
    assert len(denied) == 6
    for conn in (admin, ops, hr):
        conn.close()


def test_a_peer_session_is_found_by_a_quick_read_first(daemon):
    """A connection's first request being a quick read still looks its peer's uid up (on the pool)."""
    admin = daemon.login()
    admin.result("principal.create", {"name": "quick-peer", "kind": "human", "roles": ["hr_official"]})
    admin.result("principal.bind_uid", {"name": "quick-peer", "uid": os.getuid()})
    conn = daemon.connect()
    assert conn.result("session.whoami")["principal"] == "quick-peer"
    assert conn.result("org.get", {"code": "MOHA"})["code"] == "MOHA"
    admin.result("principal.unbind_uid", {"uid": os.getuid()})
    for c in (admin, conn):
        c.close()
