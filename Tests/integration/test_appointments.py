"""Chief-engineer appointments over the real socket: lifecycle, the database-enforced invariants,
races between connections, four-eyes, org scoping, point-in-time queries, derived status, talentctl."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import sqlite3
import threading
from datetime import date, datetime, timedelta, timezone

import pytest

from conftest import TALENTCTL, run

INVALID_PARAMS = -32602
NOT_FOUND = -32004
CONFLICT = -32005
INVALID_STATE = -32006
FORBIDDEN = -32011

_names = itertools.count(1)


def today() -> date:
    """Today in Vietnam (UTC+7), as the daemon counts it."""
    return (datetime.now(timezone.utc) + timedelta(hours=7)).date()


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def person(conn, name: str | None = None) -> int:
    name = name or f"Nguyễn Văn Thử {next(_names)}"
    return conn.result("person.create", {"full_name": name})["person"]["id"]


def principal(admin, name, roles, org=None) -> str:
    """Creates a principal with an API token; returns the token (logins cost no Argon2)."""
    params = {"name": name, "kind": "human", "roles": roles}
    if org:
        params["org"] = org
    admin.result("principal.create", params)
    return admin.result("token.create", {"principal": name, "label": "test"})["token"]


def propose(conn, org, post="chief_engineer_sti", person_id=None, start=None, end=None, rank=None, **extra):
    params = {"post": post, "person_id": person_id, "term_start": start or day(-30),
              "equivalent_rank": rank or "director_general", **extra}
    if org is not None:
        params["org"] = org
    if end:
        params["term_end"] = end
    return conn.call("appointment.propose", params)


@pytest.fixture(scope="module")
def world(daemon):
    """The admin, two national HR officials, MOHA's HR official and script, MOF's HR official, an ops user."""
    admin = daemon.login()
    conns = {"admin": admin}
    for name, roles, org in [("hr-nat", ["hr_official"], None), ("hr-nat2", ["hr_official"], None),
                             ("hr-moha", ["hr_official"], "MOHA"), ("agent-moha", ["ministry_agent"], "MOHA"),
                             ("hr-mof", ["hr_official"], "MOF"), ("ops-1", ["ops"], None),
                             ("auditor-1", ["auditor"], None)]:
        token = principal(admin, name, roles, org)
        conn = daemon.connect()
        conn.login(name, token)
        conns[name] = conn
    return conns


def approve(conn, appointment_id):
    return conn.result("appointment.approve", {"id": appointment_id})


def test_lifecycle_propose_approve_end(world):
    admin, hr_moha, hr_nat = world["admin"], world["hr-moha"], world["hr-nat"]
    pid = person(admin, "Trần Thị Lan")
    # An org-bound HR official proposes for its own org; org may be omitted.
    proposed = hr_moha.result("appointment.propose", {
        "post": "chief_engineer_sti", "person_id": pid, "term_start": day(-10), "term_end": day(700),
        "equivalent_rank": "director_general", "decision_ref": "123/QĐ-BNV"})
    assert proposed["org"] == "MOHA" and proposed["status"] == "proposed" and proposed["proposed_by"] == "hr-moha"
    assert proposed["person_name"] == "Trần Thị Lan" and proposed["decision_ref"] == "123/QĐ-BNV"
    assert "approved_by" not in proposed and "end_date" not in proposed and "program" not in proposed
    aid = proposed["id"]

    approved = approve(hr_nat, aid)
    assert approved["status"] == "active" and approved["approved_by"] == "hr-nat" and approved["approved_at"]
    assert hr_moha.result("appointment.get", {"id": aid}) == approved

    # Ending with a last day in the future: still active until then.
    ended = hr_moha.result("appointment.end", {"id": aid, "end_date": day(5), "reason": "Chuyển công tác"})
    assert ended["status"] == "active" and ended["end_date"] == day(5) and ended["end_reason"] == "Chuyển công tác"
    at = lambda d: [a["id"] for a in admin.result("appointment.list", {"org": "MOHA", "at": d})["appointments"]]
    assert aid in at(day(5)) and aid not in at(day(6)) and aid in at(day(-10)) and aid not in at(day(-11))
    error = hr_moha.error("appointment.end", {"id": aid, "end_date": day(3), "reason": "again"})
    assert error["code"] == INVALID_STATE and error["data"]["status"] == "active" and "already ended" in error["message"]

    # The post is free again from the day after end_date.
    successor = propose(hr_moha, None, person_id=person(admin), start=day(6))
    assert "result" in successor, successor
    clash = propose(hr_moha, None, person_id=person(admin), start=day(5))["error"]
    assert clash["code"] == CONFLICT and clash["data"]["appointment_id"] == aid

    # Rejection.
    rejected = hr_nat.result("appointment.reject", {"id": successor["result"]["id"], "reason": "Thiếu hồ sơ"})
    assert rejected["status"] == "rejected" and rejected["rejected_by"] == "hr-nat" and rejected["rejection_reason"] == "Thiếu hồ sơ"

    # Every change is in the audit trail, with the appointment as target.
    entries = admin.result("audit.list", {"method": "appointment.end"})["entries"]
    assert any(e["target"] == {"type": "appointment", "id": str(aid)} for e in entries), entries


def test_a_proposal_answers_the_record_as_stored(world):
    # propose answers the row it inserted without reading it back: it must be what get reads.
    admin, hr_nat = world["admin"], world["hr-nat"]
    pid = person(admin, "Đặng Thị Ánh Tuyết")
    full = hr_nat.result("appointment.propose", {
        "org": "MOF", "post": "chief_architect", "program": "Chương trình Bán dẫn 2030", "person_id": pid,
        "term_start": day(-3), "term_end": day(900), "equivalent_rank": "deputy_director_general",
        "decision_ref": "45/QĐ-BTC", "salary_coefficient": "6.50"})
    assert full["person_name"] == "Đặng Thị Ánh Tuyết" and full["program"] == "Chương trình Bán dẫn 2030"
    assert hr_nat.result("appointment.get", {"id": full["id"]}) == full
    bare = propose(hr_nat, "MOF", person_id=person(admin), start=day(2))["result"]
    assert "term_end" not in bare and "decision_ref" not in bare and "salary_coefficient" not in bare
    assert bare["status"] == "proposed" and hr_nat.result("appointment.get", {"id": bare["id"]}) == bare


def test_approval_of_a_future_term_reads_approved(world):
    admin = world["admin"]
    aid = propose(admin, "MOJ", "chief_engineer_ops", person(admin), start=day(30))["result"]["id"]
    assert approve(world["hr-nat"], aid)["status"] == "approved"


def test_one_holder_per_post_and_org(world):
    admin = world["admin"]
    first = propose(admin, "MOIT", person_id=person(admin), start=day(-100), end=day(100))["result"]
    error = propose(admin, "MOIT", person_id=person(admin), start=day(50))["error"]
    assert error["code"] == CONFLICT and error["data"]["reason"] == "conflict"
    assert error["data"]["appointment_id"] == first["id"] and error["data"]["clash"] == "post"
    assert f"appointment {first['id']}" in error["message"] and "MOIT already has a chief_engineer_sti" in error["message"]
    # term_end is the last day in office: a successor may start the day after, not on it.
    assert propose(admin, "MOIT", person_id=person(admin), start=day(100))["error"]["data"]["appointment_id"] == first["id"]
    assert "result" in propose(admin, "MOIT", person_id=person(admin), start=day(101))
    # The other chief-engineer post of the same org is a different slot.
    assert "result" in propose(admin, "MOIT", "chief_engineer_ops", person(admin), start=day(-100))
    # An open-ended term blocks every later start.
    open_ended = propose(admin, "MOC", person_id=person(admin), start=day(-5))["result"]
    assert propose(admin, "MOC", person_id=person(admin), start="2099-01-01")["error"]["data"]["appointment_id"] == open_ended["id"]


def test_one_chief_architect_per_program(world):
    admin = world["admin"]
    first = propose(admin, "MOST", "chief_architect", person(admin), program="Nền tảng dữ liệu quốc gia")["result"]
    assert first["program"] == "Nền tảng dữ liệu quốc gia"
    error = propose(admin, "MOST", "chief_architect", person(admin), program="Nền tảng dữ liệu quốc gia")["error"]
    assert error["code"] == CONFLICT and error["data"]["appointment_id"] == first["id"] and error["data"]["clash"] == "program"
    # Another program of the same org, or the same program name in another org: no clash.
    assert "result" in propose(admin, "MOST", "chief_architect", person(admin), program="Chính phủ số")
    assert "result" in propose(admin, "MOF", "chief_architect", person(admin), program="Nền tảng dữ liệu quốc gia")
    # A chief architect may also be a chief engineer (the one-post rule is for chief engineers).
    both = person(admin)
    assert "result" in propose(admin, "MOET", "chief_architect", both, program="Học liệu số")
    assert "result" in propose(admin, "MOET", "chief_engineer_sti", both)


def test_a_person_holds_one_chief_engineer_post(world):
    admin = world["admin"]
    pid = person(admin, "Đặng Văn Đức")
    first = propose(admin, "MOH", "chief_engineer_sti", pid, start=day(-10), end=day(300))["result"]
    error = propose(admin, "MAE", "chief_engineer_ops", pid, start=day(200))["error"]
    assert error["code"] == CONFLICT and error["data"]["appointment_id"] == first["id"] and error["data"]["clash"] == "person"
    assert "Đặng Văn Đức already holds chief_engineer_sti of MOH" in error["message"]
    assert propose(admin, "MOH", "chief_engineer_ops", pid)["error"]["data"]["appointment_id"] == first["id"]
    # After the term, the same person may take another post.
    assert "result" in propose(admin, "MAE", "chief_engineer_ops", pid, start=day(301))


def test_rejected_appointments_never_clash(world):
    admin = world["admin"]
    pid = person(admin)
    first = propose(admin, "MOCST", person_id=pid)["result"]
    world["hr-nat"].result("appointment.reject", {"id": first["id"], "reason": "Không đạt"})
    again = propose(admin, "MOCST", person_id=pid)
    assert "result" in again, again


@pytest.mark.parametrize("params, field, words", [
    ({"term_end": "DAY-40"}, "term_end", "must be after term_start"),
    ({"term_end": "DAY-30"}, "term_end", "must be after term_start"),
    ({"post": "chief_architect"}, "program", "program is required for chief_architect"),
    ({"program": "Chính phủ số"}, "program", "program is only for chief_architect"),
    ({"equivalent_rank": "provincial_vice_chairman"}, "equivalent_rank", "takes a central rank"),
    ({"org": "HA-NOI"}, "equivalent_rank", "takes a provincial rank"),
    ({"org": "NOPE"}, "org", "no organization with code"),
    ({"person_id": 987654321}, "person_id", "no person with id 987654321"),
    ({"post": "chief_engineer"}, "post", None),
    ({"equivalent_rank": "minister"}, "equivalent_rank", None),
    ({"term_start": "2025-02-29"}, "term_start", None),
])
def test_invalid_proposals_name_the_field(world, params, field, words):
    admin = world["admin"]
    base = {"org": "MOFA", "post": "chief_engineer_sti", "person_id": person(admin), "term_start": day(-30),
            "equivalent_rank": "director_general"}
    base.update({k: (day(int(v[3:])) if isinstance(v, str) and v.startswith("DAY") else v) for k, v in params.items()})
    error = admin.error("appointment.propose", base)
    assert error["code"] == INVALID_PARAMS and error["data"]["field"] == field, error
    if words:
        assert words in error["message"], error


def test_provincial_ranks_for_provinces(world):
    admin = world["admin"]
    created = propose(admin, "HA-NOI", person_id=person(admin), rank="provincial_department_director")
    assert created["result"]["equivalent_rank"] == "provincial_department_director"


def test_national_principal_must_name_the_org(world):
    error = propose(world["hr-nat"], None, person_id=person(world["admin"]))["error"]
    assert error["code"] == INVALID_PARAMS and error["data"]["field"] == "org"


def test_two_concurrent_proposals_for_one_post_exactly_one_wins(daemon, world):
    admin = world["admin"]
    token = principal(admin, "racer", ["hr_official"])
    orgs = ["LAI-CHAU", "DIEN-BIEN", "SON-LA", "LANG-SON", "QUANG-NINH", "THANH-HOA", "NGHE-AN", "HA-TINH", "CAO-BANG", "TUYEN-QUANG"]
    for round_number, org in enumerate(orgs):
        people = [person(admin), person(admin)]
        conns = []
        for _ in range(2):
            conn = daemon.connect()
            conn.login("racer", token)
            conns.append(conn)
        barrier = threading.Barrier(2)
        answers = [None, None]

        def race(i):
            barrier.wait()
            answers[i] = propose(conns[i], org, "chief_engineer_ops", people[i], start="2040-01-01",
                                 rank="provincial_department_director")

        threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        winners = [a for a in answers if "result" in a]
        losers = [a for a in answers if "error" in a]
        assert len(winners) == 1 and len(losers) == 1, (round_number, answers)
        assert losers[0]["error"]["code"] == CONFLICT
        assert losers[0]["error"]["data"]["appointment_id"] == winners[0]["result"]["id"]
        for conn in conns:
            conn.close()
        held = admin.result("appointment.list", {"org": org, "post": "chief_engineer_ops", "status": "proposed"})
        assert [a["id"] for a in held["appointments"] if a["term_start"] == "2040-01-01"] == [winners[0]["result"]["id"]]


def test_four_eyes(world):
    admin, hr_nat, hr_nat2, hr_moha = world["admin"], world["hr-nat"], world["hr-nat2"], world["hr-moha"]
    aid = propose(hr_nat, "MOCST", "chief_engineer_ops", person(admin), rank="department_director")["result"]["id"]
    error = hr_nat.error("appointment.approve", {"id": aid})
    assert error["code"] == FORBIDDEN and "four-eyes" in error["message"] and "hr-nat proposed" in error["message"]
    # An HR official bound to an org cannot approve at all, even its own org's appointments.
    moha = propose(hr_moha, None, "chief_engineer_ops", person(admin), rank="department_director")["result"]["id"]
    assert hr_moha.error("appointment.approve", {"id": moha})["code"] == FORBIDDEN
    assert hr_moha.error("appointment.approve", {"id": aid})["code"] == FORBIDDEN
    assert world["agent-moha"].error("appointment.approve", {"id": moha})["code"] == FORBIDDEN
    # The same principal cannot approve its own proposal, admin included.
    mine = propose(admin, "MOD", "chief_engineer_ops", person(admin), rank="department_director")["result"]["id"]
    assert admin.error("appointment.approve", {"id": mine})["code"] == FORBIDDEN
    # A different national HR official can.
    assert approve(hr_nat2, aid)["approved_by"] == "hr-nat2"
    assert approve(hr_nat, moha)["approved_by"] == "hr-nat"
    assert approve(hr_nat, mine)["approved_by"] == "hr-nat"


def test_org_scoping(world):
    admin, hr_moha, agent, hr_mof = world["admin"], world["hr-moha"], world["agent-moha"], world["hr-mof"]
    mof = propose(hr_mof, None, "chief_engineer_ops", person(admin), start=day(-3), rank="department_director")["result"]
    assert mof["org"] == "MOF"
    for conn in (hr_moha, agent):
        assert propose(conn, "MOF", "chief_engineer_ops", person(admin))["error"]["code"] == FORBIDDEN
        assert conn.error("appointment.list", {"org": "MOF"})["code"] == FORBIDDEN
        assert conn.error("appointment.get", {"id": mof["id"]})["code"] == FORBIDDEN
    assert hr_moha.error("appointment.end", {"id": mof["id"], "end_date": day(1), "reason": "x"})["code"] == FORBIDDEN
    # A ministry agent proposes for its org; lists without org show only its org.
    mine = propose(agent, None, "chief_architect", person(admin), program="Chuyển đổi số ngành Nội vụ")["result"]
    assert mine["org"] == "MOHA" and mine["proposed_by"] == "agent-moha"
    for conn in (hr_moha, agent):
        listed = conn.result("appointment.list", {"limit": 500})["appointments"]
        assert listed and {a["org"] for a in listed} == {"MOHA"}
    assert hr_moha.result("appointment.get", {"id": mine["id"]})["id"] == mine["id"]
    # National readers see every org; ops reads no appointments at all.
    assert {"MOHA", "MOF"} <= {a["org"] for a in world["auditor-1"].result("appointment.list", {"limit": 500})["appointments"]}
    assert world["ops-1"].error("appointment.list", {})["code"] == FORBIDDEN
    assert world["auditor-1"].error("appointment.propose", {"org": "MOF", "post": "chief_engineer_ops", "person_id": 1,
                                                             "term_start": day(1), "equivalent_rank": "department_director"})["code"] == FORBIDDEN


@pytest.fixture(scope="module")
def history(world):
    """MOST's chief_engineer_ops over time: a past term, the current one, a future one, and a pending proposal."""
    admin, hr_nat = world["admin"], world["hr-nat"]
    ids = {}
    for key, start, end in [("past", day(-400), day(-200)), ("current", day(-199), day(100)), ("future", day(101), day(500))]:
        ids[key] = propose(admin, "MOST", "chief_engineer_ops", person(admin), start=start, end=end, rank="department_director")["result"]["id"]
        approve(hr_nat, ids[key])
    ids["pending"] = propose(admin, "MOST", "chief_engineer_ops", person(admin), start="2060-01-01", rank="department_director")["result"]["id"]
    return ids


