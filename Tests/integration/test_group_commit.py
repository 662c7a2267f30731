"""Group commit: writes from many connections share commits, each in its own savepoint. A failing
write never undoes the writes committed beside it, every acknowledged write survives kill -9
exactly once, and the audit chain stays whole and in commit order."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time

from conftest import Conn
from test_operations import sample
from test_quick_reads import PipelinedReader, run_until_refused

CONNECTIONS = 8
PER_CONNECTION = 150


def pipeline(conn: Conn, requests: list[tuple[str, dict]]) -> list[dict]:
    """Sends every request before reading any answer, so they queue up for shared commits."""
    for i, (method, params) in enumerate(requests):
        conn.send_json({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
    answers = [conn.read_json() for _ in requests]
    assert [a["id"] for a in answers] == list(range(len(requests)))  # in request order
    return answers


def test_a_failing_write_never_undoes_the_writes_committed_beside_it(make_daemon):
    d = make_daemon()
    admin = d.login()
    taken = admin.result("person.create", {"full_name": "Chủ Sở Hữu", "national_id": "001099000001"})["person"]
    results: dict[int, list[dict]] = {}

    def writer(n: int) -> None:
        conn = d.login()
        requests = []
        for i in range(PER_CONNECTION):
            params = {"full_name": f"Người Thứ {n} {i}", "employer": f"E{n}"}
            if i % 10 == 5:
                params["national_id"] = "001099000001"  # refused: another person holds it
            requests.append(("person.create", params))
        results[n] = pipeline(conn, requests)
        conn.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    created = []
    for n, answers in results.items():
        for i, answer in enumerate(answers):
            if i % 10 == 5:
                assert answer["error"]["data"]["reason"] == "conflict", answer
                assert answer["error"]["data"]["field"] == "national_id"
            else:
                person = answer["result"]["person"]
                assert person["full_name"] == f"Người Thứ {n} {i}"
                created.append(person["id"])
    assert len(created) == len(set(created)) == CONNECTIONS * PER_CONNECTION * 9 // 10
    for person_id in created[::37]:
        assert admin.result("person.get", {"id": person_id})["id"] == person_id
    assert admin.result("audit.verify")["ok"] is True
    admin.close()
    d.stop()
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT count(*) FROM person WHERE full_name LIKE 'Người Thứ %'").fetchone()[0] == len(created)
        # One audit entry per created person, in commit order; none for the refused writes.
        seqs = [row[0] for row in db.execute(
            "SELECT seq FROM audit_entry WHERE method = 'person.create' AND outcome = 'ok' ORDER BY seq")]
        assert len(seqs) == len(created) + 1  # and the owner of the national id
        targets = [int(row[0]) for row in db.execute(
            "SELECT target_id FROM audit_entry WHERE method = 'person.create' ORDER BY seq")]
        assert targets == sorted(targets)  # ids and the chain grow together
    assert taken["id"] in targets


def test_names_written_in_a_shared_commit_are_searchable_as_committed(make_daemon):
    """Names are indexed once per commit (migration 0014): creations, renames within the same
    burst and refused writes beside them must leave the index exactly as the rows are."""
    d = make_daemon()
    admin = d.login()
    taken = admin.result("person.create", {"full_name": "Chủ Thẻ", "national_id": "001099000002"})["person"]
    writer = d.login()
    requests = []
    for i in range(60):
        params = {"full_name": f"Khuất Đình Lượng {i}"}
        if i % 7 == 3:
            params = {"full_name": f"Từ Chối Ghi {i}", "national_id": "001099000002"}  # refused
        requests.append(("person.create", params))
    answers = pipeline(writer, requests)
    created = [a["result"]["person"] for a in answers if "result" in a]
    assert len(created) == 60 - len(range(3, 60, 7))
    # Rename every other one, twice in the same burst: only the last name may be found.
    renames = []
    for person in created[::2]:
        renames.append(("person.update", {"id": person["id"], "version": 1, "full_name": f"Ôn Tạm {person['id']}"}))
        renames.append(("person.update", {"id": person["id"], "version": 2, "full_name": f"Ưng Cuối {person['id']}"}))
    assert all("result" in a for a in pipeline(writer, renames)), "renames refused"

    def found(q: str) -> set[int]:
        ids, cursor = set(), None
        while True:
            page = admin.result("person.search", {"q": q, "limit": 500, **({"cursor": cursor} if cursor else {})})
            ids |= {p["id"] for p in page["persons"]}
            cursor = page.get("next_cursor")
            if not cursor:
                return ids

    renamed = {p["id"] for p in created[::2]}
    assert found("khuat dinh luong") == {p["id"] for p in created} - renamed
    assert found("ung cuoi") == renamed
    assert found("on tam") == set()
    assert found("tu choi ghi") == set()
    assert found("chu the") == {taken["id"]}
    admin.close()
    writer.close()
    d.stop()
    with sqlite3.connect(d.db) as db:
        assert db.execute("SELECT count(*) FROM person_name_pending").fetchone()[0] == 0
        db.execute("INSERT INTO person_name(person_name) VALUES ('integrity-check')")  # raises if index and rows differ


def test_writes_queued_when_shutdown_begins_are_committed_and_answered(make_daemon):
    """PROTOCOL §7: SIGTERM while pipelined writes flow into shared commits. Every write the
    daemon read is answered, in order, before its connection closes; every one answered ok is in
    the database exactly once, and nothing unanswered is; the daemon exits 0."""
    d = make_daemon()
    conns = [d.login(timeout=30) for _ in range(4)]
    for n, conn in enumerate(conns):
        conn.send(b"".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "person.create",
                                       "params": {"full_name": f"Dừng Lại {n} {i}"}}).encode() + b"\n"
                           for i in range(400)))
    first = conns[0].read_json()  # writes are committing: now the signal
    d.proc.send_signal(signal.SIGTERM)
    created, unanswered = {}, 0
    for n, conn in enumerate(conns):
        answers = [first] if n == 0 else []
        while True:
            try:
                answers.append(conn.read_json())
            except (EOFError, ConnectionResetError):
                # A connection closed with requests it never read ends in a reset, not an end of
                # file; the answers sent before it are all read first.
                break
        assert [a["id"] for a in answers] == list(range(len(answers)))  # in order, none skipped
        for a in answers:
            if "result" in a:
                created[a["result"]["person"]["full_name"]] = a["result"]["person"]["id"]
            else:
                assert a["error"]["data"]["reason"] == "unavailable", a
        unanswered += 400 - len(answers)
    assert d.proc.wait(timeout=30) == 0
    assert len(created) > 1
    with sqlite3.connect(d.db) as db:
        stored = dict(db.execute("SELECT full_name, id FROM person WHERE full_name LIKE 'Dừng Lại %'").fetchall())
        audited = db.execute("SELECT count(*) FROM audit_entry WHERE method = 'person.create'").fetchone()[0]
    # Answered ok: stored, once. Unanswered or unavailable: not stored (the connection was not
    # read further, or the request reached the workers after shutdown began).
    assert stored == created, (len(stored), len(created), unanswered)
    assert audited == len(created)


def test_every_acknowledged_group_committed_write_survives_kill_9_exactly_once(make_daemon):
    d = make_daemon()
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        i = 0
        try:
            conn = d.login()
            while not stop.is_set():
                batch = [("person.create", {"full_name": f"Bền Vững {n} {i + k}"}) for k in range(8)]
                for k, answer in enumerate(pipeline(conn, batch)):
                    assert "result" in answer, answer
                    with lock:
                        acknowledged.append(f"Bền Vững {n} {i + k}")
                i += 8
        except (EOFError, ConnectionError, OSError):
            pass  # the daemon was killed: what was answered before counts

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(CONNECTIONS)]
    for t in threads:
        t.start()
    while True:
        with lock:
            if len(acknowledged) >= 400:
                break
        threading.Event().wait(0.05)
    d.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    with lock:
        names = list(acknowledged)
    d.start()
    admin = d.login()
    assert admin.result("audit.verify")["ok"] is True
    admin.close()
    d.stop()
    with sqlite3.connect(d.db) as db:
        stored = dict(db.execute(
            "SELECT full_name, count(*) FROM person WHERE full_name LIKE 'Bền Vững %' GROUP BY full_name").fetchall())
    assert all(stored.get(name) == 1 for name in names), [n for n in names if stored.get(n) != 1][:5]
    assert all(count == 1 for count in stored.values())
    # Each stored person has its audit entry and its event, inserted at the end of the shared
    # commit: none without the other, and nothing for a person that was not stored.
    with sqlite3.connect(d.db) as db:
        persons = {str(i) for (i,) in db.execute("SELECT id FROM person WHERE full_name LIKE 'Bền Vững %'")}
        entries = [t for (t,) in db.execute("SELECT target_id FROM audit_entry WHERE method = 'person.create'")]
        events = [t for (t,) in db.execute("SELECT target_id FROM event WHERE type = 'person.created'")]
        linked = db.execute("SELECT count(*) FROM event LEFT JOIN audit_entry USING (seq) WHERE audit_entry.seq IS NULL").fetchone()[0]
    assert sorted(entries) == sorted(persons)
    assert sorted(events) == sorted(persons)
    assert linked == 0


def writes_and_commits(conn: Conn) -> tuple[float, float]:
    """Writes committed and commits made so far, from the daemon's metrics."""
    text = conn.result("system.metrics")["text"]
    return sample(text, "talentd_writes_per_commit_sum"), sample(text, "talentd_writes_per_commit_count")


