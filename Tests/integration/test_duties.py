"""Duties over the real socket: derived duties completing themselves from appointments, nominations
and experts (dated by the records' own dates), late and done_late on either side of due_on, manual
completion and cancellation, org scoping, every error path, the duty.late audit entry published once
(across a restart too), and talentctl."""
from __future__ import annotations

import json
import os
import time
from datetime import date

import pytest

from conftest import TALENTCTL, run
from test_appointments import FORBIDDEN, INVALID_PARAMS, INVALID_STATE, NOT_FOUND, day, person, principal, propose, today
from test_awards import create_round, nominate
from test_recruitment import campaign, recruit


def days_between(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


@pytest.fixture(scope="module")
def world(daemon):
    """Admin; two national HR officials; MOH's HR official and script; MOF's HR official; an auditor."""
    admin = daemon.login()
    conns = {"admin": admin}
    for name, roles, org in [("hr-nat", ["hr_official"], None), ("hr-nat2", ["hr_official"], None),
                             ("hr-moh", ["hr_official"], "MOH"), ("agent-moh", ["ministry_agent"], "MOH"),
                             ("hr-mof", ["hr_official"], "MOF"), ("auditor-1", ["auditor"], None)]:
        token = principal(admin, name, roles, org)
        conn = daemon.connect()
        conn.login(name, token)
        conns[name] = conn
    create_round(admin, "AW-ERR")
    return conns


def create(conn, orgs, kind="manual", due_on=None, **extra):
    params = {"title": "Chọn kỹ sư trưởng", "orgs": orgs, "due_on": due_on or day(10), "kind": kind, **extra}
    return conn.result("duty.create", params)["duties"]


def get(conn, duty_id, at=None):
    return conn.result("duty.get", {"id": duty_id, **({"at": at} if at else {})})


def status(conn, duty_id, at=None):
    duty = get(conn, duty_id, at)
    return duty["status"], duty["done_on"], duty["days_late"]


def appoint(proposer, approver, org, post, start, end=None, rank="director_general"):
    """An approved appointment: proposed by one principal, approved by another (four-eyes)."""
    response = propose(proposer, org, post=post, person_id=person(proposer), start=start, end=end, rank=rank)
    assert "error" not in response, response
    return approver.result("appointment.approve", {"id": response["result"]["id"]})


def test_a_chief_engineers_duty_is_done_the_first_day_both_posts_are_held(world):
    admin, nat = world["admin"], world["hr-nat"]
    [duty] = create(nat, ["MOIT"], "chief_engineers", due_on="2025-06-30", responsible="Bộ trưởng")
    assert duty["org"] == "MOIT" and duty["responsible"] == "Bộ trưởng" and duty["created_by"] == "hr-nat"
    assert status(admin, duty["id"], "2025-06-30") == ("open", None, 0)
    assert status(admin, duty["id"]) == ("late", None, days_between("2025-06-30", today().isoformat()))

    appoint(admin, nat, "MOIT", "chief_engineer_sti", "2025-01-01")
    # A proposal not yet approved does not count.
    pending = propose(admin, "MOIT", post="chief_engineer_ops", person_id=person(admin), start="2025-03-01")["result"]
    assert status(admin, duty["id"])[0] == "late"
    nat.result("appointment.approve", {"id": pending["id"]})
    # Done on the later term start, whenever the approval was entered; on earlier dates not yet.
    assert status(admin, duty["id"]) == ("done", "2025-03-01", 0)
    assert status(admin, duty["id"], "2025-02-28") == ("open", None, 0)
    assert status(admin, duty["id"], "2025-03-01") == ("done", "2025-03-01", 0)


def test_posts_held_one_after_the_other_never_make_it_done_and_a_late_pair_is_done_late(world):
    admin, nat = world["admin"], world["hr-nat"]
    [duty] = create(nat, ["MOC"], "chief_engineers", due_on="2025-06-30")
    appoint(admin, nat, "MOC", "chief_engineer_sti", "2025-01-01", end="2025-05-31")
    appoint(admin, nat, "MOC", "chief_engineer_ops", "2025-06-01")
    assert status(admin, duty["id"])[0] == "late"
    assert status(admin, duty["id"], "2025-07-15") == ("late", None, 15)
    appoint(admin, nat, "MOC", "chief_engineer_sti", "2025-08-01")
    assert status(admin, duty["id"]) == ("done_late", "2025-08-01", 32)
    assert status(admin, duty["id"], "2025-07-31") == ("late", None, 31)


def test_a_nominations_duty_counts_submissions_to_its_round_and_not_withdrawn_ones(world, daemon):
    admin, nat = world["admin"], world["hr-nat"]
    sec = daemon.login()
    create_round(sec, "AW-DUTY")
    sec.result("award_round.open", {"code": "AW-DUTY"})
    late_one, = create(nat, ["MOF"], "nominations", due_on=day(-3), target=2, target_round="AW-DUTY")
    on_time, = create(nat, ["MOF"], "nominations", due_on=day(5), target=2, target_round="AW-DUTY")
    assert late_one["target"] == 2 and late_one["target_round"] == "AW-DUTY"
    first = nominate(world["hr-mof"], "AW-DUTY", "ind", {"person_id": person(admin)})["result"]
    # Another org's nominations never count for MOF.
    nominate(admin, "AW-DUTY", "ind", {"person_id": person(admin)}, org="MOH")
    assert status(admin, late_one["id"]) == ("late", None, 3)
    assert status(admin, on_time["id"]) == ("open", None, 0)
    nominate(world["hr-mof"], "AW-DUTY", "ind", {"person_id": person(admin)})
    assert status(admin, late_one["id"]) == ("done_late", day(0), 3)
    assert status(admin, on_time["id"]) == ("done", day(0), 0)
    # Before today's submissions it was not done.
    assert status(admin, late_one["id"], day(-1)) == ("late", None, 2)
    # A withdrawal undoes it.
    admin.result("nomination.withdraw", {"id": first["id"], "reason": "Trùng hồ sơ"})
    assert status(admin, on_time["id"]) == ("open", None, 0)


def test_a_recruitment_duty_needs_target_experts_in_post_at_once(world):
    admin, nat = world["admin"], world["hr-nat"]
    [duty] = create(nat, ["MOET"], "recruitment", due_on="2025-06-30", target=2)
    code = campaign(admin, org="MOET", tier="expert", openings=5)
    first = recruit(admin, nat, code, "2025-01-01")
    assert status(admin, duty["id"], "2025-06-30") == ("open", None, 0)
    recruit(admin, nat, code, "2025-03-01")
    assert status(admin, duty["id"]) == ("done", "2025-03-01", 0)
    assert status(admin, duty["id"], "2025-02-28") == ("open", None, 0)
    # The first left before the second came: never two at once, until a third took post.
    admin.result("expert.end", {"id": first["expert_id"], "end_on": "2025-02-28", "reason": "Về nước ngoài"})
    assert status(admin, duty["id"])[0] == "late"
    recruit(admin, nat, code, "2025-09-01")
    assert status(admin, duty["id"]) == ("done_late", "2025-09-01", 63)


def test_manual_duties_are_completed_by_their_org_and_cancelled_nationally(world):
    admin, nat, hr_moh, agent_moh, hr_mof = (world[n] for n in ["admin", "hr-nat", "hr-moh", "agent-moh", "hr-mof"])
    early, overdue = create(nat, ["MOH"], due_on=day(1))[0], create(nat, ["MOH"], due_on=day(-2))[0]
    done = agent_moh.result("duty.complete", {"id": early["id"], "result": "Đã ban hành", "evidence_ref": "QĐ 12/QĐ-BYT"})
    assert (done["status"], done["done_on"], done["completed_by"], done["evidence_ref"]) == ("done", day(0), "agent-moh", "QĐ 12/QĐ-BYT")
    late = hr_moh.result("duty.complete", {"id": overdue["id"], "result": "Đã báo cáo"})
    assert (late["status"], late["days_late"]) == ("done_late", 2)
    assert status(admin, overdue["id"], day(-1)) == ("late", None, 1)

    again = hr_moh.error("duty.complete", {"id": early["id"], "result": "Lần hai"})
    assert again["code"] == INVALID_STATE and "already completed" in again["message"]
    refused = nat.error("duty.cancel", {"id": early["id"], "reason": "Nhầm"})
    assert refused["code"] == INVALID_STATE and refused["data"]["status"] == "done"

    open_one = create(nat, ["MOH"], due_on=day(3))[0]
    cancelled = nat.result("duty.cancel", {"id": open_one["id"], "reason": "Giao trùng"})
    assert (cancelled["status"], cancelled["cancelled_on"], cancelled["cancel_reason"]) == ("cancelled", day(0), "Giao trùng")
    # Before the day it was cancelled, it reads as it was.
    assert get(admin, open_one["id"], day(-1))["status"] == "open"
    assert nat.error("duty.cancel", {"id": open_one["id"], "reason": "Lần hai"})["code"] == INVALID_STATE
    assert hr_moh.error("duty.complete", {"id": open_one["id"], "result": "x"})["code"] == INVALID_STATE


def test_a_derived_duty_cannot_be_completed_by_hand(world):
    [duty] = create(world["hr-nat"], ["MOH"], "chief_engineers")
    error = world["hr-moh"].error("duty.complete", {"id": duty["id"], "result": "Xong"})
    assert error["code"] == INVALID_STATE and "chief_engineers" in error["message"] and "chief-engineer posts" in error["message"]


def test_orgs_see_and_complete_only_their_own_duties(world):
    nat, hr_moh, agent_moh, hr_mof, auditor = (world[n] for n in ["hr-nat", "hr-moh", "agent-moh", "hr-mof", "auditor-1"])
    moh, mof = create(nat, ["MOH", "MOF"], due_on=day(30))
    assert {d["org"] for d in agent_moh.every("duty.list")} == {"MOH"}
    assert {d["org"] for d in hr_mof.every("duty.list")} == {"MOF"}
    assert agent_moh.error("duty.list", {"org": "MOF"})["code"] == FORBIDDEN
    assert hr_moh.error("duty.get", {"id": mof["id"]})["code"] == FORBIDDEN
    assert agent_moh.error("duty.complete", {"id": mof["id"], "result": "Xong"})["code"] == FORBIDDEN
    assert get(hr_mof, mof["id"])["status"] == "open"
    # National roles see every org; an auditor reads but does not complete.
    assert {moh["id"], mof["id"]} <= {d["id"] for d in auditor.every("duty.list")}
    assert auditor.error("duty.complete", {"id": mof["id"], "result": "Xong"})["code"] == FORBIDDEN
    # Only national HR (or admin) gives and cancels duties.
    for conn in (hr_moh, agent_moh):
        assert conn.error("duty.create", {"title": "x", "orgs": ["MOH"], "due_on": day(1), "kind": "manual"})["code"] == FORBIDDEN
    assert hr_moh.error("duty.cancel", {"id": moh["id"], "reason": "x"})["code"] == FORBIDDEN
    assert world["hr-nat2"].result("duty.complete", {"id": mof["id"], "result": "Trung ương xác nhận"})["status"] == "done"


def test_list_filters_by_status_kind_and_date_and_pages(world):
    admin, nat = world["admin"], world["hr-nat"]
    duties = [create(nat, ["MOJ"], due_on=day(-1))[0] for _ in range(3)]
    nat.result("duty.complete", {"id": duties[0]["id"], "result": "Xong"})
    late = admin.every("duty.list", {"org": "MOJ", "status": "late"}, limit=1)
    assert [d["id"] for d in late] == [d["id"] for d in duties[1:]]
    assert [d["id"] for d in admin.every("duty.list", {"org": "MOJ", "status": "done_late"})] == [duties[0]["id"]]
    on_due_date = admin.every("duty.list", {"org": "MOJ", "status": "open", "at": day(-1)})
    assert [d["id"] for d in on_due_date] == [d["id"] for d in duties] and all(d["at"] == day(-1) for d in on_due_date)
    assert admin.every("duty.list", {"org": "MOJ", "kind": "recruitment"}) == []
    page = admin.result("duty.list", {"org": "MOJ", "limit": 2})
    assert len(page["duties"]) == 2 and page["next_cursor"]


def test_orgs_words_create_one_duty_per_org_in_one_audited_write(make_daemon):
    d = make_daemon()
    admin = d.login()
    orgs = admin.every("org.list")
    kinds = lambda *ks: sorted(o["code"] for o in orgs if o["kind"] in ks)
    before = admin.every("audit.list", {"method": "duty.create"})
    everyone = create(admin, "all", title="Số hoá hồ sơ")
    assert sorted(x["org"] for x in everyone) == sorted(o["code"] for o in orgs)
    assert sorted(x["org"] for x in create(admin, "ministries")) == kinds("ministry", "ministerial_agency") and len(kinds("ministry", "ministerial_agency")) == 17
    assert sorted(x["org"] for x in create(admin, "provinces")) == kinds("central_city", "province") and len(kinds("central_city", "province")) == 34
    entries = admin.every("audit.list", {"method": "duty.create"})
    assert len(entries) - len(before) == 3
    assert entries[-3]["target"] == {"type": "duty", "id": f"{everyone[0]['id']}..{everyone[-1]['id']}"}
    # A list with a duplicate gives one duty per org; NFC text.
    twice = create(admin, ["MOH", "MOH"], title="Ca\u0300i đặt", responsible="Nguye\u0302\u0303n Văn A")
    assert len(twice) == 1 and twice[0]["title"] == "Cài đặt" and twice[0]["responsible"] == "Nguyễn Văn A"
    assert admin.result("audit.verify")["ok"]


@pytest.mark.parametrize("params, field, words", [
    ({"orgs": ["MOH", "NOPE"]}, "orgs", "NOPE"),
    ({"orgs": "everyone"}, "orgs", '"all", "ministries", "provinces"'),
    ({"orgs": []}, "orgs", None),
    ({"kind": "nominations", "target_round": "AW-ERR"}, "target", "target is required"),
    ({"kind": "recruitment"}, "target", "target is required"),
    ({"kind": "manual", "target": 3}, "target", "only for nominations and recruitment"),
    ({"kind": "recruitment", "target": 0}, "target", None),
    ({"kind": "nominations", "target": 2}, "target_round", "required"),
    ({"kind": "nominations", "target": 2, "target_round": "NO-SUCH"}, "target_round", "NO-SUCH"),
    ({"kind": "recruitment", "target": 2, "target_round": "AW-ERR"}, "target_round", "only for nominations"),
    ({"kind": "weekly"}, "kind", None),
    ({"due_on": "2025-02-29"}, "due_on", None),
    ({"title": ""}, "title", None),
])
def test_create_refuses_bad_params_naming_the_field(world, daemon, params, field, words):
    base = {"title": "Nhiệm vụ", "orgs": ["MOH"], "due_on": day(5), "kind": "manual"}
    error = world["hr-nat"].error("duty.create", {**base, **params})
    assert error["code"] == INVALID_PARAMS and error["data"]["field"] == field, error
    if words:
        assert words in error["message"]


def test_reads_and_changes_of_missing_duties_and_bad_filters(world):
    admin = world["admin"]
    for method, params in [("duty.get", {}), ("duty.complete", {"result": "x"}), ("duty.cancel", {"reason": "x"})]:
        error = admin.error(method, {"id": 999999, **params})
        assert error["code"] == NOT_FOUND and error["data"]["field"] == "id", (method, error)
    for params, field in [({"status": "overdue"}, "status"), ({"kind": "x"}, "kind"), ({"at": "31/12/2025"}, "at"),
                          ({"cursor": "abc"}, "cursor")]:
        assert admin.error("duty.list", params)["data"]["field"] == field
    [duty] = create(world["hr-nat"], ["MOH"])
    assert admin.error("duty.complete", {"id": duty["id"]})["data"]["field"] == "result"
    assert admin.error("duty.cancel", {"id": duty["id"]})["data"]["field"] == "reason"


def late_entries(conn):
    return conn.every("audit.list", {"method": "duty.late"})


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_duty_becoming_late_is_published_once_also_across_a_restart(make_daemon):
    d = make_daemon(config={"duties": {"late_sweep_interval_s": 1}})
    admin = d.login()
    late, = create(admin, ["MOF"], due_on=day(-1))
    create(admin, ["MOF"], due_on=day(5))
    completed, = create(admin, ["MOH"], due_on=day(-2))
    admin.result("duty.complete", {"id": completed["id"], "result": "Xong"})
    cancelled, = create(admin, ["MOH"], due_on=day(-2))
    admin.result("duty.cancel", {"id": cancelled["id"], "reason": "Bỏ"})
    derived, = create(admin, ["MOIT"], "chief_engineers", due_on="2025-01-31")
    assert wait_for(lambda: len(late_entries(admin)) == 2), late_entries(admin)
    entries = {e["target"]["id"]: e for e in late_entries(admin)}
    assert set(entries) == {str(late["id"]), str(derived["id"])}
    entry = entries[str(late["id"])]
    assert entry["principal"] == "talentd" and entry["outcome"] == "ok" and entry["target"]["type"] == "duty"
    assert entry["params"] == {"org": "MOF", "due_on": day(-1), "kind": "manual"}
    assert entries[str(derived["id"])]["params"] == {"org": "MOIT", "due_on": "2025-01-31", "kind": "chief_engineers"}
    assert get(admin, late["id"])["late_recorded_seq"] == entry["seq"]
    # The entry is the event stream's duty.late event, with the same seq, for MOF's subscribers.
    events = {e["seq"]: e for e in admin.every("events.list", {"topics": ["duty"]})}
    assert (events[entry["seq"]]["type"], events[entry["seq"]]["org"]) == ("duty.late", "MOF")
    time.sleep(2.5)  # two more sweeps
    assert len(late_entries(admin)) == 2
    admin.close()

    assert d.stop() == 0
    d.start()
    admin = d.login()
    time.sleep(2.5)
    assert len(late_entries(admin)) == 2
    # A duty that is late when given is published by the next sweep.
    newly, = create(admin, ["MOJ"], due_on=day(-7))
    assert wait_for(lambda: len(late_entries(admin)) == 3)
    assert late_entries(admin)[-1]["target"]["id"] == str(newly["id"])
    assert admin.result("audit.verify")["ok"]


def test_the_sweep_interval_setting_is_checked(make_daemon):
    d = make_daemon(config={"duties": {"late_sweep_interval_s": 0}}, start=False)
    with pytest.raises(RuntimeError, match="late_sweep_interval_s"):
        d.start()


def ctl(d, *args, principal="admin", secret=None):
    env = {**os.environ, "TALENT_SOCKET": d.socket, "TALENT_PRINCIPAL": principal, "TALENT_SECRET": secret or d.admin_secret}
    env.pop("TALENT_TOKEN", None)
    return run([str(TALENTCTL), *args], env=env)


def test_talentctl_duty_commands(make_daemon):
    d = make_daemon()
    created = ctl(d, "duty", "create", "--title", "Báo cáo nhân lực số", "--org", "moh", "--org", "mof",
                  "--due-on", "31/12/2030", "--kind", "manual", "--responsible", "Vụ TCCB", "-o", "json")
    assert created.returncode == 0, created.stderr
    moh, mof = json.loads(created.stdout)["duties"]
    assert (moh["org"], mof["org"], moh["due_on"]) == ("MOH", "MOF", "2030-12-31")

    listed = ctl(d, "duty", "list", "--org", "moh")
    assert listed.returncode == 0 and "Báo cáo nhân lực số" in listed.stdout and "open" in listed.stdout
    assert "MOF" not in listed.stdout

    shown = ctl(d, "duty", "show", str(mof["id"]), "--at", "2031-01-05", "-o", "json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["status"] == "late" and json.loads(shown.stdout)["days_late"] == 5

    completed = ctl(d, "duty", "complete", str(moh["id"]), "--result", "Đã báo cáo", "--evidence-ref", "CV 1/BYT")
    assert completed.returncode == 0, completed.stderr
    assert "done" in completed.stdout

    cancelled = ctl(d, "duty", "cancel", str(mof["id"]), "--reason", "Giao trùng")
    assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout

    as_csv = ctl(d, "duty", "list", "--all", "-o", "csv")
    assert as_csv.returncode == 0 and as_csv.stdout.splitlines()[0].startswith("id,")
    assert len(as_csv.stdout.splitlines()) == 3

    # A derived duty cannot be completed: the message says why and what to run instead.
    ctl(d, "duty", "create", "--title", "Kỹ sư trưởng", "--org", "MOIT", "--due-on", "2030-06-30", "--kind", "chief_engineers")
    derived = json.loads(ctl(d, "duty", "list", "--kind", "chief_engineers", "-o", "json").stdout)["duties"][0]
    refused = ctl(d, "duty", "complete", str(derived["id"]), "--result", "Xong")
    assert refused.returncode != 0 and "chief_engineers" in refused.stderr
    missing = ctl(d, "duty", "create", "--title", "x", "--org", "MOH", "--due-on", "2030-01-01", "--kind", "recruitment")
    assert missing.returncode != 0 and "target is required" in missing.stderr

    unknown = ctl(d, "duty", "show", "99999")
    assert unknown.returncode != 0 and "`talentctl duty list` shows them" in unknown.stderr, unknown.stderr

    for args in (["duty", "--help"], ["duty", "create", "--help"], ["duty", "list", "--help"]):
        helped = ctl(d, *args)
        examples = [line for line in helped.stdout.splitlines() if line.lstrip().startswith("talentctl ") or line.endswith("\\")]
        assert helped.returncode == 0 and examples and all(len(line) <= 80 for line in examples), helped.stdout