def test_point_in_time_queries(world, history):
    admin = world["admin"]

    def holders(at):
        return [a["id"] for a in admin.result("appointment.list", {"org": "MOST", "post": "chief_engineer_ops", "at": at})["appointments"]]

    assert holders(day(-401)) == []
    assert holders(day(-400)) == [history["past"]]
    assert holders(day(-200)) == [history["past"]]
    assert holders(day(-199)) == [history["current"]]
    assert holders(day(0)) == [history["current"]]
    assert holders(day(100)) == [history["current"]]
    assert holders(day(101)) == [history["future"]]
    assert holders(day(500)) == [history["future"]] and holders(day(501)) == []
    assert holders("2060-06-01") == []  # a pending proposal holds nothing


def test_a_list_at_a_date_gives_each_status_on_that_date(world, history):
    admin = world["admin"]

    def status_at(at):
        listed = admin.result("appointment.list", {"org": "MOST", "post": "chief_engineer_ops", "at": at})["appointments"]
        return {a["id"]: a["status"] for a in listed}

    # The past term (ended today) was active while it ran; the future one is active once it starts.
    assert status_at(day(-300)) == {history["past"]: "active"}
    assert status_at(day(300)) == {history["future"]: "active"}
    assert status_at(day(0)) == {history["current"]: "active"}