def test_one_connections_pipelined_writes_share_commits_and_keep_their_order(make_daemon):
    d = make_daemon()
    admin = d.login()
    conn = d.login()
    writes_before, commits_before = writes_and_commits(admin)
    requests: list[tuple[str, dict]] = []
    kinds: list[str] = []
    for i in range(200):
        kind, params = "create", {"full_name": f"Thứ Tự {i}"}
        if i % 20 == 3:
            params["national_id"] = f"0010990{i:05d}"
        elif i % 20 == 4:
            kind, params["national_id"] = "conflict", f"0010990{i - 1:05d}"  # the one sent just before holds it
        elif i % 20 == 7:
            params["idempotency_key"] = f"key-{i}"
        elif i % 20 == 8:
            kind, params = "replay", {"full_name": f"Thứ Tự {i - 1}", "idempotency_key": f"key-{i - 1}"}
        requests.append(("person.create", params))
        kinds.append(kind)
        if i % 50 == 49:
            requests.append(("person.search", {"q": "Thu Tu", "limit": 200}))  # a read behind writes
            kinds.append("search")
    answers = pipeline(conn, requests)
    ids: list[int] = []
    for kind, answer in zip(kinds, answers):
        if kind == "search":
            assert len(answer["result"]["persons"]) == len(ids), answer  # sees every write before it
        elif kind == "conflict":
            assert answer["error"]["data"]["reason"] == "conflict", answer
        elif kind == "replay":
            assert answer["result"]["person"]["id"] == ids[-1], answer
        else:
            ids.append(answer["result"]["person"]["id"])
    assert ids == sorted(ids) and len(set(ids)) == 180  # committed in request order
    writes_after, commits_after = writes_and_commits(admin)
    writes, commits = writes_after - writes_before, commits_after - commits_before
    assert writes >= 200
    assert commits <= writes / 4, (writes, commits)  # one connection's pipelined writes shared commits
    assert admin.result("audit.verify")["ok"] is True


