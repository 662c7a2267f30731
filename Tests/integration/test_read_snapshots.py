"""Quick reads on an event loop share one read transaction (one snapshot) until something commits
or the loop finishes its round of work. Sharing must never show a read an older state than a
fresh transaction would: every write acknowledged before a read was sent is in its answer. And a
snapshot must not outlive the round: an idle event loop that held one would keep checkpoints from
resetting the WAL, which would then grow with every write."""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time

from conftest import Conn


class BurstReader(threading.Thread):
    """Sends person.get requests in bursts of `burst` lines until told to stop, reading every
    answer: an event loop then spends long rounds on its bursts, the rounds a snapshot lasts."""

    def __init__(self, conn: Conn, person_id: int, burst: int = 100):
        super().__init__(daemon=True)
        request = {"jsonrpc": "2.0", "id": 0, "method": "person.get", "params": {"id": person_id}}
        self.conn, self.lines, self.burst = conn, (json.dumps(request) + "\n").encode() * burst, burst
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.conn.send(self.lines)
                for _ in range(self.burst):
                    assert "result" in self.conn.read_json()
        except BaseException as error:  # reported by the test
            self.failure = error


class VersionReader(threading.Thread):
    """Reads the answers to the person.get requests the test sends on `conn`, in order."""

    def __init__(self, conn: Conn, count: int):
        super().__init__(daemon=True)
        self.conn, self.count = conn, count
        self.versions: list[int] = []
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            for _ in range(self.count):
                answer = self.conn.read_json()
                assert "result" in answer, answer
                self.versions.append(answer["result"]["version"])
        except BaseException as error:  # reported by the test
            self.failure = error


def test_a_quick_read_sent_after_a_write_was_acknowledged_sees_it_whatever_the_loop_is_doing(make_daemon):
    d = make_daemon()
    writer = d.login()
    person = writer.result("person.create", {"full_name": "Đỗ Thị Hằng"})["person"]
    # Connections are spread over the event loops in turn: bursts on every loop keep its rounds
    # long, and the checked reads land on every loop, among the bursts.
    bursts = [BurstReader(d.login(), person["id"]) for _ in range(4)]
    checked = [d.login() for _ in range(4)]
    writes = 100
    readers = [VersionReader(conn, writes) for conn in checked]
    for thread in bursts + readers:
        thread.start()
    expected = []
    version = person["version"]
    request = {"jsonrpc": "2.0", "id": 0, "method": "person.get", "params": {"id": person["id"]}}
    for i in range(writes):
        version = writer.result("person.update", {"id": person["id"], "version": version, "employer": f"Viện {i}"})["person"]["version"]
        expected.append(version)
        for conn in checked:  # sent once the write's answer has arrived
            conn.send_json(request)
    for thread in readers:
        thread.join(timeout=60)
        assert not thread.is_alive() and thread.failure is None, thread.failure
        stale = [(seen, wanted) for seen, wanted in zip(thread.versions, expected) if seen < wanted]
        assert stale == [], stale[:5]
    for thread in bursts:
        thread.stop.set()
    for thread in bursts:
        thread.join(timeout=60)
        assert not thread.is_alive() and thread.failure is None, thread.failure
    for conn in [writer] + checked + [t.conn for t in bursts]:
        conn.close()


def truncate_wal(db: str) -> tuple[int, int, int]:
    """Checkpoints the whole WAL and empties it, from a connection of this process, waiting up to
    2 s for readers: (busy, frames in the WAL, frames checkpointed)."""
    # The daemon's own checkpointer may be running one: SQLite then answers busy at once, without
    # waiting, so try again for a while.
    deadline = time.monotonic() + 5
    with sqlite3.connect(db, timeout=2) as conn:
        while True:
            result = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if result[0] == 0 or time.monotonic() > deadline:
                return result
            time.sleep(0.02)


def test_event_loops_hold_no_snapshot_once_quick_reads_stop(make_daemon):
    d = make_daemon()
    writer = d.login()
    person = writer.result("person.create", {"full_name": "Vũ Văn Nam"})["person"]
    # Pipelined quick reads on several connections (every event loop), then none.
    readers = [d.login() for _ in range(4)]
    for conn in readers:
        for i in range(32):
            conn.send_json({"jsonrpc": "2.0", "id": i, "method": "person.get", "params": {"id": person["id"]}})
    for conn in readers:
        for _ in range(32):
            assert "result" in conn.read_json()
    # Enough writes to fill several checkpoints' worth of WAL (the daemon checkpoints every 1,000
    # new pages): a checkpoint can copy them all only if no reader still holds a snapshot from
    # before them. (The WAL's size says little: under steady writes it restarts only when a
    # checkpoint has caught up just as a write begins, so it may grow up to the writer's backstop.)
    wal = d.db + "-wal"
    version = person["version"]
    for i in range(600):
        version = writer.result("person.update", {"id": person["id"], "version": version, "employer": f"Viện {i}"})["person"]["version"]
    assert os.path.getsize(wal) < 64 * 1024 * 1024, os.path.getsize(wal)
    # Busy for the whole wait when an event loop kept its snapshot.
    busy, frames, checkpointed = truncate_wal(d.db)
    assert busy == 0 and frames == checkpointed, (busy, frames, checkpointed)
    assert os.path.getsize(wal) == 0
    # The readers still read, and see the last write.
    for conn in readers:
        assert conn.result("person.get", {"id": person["id"]})["version"] == version
    for conn in [writer] + readers:
        conn.close()
