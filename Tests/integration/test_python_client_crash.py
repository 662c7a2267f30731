"""The crash test of issue 5: a script submits 2,000 proposals through the Python client while the
daemon is killed with SIGKILL and restarted several times; afterwards exactly 2,000 exist, none twice."""
import sys
import threading
import time

from conftest import REPO

sys.path.insert(0, str(REPO / "Clients/python"))
from talent_client import Client  # noqa: E402

PROPOSALS = 2000
KILLS = 4


def test_2000_proposals_through_repeated_sigkill_exist_exactly_once(make_daemon):
    d = make_daemon(log_level="info")
    admin = d.login()
    person = admin.result("person.create", {"full_name": "Trần Thị Kiến Trúc", "birth_date": "1979-05-14"})["person"]["id"]
    orgs = [o["code"] for o in admin.result("org.list", {"kind": "ministry"})["orgs"]]
    admin.close()
    # Chief architects: one per (org, program), so 2,000 distinct programs never clash.
    calls = [("appointment.propose", {
        "org": orgs[n % len(orgs)], "post": "chief_architect", "program": f"Chương trình chiến lược số {n:04d}",
        "person_id": person, "term_start": "2026-01-01", "equivalent_rank": "department_director",
    }) for n in range(PROPOSALS)]

    # Killed after a quarter, a half... of the answers came in, with more requests in flight, so
    # the kills land mid-run however fast the daemon is; it comes back on the same socket and
    # file 0.2 s later, while the client retries.
    kill_after = {PROPOSALS * (k + 1) // (KILLS + 1) for k in range(KILLS)}
    kills, restarts, results = [], [], []
    with Client(d.socket, max_tries=20, backoff_max=1.0) as client:
        client.login("admin", d.admin_secret)
        for result in client.pipeline(calls, return_exceptions=False):  # automatic idempotency keys
            results.append(result)
            if len(results) in kill_after:
                # Answers already read can reach the next kill before the last restart: kill the
                # restarted daemon, not the dead one (two restarts raced for the database lock).
                if restarts:
                    restarts[-1].join(timeout=30)
                d.kill9()
                kills.append(time.monotonic())
                restarts.append(threading.Timer(0.2, d.start))
                restarts[-1].start()
    for restart in restarts:
        restart.join(timeout=30)
    assert len(kills) == KILLS

    assert len(results) == PROPOSALS
    assert len({r["id"] for r in results}) == PROPOSALS
    assert [r["program"] for r in results] == [c[1]["program"] for c in calls]

    conn = d.login()
    stored, cursor = [], None
    while True:
        page = conn.result("appointment.list", {"post": "chief_architect", "limit": 500, **({"cursor": cursor} if cursor else {})})
        stored += page["appointments"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    programs = [a["program"] for a in stored]
    assert len(stored) == PROPOSALS, f"{len(stored)} proposals stored"
    assert len(set(programs)) == PROPOSALS, "a proposal was stored twice"
    assert {a["id"] for a in stored} == {r["id"] for r in results}
    assert conn.result("audit.verify")["ok"] is True