def test_status_is_derived_from_the_dates(world, history):
    admin = world["admin"]
    statuses = {a["id"]: a["status"] for a in admin.result("appointment.list", {"org": "MOST", "post": "chief_engineer_ops"})["appointments"]}
    assert statuses == {history["past"]: "ended", history["current"]: "active", history["future"]: "approved", history["pending"]: "proposed"}
    for status, key in [("ended", "past"), ("active", "current"), ("approved", "future"), ("proposed", "pending")]:
        listed = admin.result("appointment.list", {"org": "MOST", "post": "chief_engineer_ops", "status": status})["appointments"]
        assert [a["id"] for a in listed] == [history[key]], status
        assert admin.result("appointment.get", {"id": history[key]})["status"] == status
    assert admin.result("appointment.list", {"org": "MOST", "post": "chief_engineer_ops", "status": "rejected"})["appointments"] == []


def test_invalid_state_transitions(world, history):
    admin, hr_nat = world["admin"], world["hr-nat"]
    for method in ("appointment.approve", "appointment.reject"):
        params = {"id": history["current"], **({"reason": "x"} if method.endswith("reject") else {})}
        error = hr_nat.error(method, params)
        assert error["code"] == INVALID_STATE and "is active; only a proposed appointment" in error["message"], error
    error = hr_nat.error("appointment.approve", {"id": history["past"]})
    assert error["code"] == INVALID_STATE and error["data"]["status"] == "ended"
    error = admin.error("appointment.end", {"id": history["past"], "end_date": day(-300), "reason": "x"})
    assert error["code"] == INVALID_STATE and "its term ended on " + day(-200) in error["message"]
    error = admin.error("appointment.end", {"id": history["pending"], "end_date": "2060-02-01", "reason": "x"})
    assert error["code"] == INVALID_STATE and error["data"]["status"] == "proposed"
    rejected = propose(admin, "MOST", "chief_engineer_sti", person(admin), start="2061-01-01")["result"]["id"]
    hr_nat.result("appointment.reject", {"id": rejected, "reason": "Không đạt"})
    assert hr_nat.error("appointment.approve", {"id": rejected})["data"]["status"] == "rejected"
    assert admin.error("appointment.end", {"id": rejected, "end_date": "2061-02-01", "reason": "x"})["code"] == INVALID_STATE
    # end_date must lie within the term.
    for bad in (day(-200), day(101)):
        error = admin.error("appointment.end", {"id": history["current"], "end_date": bad, "reason": "x"})
        assert error["code"] == INVALID_PARAMS and error["data"]["field"] == "end_date", error
    assert admin.error("appointment.get", {"id": 99999999})["code"] == NOT_FOUND
    assert hr_nat.error("appointment.approve", {"id": 99999999})["code"] == NOT_FOUND