def test_a_disabled_principal_is_refused_from_the_next_pipelined_write(make_daemon):
    d = make_daemon()
    admin = d.login()
    admin.result("principal.create", {"name": "pipelining-writer", "kind": "agent", "roles": ["ministry_agent"], "org": "MOH"})
    token = admin.result("token.create", {"principal": "pipelining-writer", "label": "test"})["token"]
    writer = PipelinedReader(d.login("pipelining-writer", token), method="person.create",
                             params=lambda request_id: {"full_name": f"Ghi Liên Tục {request_id}"})

    def disable() -> None:
        assert admin.result("principal.disable", {"name": "pipelining-writer"})["status"] == "disabled"

    before, after = run_until_refused(writer, disable)
    assert before >= 200 and after >= 1, (before, after)
    created = {p["full_name"] for p in admin.every("person.search", {"q": "Ghi Lien Tuc"}, limit=200)}
    answered = {f"Ghi Liên Tục {i}" for i, a in writer.answers.items() if "result" in a}
    assert created == answered  # nothing refused was written, nothing answered was lost


def test_the_wal_is_checkpointed_into_the_database_file_while_writes_go_on(make_daemon):
    d = make_daemon()
    conn = d.login()
    size_before = os.path.getsize(d.db)
    for n in range(10):
        pipeline(conn, [("person.create", {"full_name": f"Kiểm Điểm {n} {i}"}) for i in range(300)])
    # The writer's own checkpoint waits for 16,384 WAL pages (64 MiB), far more than these writes
    # make: the database file grows only if checkpoints run beside them.
    deadline = time.monotonic() + 10
    while os.path.getsize(d.db) <= size_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.getsize(d.db) > size_before
    assert os.path.getsize(d.db + "-wal") < 64 << 20
    conn.close()