def test_pagination_is_stable_and_complete(world):
    admin = world["admin"]
    everything = admin.result("appointment.list", {"limit": 500})["appointments"]
    pages, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = admin.result("appointment.list", params)
        pages += page["appointments"]
        assert len(page["appointments"]) <= 3
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert [a["id"] for a in pages] == [a["id"] for a in everything] == sorted(a["id"] for a in everything)
    assert admin.error("appointment.list", {"limit": 501})["data"]["field"] == "limit"


def test_the_database_itself_refuses_clashes(make_daemon):
    d = make_daemon()
    conn = d.login()
    pid, other = person(conn), person(conn)
    first = propose(conn, "MOHA", person_id=pid, start="2025-01-01", end="2027-12-31")["result"]
    conn.close()
    assert d.stop() == 0
    db = sqlite3.connect(d.db)
    db.execute("PRAGMA foreign_keys = ON")
    row = ("MOHA", "chief_engineer_sti", other, "2026-06-01", None, "director_general", "proposed", "sqlite3", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z")
    insert = """INSERT INTO appointment(org, post, person_id, term_start, term_end, equivalent_rank, state, proposed_by, proposed_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
    with pytest.raises(sqlite3.IntegrityError, match="^appointment_clash:post$"):
        db.execute(insert, row)
    with pytest.raises(sqlite3.IntegrityError, match="^appointment_clash:person$"):
        db.execute(insert, ("MOF",) + row[1:2] + (pid,) + row[3:])
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed: term_end"):
        db.execute(insert, ("MOF", "chief_engineer_sti", other, "2026-06-01", "2026-06-01") + row[5:])
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed: program"):
        db.execute(insert, ("MOF", "chief_architect", other, "2026-06-01", None) + row[5:])
    # Reviving a rejected clashing row by UPDATE is refused as well.
    db.execute(insert, ("MOHA", "chief_engineer_sti", other, "2026-06-01", None, "director_general", "rejected") + row[7:])
    with pytest.raises(sqlite3.IntegrityError, match="^appointment_clash:post$"):
        db.execute("UPDATE appointment SET state = 'approved' WHERE state = 'rejected'")
    # A row that clashes with nothing is accepted: the triggers are not blanket refusals.
    db.execute(insert, ("MOHA", "chief_engineer_sti", other, "2028-01-01") + row[4:])
    db.commit()
    db.close()
    d.start()
    conn = d.login()
    listed = conn.result("appointment.list", {"org": "MOHA"})["appointments"]
    assert [(a["id"], a["status"]) for a in listed][0] == (first["id"], "proposed") and len(listed) == 3
    conn.close()


def ctl(d, *args, principal="admin", secret=None):
    env = {**os.environ, "TALENT_SOCKET": d.socket, "TALENT_PRINCIPAL": principal, "TALENT_SECRET": secret or d.admin_secret}
    env.pop("TALENT_TOKEN", None)
    return run([str(TALENTCTL), *args], env=env)


def test_talentctl_appointment_commands(daemon, world):
    admin = world["admin"]
    pid = person(admin, "Lê Thị Hồng Nhung")
    token = principal(admin, "ctl-nat", ["hr_official"])
    out = ctl(daemon, "appointment", "propose", "--org", "MOST", "--post", "chief_engineer_sti",
              "--person-id", str(pid), "--term-start", day(-1), "--term-end", day(1000),
              "--equivalent-rank", "deputy_director_general", "--decision-ref", "45/QĐ-BKHCN", "-o", "json")
    assert out.returncode == 0, out.stderr
    proposed = json.loads(out.stdout)
    assert proposed["status"] == "proposed" and proposed["person_name"] == "Lê Thị Hồng Nhung"
    aid = str(proposed["id"])

    refused = ctl(daemon, "appointment", "approve", aid)
    assert refused.returncode == 1 and "forbidden: four-eyes rule" in refused.stderr

    out = ctl(daemon, "appointment", "approve", aid, "-o", "table", principal="ctl-nat", secret=token)
    assert out.returncode == 0, out.stderr
    shown = dict(line.split(None, 1) for line in out.stdout.splitlines())
    assert shown["status"] == "active" and shown["approved_by"] == "ctl-nat"

    out = ctl(daemon, "appointment", "show", aid, "-o", "table")
    lines = dict(line.split(None, 1) for line in out.stdout.splitlines())
    assert lines["person_name"] == "Lê Thị Hồng Nhung" and lines["decision_ref"] == "45/QĐ-BKHCN"

    out = ctl(daemon, "appointment", "list", "--org", "MOST", "--post", "chief_engineer_sti", "--status", "active", "-o", "table")
    assert out.returncode == 0, out.stderr
    header, rule, *rows = out.stdout.splitlines()
    assert header.split() == ["id", "org", "post", "person", "term", "rank", "status"]
    row = next(r for r in rows if r.startswith(aid + " "))
    # Columns line up by display width: the status column starts at the same cell in every line.
    assert header.index("status") == row.index("active"), out.stdout
    assert f"{day(-1)} → {day(1000)}" in row

    out = ctl(daemon, "appointment", "list", "--at", day(0), "--org", "MOST", "-o", "csv")
    records = list(csv.reader(io.StringIO(out.stdout)))
    assert records[0][:6] == ["id", "org", "post", "person_id", "person_name", "term_start"]
    assert [aid, "MOST", "chief_engineer_sti", str(pid), "Lê Thị Hồng Nhung", day(-1)] in [r[:6] for r in records[1:]]
    assert next(r for r in records if r[0] == aid)[7] == ""  # no end_date: an empty field

    out = ctl(daemon, "appointment", "end", aid, "--date", day(0), "--reason", "Nghỉ hưu", "-o", "json")
    assert json.loads(out.stdout)["end_date"] == day(0)
    out = ctl(daemon, "appointment", "reject", aid, "--reason", "x")
    assert out.returncode == 1 and out.stderr.startswith("talentctl: invalid_state: appointment " + aid + " is active")

    out = ctl(daemon, "appointment", "list", "--limit", "2", "-o", "table")
    assert "more: talentctl " in out.stderr and " appointment list --limit 2 -o table --cursor " in out.stderr
    assert "more:" not in out.stdout
    everything = json.loads(ctl(daemon, "appointment", "list", "--limit", "2", "--all", "-o", "json").stdout)
    assert "next_cursor" not in everything
    assert len(everything["appointments"]) == len(admin.result("appointment.list", {"limit": 500})["appointments"])

    for sub in ("propose", "approve", "reject", "end", "list", "show"):
        helped = run([str(TALENTCTL), "appointment", sub, "--help"])
        assert helped.returncode == 0 and "Example" in helped.stdout, sub
