"""Expert recruitment over the real socket: campaigns, applications through their stages, the
offer's four-eyes approval, evaluators with conflicts of interest and blind scoring, the exact
ranking on a known data set, org scoping, and the national target at several dates."""
from __future__ import annotations

import itertools
import json
import os
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import TALENTCTL, run

CLIENT_DIR = Path(__file__).resolve().parents[2] / "Clients/python"

INVALID_PARAMS = -32602
NOT_FOUND = -32004
CONFLICT = -32005
INVALID_STATE = -32006
FORBIDDEN = -32011

_names = itertools.count(1)
_codes = itertools.count(1)

RUBRIC = [{"key": "research", "title": "Nghiên cứu", "weight": 3, "max_score": 10, "min_score": 5},
          {"key": "leadership", "title": "Lãnh đạo", "weight": 1, "max_score": 10}]


def today() -> date:
    """Today in Vietnam (UTC+7), as the daemon counts it."""
    return (datetime.now(timezone.utc) + timedelta(hours=7)).date()


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def person(conn, name: str | None = None, **extra) -> int:
    name = name or f"Trần Văn Ứng {next(_names)}"
    return conn.result("person.create", {"full_name": name, **extra})["person"]["id"]


def principal(admin, name, roles, org=None) -> str:
    """Creates a principal with an API token; returns the token (logins cost no Argon2)."""
    params = {"name": name, "kind": "human", "roles": roles}
    if org:
        params["org"] = org
    admin.result("principal.create", params)
    return admin.result("token.create", {"principal": name, "label": "test"})["token"]


def campaign(conn, org="MOST", tier="leading_expert", opens=-10, closes=30, open_it=True, **extra) -> str:
    code = f"C{next(_codes)}-{org}"
    params = {"code": code, "title": "Chuyên gia đầu ngành", "org": org, "tier": tier, "openings": 2,
              "opens_on": day(opens), "closes_on": day(closes), "criteria": RUBRIC, **extra}
    conn.result("campaign.create", params)
    if open_it:
        conn.result("campaign.open", {"code": code})
    return code


def apply(conn, code, person_id=None, source="domestic", **extra) -> int:
    params = {"campaign": code, "person_id": person_id or person(conn), "source": source, **extra}
    return conn.result("application.submit", params)["id"]


def advance(conn, application_id, *stages):
    for stage in stages:
        conn.result("application.advance", {"id": application_id, "to": stage})


@pytest.fixture(scope="module")
def world(daemon):
    """Admin; two national HR officials; HR officials of MOST, MOH and MOF; six evaluators."""
    admin = daemon.login()
    conns = {"admin": admin}
    people = [("hr-nat", ["hr_official"], None), ("hr-nat2", ["hr_official"], None), ("hr-most", ["hr_official"], "MOST"),
              ("hr-moh", ["hr_official"], "MOH"), ("hr-mof", ["hr_official"], "MOF"), ("agent-most", ["ministry_agent"], "MOST")]
    people += [(f"ev{i}", ["evaluator"], None) for i in range(1, 7)]
    for name, roles, org in people:
        token = principal(admin, name, roles, org)
        conn = daemon.connect()
        conn.login(name, token)
        conns[name] = conn
    return conns


def test_campaign_lifecycle_and_criteria(world):
    hr = world["hr-most"]
    code = campaign(hr, open_it=False, fields=["AI", "bán dẫn"], min_evaluators=2)
    draft = hr.result("campaign.get", {"code": code})
    assert draft["state"] == "draft" and draft["org"] == "MOST" and draft["criteria"] == RUBRIC
    assert draft["fields"] == ["AI", "bán dẫn"] and draft["recruited"] == 0 and draft["evaluators"] == []
    assert hr.error("campaign.create", {"code": code, "title": "x", "tier": "expert", "openings": 1, "opens_on": day(0),
                                        "closes_on": day(1), "criteria": RUBRIC})["code"] == CONFLICT
    # Applications wait for the campaign to open.
    err = hr.error("application.submit", {"campaign": code, "person_id": person(hr), "source": "domestic"})
    assert err["code"] == INVALID_STATE and "draft" in err["message"]
    opened = hr.result("campaign.open", {"code": code})
    assert opened["state"] == "open" and opened["opened_at"]
    assert hr.error("campaign.open", {"code": code})["code"] == INVALID_STATE
    assert hr.result("campaign.close", {"code": code})["state"] == "closed"
    cancelled = hr.result("campaign.cancel", {"code": code, "reason": "Ngân sách chưa được duyệt"})
    assert cancelled["state"] == "cancelled" and cancelled["cancel_reason"] == "Ngân sách chưa được duyệt"
    assert hr.error("campaign.close", {"code": code})["code"] == INVALID_STATE
    listed = hr.every("campaign.list", {"state": "cancelled"})
    assert code in [c["code"] for c in listed] and all(c["org"] == "MOST" for c in listed)


def test_criteria_are_checked_and_frozen_by_the_database(world, daemon):
    hr = world["hr-most"]
    bad = [{"key": "a", "title": "A", "weight": 1, "max_score": 5, "min_score": 6}]
    err = hr.error("campaign.create", {"code": "BAD-1", "title": "x", "tier": "expert", "openings": 1, "opens_on": day(0),
                                       "closes_on": day(1), "criteria": bad})
    assert err["code"] == INVALID_PARAMS and err["data"]["field"] == "criteria"
    twice = [RUBRIC[0], RUBRIC[0]]
    assert hr.error("campaign.create", {"code": "BAD-2", "title": "x", "tier": "expert", "openings": 1, "opens_on": day(0),
                                        "closes_on": day(1), "criteria": twice})["data"]["field"] == "criteria"
    err = hr.error("campaign.create", {"code": "BAD-3", "title": "x", "tier": "expert", "openings": 1, "opens_on": day(2),
                                       "closes_on": day(1), "criteria": RUBRIC})
    assert err["data"]["field"] == "closes_on"
    # Once open, not even a hand-made UPDATE changes the rubric.
    import sqlite3
    code = campaign(hr)
    db = sqlite3.connect(daemon.db)
    with pytest.raises(sqlite3.IntegrityError, match="criteria_frozen"):
        db.execute("UPDATE campaign_criterion SET weight = 9 WHERE campaign_id = (SELECT id FROM campaign WHERE code = ?)", (code,))
    db.close()


def test_a_cancelled_campaigns_applications_no_longer_move(world):
    hr = world["hr-most"]
    code = campaign(hr)
    app_id = apply(hr, code)
    hr.result("campaign.cancel", {"code": code, "reason": "Dừng tuyển"})
    err = hr.error("application.advance", {"id": app_id, "to": "screening"})
    assert err["code"] == INVALID_STATE and "cancelled" in err["message"]
    assert hr.result("application.get", {"id": app_id})["stage"] == "applied"


def test_late_and_early_applications_name_the_dates(world):
    hr = world["hr-most"]
    late = campaign(hr, opens=-40, closes=-1)
    err = hr.error("application.submit", {"campaign": late, "person_id": person(hr), "source": "domestic"})
    assert err["code"] == INVALID_STATE and day(-1) in err["message"] and err["data"]["closes_on"] == day(-1)
    early = campaign(hr, opens=1, closes=30)
    err = hr.error("application.submit", {"campaign": early, "person_id": person(hr), "source": "domestic"})
    assert err["code"] == INVALID_STATE and day(1) in err["message"]
    # The last day counts, in Vietnam time.
    last = campaign(hr, opens=-5, closes=0)
    assert apply(hr, last) > 0


def test_application_stages_history_and_double_application(world):
    hr, agent = world["hr-most"], world["agent-most"]
    code = campaign(hr)
    pid = person(hr)
    app_id = apply(agent, code, pid, source="referral", referred_by="GS. Nguyễn Văn A", note="Hồ sơ đầy đủ")
    err = agent.error("application.submit", {"campaign": code, "person_id": pid, "source": "domestic"})
    assert err["code"] == CONFLICT and err["data"]["application_id"] == app_id and str(app_id) in err["message"]
    assert agent.error("application.submit", {"campaign": code, "person_id": person(hr), "source": "referral"})["data"]["field"] == "referred_by"
    advance(hr, app_id, "screening", "interview")
    err = hr.error("application.advance", {"id": app_id, "to": "screening"})
    assert err["code"] == INVALID_STATE and "forward" in err["message"]
    assert hr.error("application.advance", {"id": app_id, "to": "offer"})["data"]["field"] == "to"
    got = hr.result("application.get", {"id": app_id})
    assert [(h.get("from"), h["to"]) for h in got["history"]] == [(None, "applied"), ("applied", "screening"), ("screening", "interview")]
    assert got["history"][0]["by"] == "agent-most" and got["history"][0]["note"] == "Hồ sơ đầy đủ"
    assert [t["stage"] for t in got["time_in_stage"]] == ["applied", "screening", "interview"]
    assert "left_at" in got["time_in_stage"][0] and "left_at" not in got["time_in_stage"][-1]
    assert all(t["seconds"] >= 0 and t["days"] == 0 for t in got["time_in_stage"])
    rejected = hr.result("application.reject", {"id": app_id, "reason_code": "failed_interview", "note": "Phỏng vấn chưa đạt"})
    assert rejected["stage"] == "rejected" and rejected["reason_code"] == "failed_interview"
    assert hr.error("application.withdraw", {"id": app_id})["code"] == INVALID_STATE
    other = apply(agent, code)
    assert agent.result("application.withdraw", {"id": other})["stage"] == "withdrawn"
    stages = {a["id"]: a["stage"] for a in hr.every("application.list", {"campaign": code})}
    assert stages == {app_id: "rejected", other: "withdrawn"}
    assert [a["id"] for a in hr.every("application.list", {"campaign": code, "stage": "withdrawn"})] == [other]


def test_offer_needs_a_national_approval_by_someone_else(world):
    hr, nat, nat2 = world["hr-most"], world["hr-nat"], world["hr-nat2"]
    code = campaign(nat, openings=1)
    pid = person(hr, employer="Viện Hàn lâm", overseas_vietnamese=True, residence_country="DE")
    app_id = apply(hr, code, pid, source="overseas")
    assert hr.error("application.offer", {"id": app_id, "start_on": day(5)})["code"] == INVALID_STATE
    advance(hr, app_id, "screening", "evaluation", "interview")
    offered = nat.result("application.offer", {"id": app_id, "start_on": day(5), "remuneration_note": "Theo chính sách đặc thù"})
    assert offered["stage"] == "offer" and offered["offered_by"] == "hr-nat"
    assert nat.error("application.accept", {"id": app_id})["code"] == INVALID_STATE
    err = nat.error("application.approve_offer", {"id": app_id})
    assert err["code"] == FORBIDDEN and "four-eyes" in err["message"]
    assert hr.error("application.approve_offer", {"id": app_id})["code"] == FORBIDDEN  # an org's HR is not national
    approved = nat2.result("application.approve_offer", {"id": app_id})
    assert approved["offer_approved_by"] == "hr-nat2"
    assert nat2.error("application.approve_offer", {"id": app_id})["code"] == INVALID_STATE
    accepted = hr.result("application.accept", {"id": app_id})
    assert accepted["stage"] == "recruited" and accepted["expert_id"]
    expert = hr.result("expert.get", {"id": accepted["expert_id"]})
    assert expert["person_id"] == pid and expert["org"] == "MOST" and expert["tier"] == "leading_expert"
    assert expert["campaign"] == code and expert["start_on"] == day(5) and expert["overseas"] is True and expert["in_post"] is False
    assert hr.result("campaign.get", {"code": code})["state"] == "filled"  # one opening, one recruited
    assert expert["id"] in [e["id"] for e in hr.every("expert.list", {"at": day(5)})]
    assert expert["id"] not in [e["id"] for e in hr.every("expert.list", {"at": day(4)})]
    assert hr.error("expert.end", {"id": expert["id"], "end_on": day(4), "reason": "x"})["data"]["field"] == "end_on"
    ended = hr.result("expert.end", {"id": expert["id"], "end_on": day(100), "reason": "Hết hợp đồng"})
    assert ended["end_on"] == day(100) and ended["end_reason"] == "Hết hợp đồng"
    assert hr.error("expert.end", {"id": expert["id"], "end_on": day(100), "reason": "x"})["code"] == INVALID_STATE
    assert expert["id"] not in [e["id"] for e in hr.every("expert.list", {"at": day(101)})]


def score(conn, application_id, research, leadership):
    return conn.call("evaluation.submit", {"application_id": application_id, "scores": {"research": research, "leadership": leadership}})


def test_evaluation_guards_conflicts_and_blindness(world):
    admin, hr = world["admin"], world["hr-most"]
    code = campaign(hr, min_evaluators=2)
    employer_person = person(admin, employer="Đại học Quốc gia Hà Nội")
    admin.result("principal.link_person", {"name": "ev5", "person_id": employer_person})
    candidate = person(admin, employer="dai hoc quoc gia  HA NOI")
    self_person = person(admin)
    linked = admin.result("principal.link_person", {"name": "ev4", "person_id": self_person})
    assert linked["person_id"] == self_person
    for name in ["ev1", "ev2", "ev4", "ev5"]:
        hr.result("campaign.assign_evaluator", {"campaign": code, "principal": name})
    assert hr.error("campaign.assign_evaluator", {"campaign": code, "principal": "ev1"})["code"] == CONFLICT
    assert hr.error("campaign.assign_evaluator", {"campaign": code, "principal": "hr-nat"})["data"]["field"] == "principal"
    a = apply(hr, code, candidate)
    b = apply(hr, code, self_person)
    # Outside the evaluation stage.
    err = score(world["ev1"], a, 5, 5)["error"]
    assert err["code"] == INVALID_STATE and "evaluation" in err["message"]
    advance(hr, a, "screening", "evaluation")
    advance(hr, b, "screening", "evaluation")
    # Unassigned evaluator.
    err = score(world["ev6"], a, 5, 5)["error"]
    assert err["code"] == FORBIDDEN and "campaign.assign_evaluator" in err["message"]
    # Automatic conflicts: the candidate themself; the same employer, folded.
    err = score(world["ev4"], b, 5, 5)["error"]
    assert err["code"] == FORBIDDEN and "is the candidate" in err["message"]
    err = score(world["ev5"], a, 5, 5)["error"]
    assert err["code"] == FORBIDDEN and "employer" in err["message"]
    assert "result" in score(world["ev5"], b, 5, 5)
    # Out of range names the criterion; a missing or unknown one too.
    err = score(world["ev1"], a, 11, 5)["error"]
    assert err["code"] == INVALID_PARAMS and err["data"]["field"] == "research"
    err = world["ev1"].error("evaluation.submit", {"application_id": a, "scores": {"research": 5}})
    assert err["data"]["field"] == "leadership"
    err = world["ev1"].error("evaluation.submit", {"application_id": a, "scores": {"research": 5, "leadership": 5, "charm": 1}})
    assert err["data"]["field"] == "charm"
    # Blind: ev2 sees nothing of ev1's scores until it has scored.
    first = score(world["ev1"], a, 8, 6)["result"]
    assert first["evaluator"] == "ev1" and first["scores"] == {"research": 8, "leadership": 6}
    before = world["ev2"].result("evaluation.list", {"application_id": a})
    assert before == {"evaluations": [], "blind": True}
    score(world["ev2"], a, 6, 10)
    after = world["ev2"].result("evaluation.list", {"application_id": a})
    assert after["blind"] is False and sorted(e["evaluator"] for e in after["evaluations"]) == ["ev1", "ev2"]
    assert len(hr.result("evaluation.list", {"application_id": a})["evaluations"]) == 2
    # Once each.
    err = score(world["ev1"], a, 1, 1)["error"]
    assert err["code"] == CONFLICT and err["data"]["evaluation_id"] == first["id"]
    # A declared conflict: kept in the audit trail, shown in the ranking, and it bars scoring.
    hr.result("campaign.assign_evaluator", {"campaign": code, "principal": "ev3"})
    declared = world["ev3"].result("evaluation.declare_conflict", {"application_id": a, "kind": "co_author", "note": "Đồng tác giả 2023"})
    assert declared["kind"] == "co_author"
    err = score(world["ev3"], a, 5, 5)["error"]
    assert err["code"] == FORBIDDEN and "co_author" in err["message"]
    audit = admin.result("audit.list", {"method": "evaluation.declare_conflict"})["entries"]
    assert any(e["principal"] == "ev3" and e["params"]["kind"] == "co_author" for e in audit)
    row = next(r for r in hr.result("campaign.ranking", {"campaign": code})["ranking"] if r["application_id"] == a)
    assert [(c["evaluator"], c["kind"]) for c in row["conflicts"]] == [("ev3", "co_author")]
    # Evaluators never read the ranking; unassigning keeps what was scored.
    assert world["ev1"].error("campaign.ranking", {"campaign": code})["code"] == FORBIDDEN
    unassigned = hr.result("campaign.unassign_evaluator", {"campaign": code, "principal": "ev1"})
    assert "ev1" not in unassigned["evaluators"]
    assert len(hr.result("evaluation.list", {"application_id": a})["evaluations"]) == 2


def test_ranking_numbers_on_a_known_data_set(world):
    hr = world["hr-nat"]
    code = campaign(hr, min_evaluators=3)
    for name in ["ev1", "ev2", "ev3"]:
        hr.result("campaign.assign_evaluator", {"campaign": code, "principal": name})
    ids = {}
    for label in "ABCDEF":
        ids[label] = apply(hr, code, person(hr, f"Ứng viên {label} {next(_names)}"))
        advance(hr, ids[label], "screening", "evaluation")
    data = {"A": [(8, 6), (6, 10)], "B": [(9, 1), (7, 3)], "C": [(4, 10), (4, 10), (4, 10)], "D": [(7, 5)],
            "E": [(5, 0), (5, 1), (5, 1)], "F": []}
    for label, scores in data.items():
        for evaluator, (research, leadership) in zip(["ev1", "ev2", "ev3"], scores):
            assert "result" in score(world[evaluator], ids[label], research, leadership)
    withdrawn = apply(hr, code)
    hr.result("application.withdraw", {"id": withdrawn})
    page = hr.result("campaign.ranking", {"campaign": code})
    assert page["campaign"] == code and page["min_evaluators"] == 3 and page["criteria"] == RUBRIC
    rows = page["ranking"]
    label_of = {v: k for k, v in ids.items()}
    # weighted = sum(weight x score) / (evaluations x sum of weights); ties: more evaluations, then lower id.
    assert [(label_of[r["application_id"]], r["rank"]) for r in rows] == [("A", 1), ("B", 2), ("D", 3), ("C", 4), ("E", 5), ("F", 6)]
    by = {label_of[r["application_id"]]: r for r in rows}
    assert by["A"]["weighted_score"] == "7.25" and by["A"]["weighted_score_exact"] == {"numerator": 58, "denominator": 8}
    assert by["A"]["spread"] == "0.50" and by["A"]["criteria"] == [{"key": "research", "mean": "7.00"}, {"key": "leadership", "mean": "8.00"}]
    assert by["B"]["weighted_score"] == "6.50" and by["D"]["weighted_score"] == "6.50" and by["B"]["spread"] == "1.00"
    assert by["C"]["weighted_score"] == "5.50" and by["C"]["eligible"] is False and by["C"]["enough_evaluations"] is True
    assert by["E"]["weighted_score"] == "3.92" and by["E"]["criteria"][1]["mean"] == "0.67" and by["E"]["eligible"] is True
    assert by["A"]["eligible"] is True and by["A"]["enough_evaluations"] is False and by["A"]["evaluations"] == 2
    assert "weighted_score" not in by["F"] and by["F"]["eligible"] is False and by["F"]["evaluations"] == 0
    # Paging by rank.
    first = hr.result("campaign.ranking", {"campaign": code, "limit": 4})
    rest = hr.result("campaign.ranking", {"campaign": code, "limit": 4, "cursor": first["next_cursor"]})
    assert [r["rank"] for r in first["ranking"] + rest["ranking"]] == [1, 2, 3, 4, 5, 6] and "next_cursor" not in rest


def test_org_scoping(world):
    mof = campaign(world["hr-mof"], org="MOF")
    app_id = apply(world["hr-mof"], mof)
    moh = world["hr-moh"]
    for method, params in [("campaign.get", {"code": mof}), ("campaign.close", {"code": mof}),
                           ("application.submit", {"campaign": mof, "person_id": person(moh), "source": "domestic"}),
                           ("application.get", {"id": app_id}), ("application.advance", {"id": app_id, "to": "screening"}),
                           ("application.list", {"campaign": mof}), ("campaign.ranking", {"campaign": mof}),
                           ("campaign.assign_evaluator", {"campaign": mof, "principal": "ev1"}),
                           ("campaign.list", {"org": "MOF"}),
                           ("campaign.create", {"code": "MOH-FOR-MOF", "title": "x", "org": "MOF", "tier": "expert", "openings": 1,
                                                "opens_on": day(0), "closes_on": day(1), "criteria": RUBRIC})]:
        err = moh.error(method, params)
        assert err["code"] == FORBIDDEN, (method, err)
    own = campaign(moh, org="MOH")
    assert {c["org"] for c in moh.every("campaign.list")} == {"MOH"} and own in [c["code"] for c in moh.every("campaign.list")]
    assert world["hr-mof"].result("application.get", {"id": app_id})["stage"] == "applied"
    assert world["hr-mof"].result("campaign.get", {"code": mof})["state"] == "open"


def recruit(hr, nat, code, start_on, source="domestic", pid=None):
    app_id = apply(hr, code, pid or person(hr), source=source)
    advance(hr, app_id, "screening", "evaluation", "interview")
    hr.result("application.offer", {"id": app_id, "start_on": start_on})
    nat.result("application.approve_offer", {"id": app_id})
    return hr.result("application.accept", {"id": app_id})


def test_progress_against_the_target_at_several_dates(make_daemon):
    d = make_daemon(config={"leading_expert_target": 3})
    admin = d.login()
    token = principal(admin, "hr-nat", ["hr_official"])
    nat = d.connect()
    nat.login("hr-nat", token)
    le = campaign(admin, org="MOST", openings=5)
    le2 = campaign(admin, org="HA-NOI", openings=5)
    ex = campaign(admin, org="MOST", tier="expert")
    one = recruit(admin, nat, le, "2025-01-01")
    admin.result("expert.end", {"id": one["expert_id"], "end_on": "2025-06-30", "reason": "Về nước ngoài"})
    recruit(admin, nat, le, "2025-03-01", source="overseas")
    recruit(admin, nat, le2, day(10))
    recruit(admin, nat, ex, "2025-01-01")  # not a leading expert
    overdue = campaign(admin, org="MOF", opens=-40, closes=-1)
    pending = apply(admin, le)

    def progress(at=None):
        return admin.result("recruitment.progress", {"at": at} if at else {})

    def counts(p):
        x = p["leading_experts"]
        return x["in_post"], x["domestic"], x["overseas"], x["remaining"]

    assert counts(progress("2024-12-31")) == (0, 0, 0, 3)
    assert counts(progress("2025-01-01")) == (1, 1, 0, 2)
    assert counts(progress("2025-04-01")) == (2, 1, 1, 1)
    assert counts(progress("2025-07-01")) == (1, 0, 1, 2)
    now = progress()
    assert now["at"] == day(0) and now["target"] == 3 and counts(now) == (1, 0, 1, 2)
    assert now["leading_experts"]["by_org"] == [{"org": "MOST", "in_post": 1, "domestic": 0, "overseas": 1}]
    later = progress(day(10))
    assert counts(later) == (2, 1, 1, 1)
    assert [o["org"] for o in later["leading_experts"]["by_org"]] == ["HA-NOI", "MOST"]
    pipeline = {p["stage"]: p["count"] for p in now["pipeline"]}
    assert pipeline["recruited"] == 4 and pipeline["applied"] == 1 and sum(pipeline.values()) == 5
    assert sum(p["count"] for p in progress(day(-1))["pipeline"]) == 0  # nothing was recorded before today
    per_campaign = {c["campaign"]: c for c in now["campaigns"]}
    assert per_campaign[le]["days_to_recruit"] == [10, 10] and per_campaign[le]["recruited"] == 2
    assert (per_campaign[le]["min_days"], per_campaign[le]["median_days"], per_campaign[le]["max_days"]) == (10, 10, 10)
    assert set(per_campaign) == {le, le2, ex}
    assert progress(day(-1))["campaigns"] == []
    assert [(o["campaign"], o["left"]) for o in now["overdue"]] == [(overdue, 2)]
    assert progress(day(-2))["overdue"] == []
    assert pending > 0


# Who may call what, written out by hand (not read from the table or openrpc.json), so that a
# change of roles on either side fails here. Params name nothing that exists: an allowed call
# answers not_found (or, for reads of everything, a result) and changes nothing.
ROLES = ["admin", "hr_official", "ministry_agent", "reviewer", "ops", "auditor", "evaluator"]
RECRUITERS = {"admin", "hr_official"}
READERS = {"admin", "hr_official", "ministry_agent", "auditor", "evaluator"}
NONE = "NO-SUCH-CAMPAIGN"
ACCESS = {
    "campaign.open": (RECRUITERS, {"code": NONE}),
    "campaign.close": (RECRUITERS, {"code": NONE}),
    "campaign.cancel": (RECRUITERS, {"code": NONE, "reason": "x"}),
    "campaign.get": (READERS, {"code": NONE}),
    "campaign.list": (READERS, {}),
    "campaign.assign_evaluator": (RECRUITERS, {"campaign": NONE, "principal": "nobody"}),
    "campaign.unassign_evaluator": (RECRUITERS, {"campaign": NONE, "principal": "nobody"}),
    "campaign.ranking": ({"admin", "hr_official", "auditor"}, {"campaign": NONE}),
    "application.submit": ({"admin", "hr_official", "ministry_agent"}, {"campaign": NONE, "person_id": 1, "source": "domestic"}),
    "application.advance": (RECRUITERS, {"id": 987654, "to": "screening"}),
    "application.reject": (RECRUITERS, {"id": 987654, "reason_code": "other", "note": "x"}),
    "application.withdraw": ({"admin", "hr_official", "ministry_agent"}, {"id": 987654}),
    "application.offer": (RECRUITERS, {"id": 987654, "start_on": "2026-01-01"}),
    "application.approve_offer": ({"admin"}, {"id": 987654}),  # national only: role-hr_official has an org
    "application.accept": (RECRUITERS, {"id": 987654}),
    "application.get": (READERS, {"id": 987654}),
    "application.list": (READERS, {"campaign": NONE}),
    "evaluation.declare_conflict": ({"evaluator"}, {"application_id": 987654, "kind": "other", "note": "x"}),
    "evaluation.submit": ({"evaluator"}, {"application_id": 987654, "scores": {}}),
    "evaluation.list": ({"admin", "hr_official", "auditor", "evaluator"}, {"application_id": 987654}),
    "expert.get": ({"admin", "hr_official", "ministry_agent", "auditor"}, {"id": 987654}),
    "expert.list": ({"admin", "hr_official", "ministry_agent", "auditor"}, {}),
    "expert.end": (RECRUITERS, {"id": 987654, "end_on": "2026-01-01", "reason": "x"}),
    "recruitment.progress": ({"admin", "hr_official", "auditor"}, {}),
}


@pytest.fixture(scope="module")
def role_conns(daemon, world):
    conns = {}
    for role in ROLES:
        name = f"role-{role}"
        conn = daemon.connect()
        conn.login(name, principal(world["admin"], name, [role], org="MOHA" if role in ("hr_official", "ministry_agent") else None))
        conns[role] = conn
    return conns


@pytest.mark.parametrize("method", sorted(ACCESS))
@pytest.mark.parametrize("role", ROLES)
def test_role_against_recruitment_method(role_conns, role, method):
    allowed, params = ACCESS[method]
    response = role_conns[role].call(method, params)
    if role in allowed:
        assert response.get("error", {}).get("data", {}).get("reason", "not_found") == "not_found", response
    else:
        assert response["error"]["data"]["reason"] == "forbidden", response


def test_access_table_covers_every_recruitment_method(openrpc):
    documented = {m["name"]: m for m in openrpc["methods"] if m["name"].split(".")[0] in ("campaign", "application", "evaluation", "expert", "recruitment")}
    assert set(documented) - {"campaign.create"} == set(ACCESS)  # campaign.create: test_org_scoping and the lifecycle
    for name, (allowed, _) in ACCESS.items():
        national = {"hr_official"} if documented[name].get("x-national-only") else set()  # without an org only
        assert set(documented[name]["x-roles"]) == allowed | national, name


def ctl(d, *args, principal="admin", secret=None):
    env = {**os.environ, "TALENT_SOCKET": d.socket, "TALENT_PRINCIPAL": principal, "TALENT_SECRET": secret or d.admin_secret}
    env.pop("TALENT_TOKEN", None)
    return run([str(TALENTCTL), *args], env=env)


def test_talentctl_runs_a_campaign_from_a_csv_rubric(daemon, world, tmp_path):
    rubric = tmp_path / "rubric.csv"
    rubric.write_text('key,title,weight,max_score,min_score\nresearch,"Nghiên cứu, công bố",3,10,5\nleadership,Lãnh đạo,1,10,\n')
    created = ctl(daemon, "campaign", "create", "CTL-LE", "--title", "Chuyên gia đầu ngành", "--org", "MOST", "--tier", "leading_expert",
                  "--openings", "2", "--opens-on", day(-1), "--closes-on", day(10), "--criteria", str(rubric), "--field", "AI", "-o", "json")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["criteria"] == [
        {"key": "research", "title": "Nghiên cứu, công bố", "weight": 3, "max_score": 10, "min_score": 5},
        {"key": "leadership", "title": "Lãnh đạo", "weight": 1, "max_score": 10}]
    assert ctl(daemon, "campaign", "open", "CTL-LE").returncode == 0
    pid = person(world["admin"], "Phạm Thị Lan")
    submitted = ctl(daemon, "application", "submit", "--campaign", "CTL-LE", "--person-id", str(pid), "--source", "domestic", "-o", "json")
    app_id = json.loads(submitted.stdout)["id"]
    again = ctl(daemon, "application", "submit", "--campaign", "CTL-LE", "--person-id", str(pid), "--source", "domestic")
    assert again.returncode == 1 and "conflict" in again.stderr and str(app_id) in again.stderr
    assert ctl(daemon, "application", "advance", str(app_id), "--to", "evaluation").returncode == 0
    assert ctl(daemon, "campaign", "assign-evaluator", "CTL-LE", "ev1").returncode == 0
    token = world["admin"].result("token.create", {"principal": "ev1", "label": "ctl"})["token"]
    scored = ctl(daemon, "evaluation", "submit", str(app_id), "--score", "research=7", "--score", "leadership=3",
                 principal="ev1", secret=token)
    assert scored.returncode == 0, scored.stderr
    ranking = ctl(daemon, "campaign", "ranking", "CTL-LE", "-o", "csv")
    lines = ranking.stdout.splitlines()
    assert lines[0] == "rank,application_id,person_name,stage,weighted_score,research,leadership,evaluations,enough,eligible,spread,conflicts"
    assert lines[1] == f"1,{app_id},Phạm Thị Lan,evaluation,6.00,7.00,3.00,1,true,true,0.00,"  # (3*7 + 1*3) / 4
    shown = ctl(daemon, "application", "show", str(app_id), "-o", "table")
    assert "applied → screening" not in shown.stdout and "applied → evaluation" in shown.stdout
    progress = json.loads(ctl(daemon, "recruitment", "progress", "--at", day(0), "-o", "json").stdout)
    assert progress["target"] == 100 and progress["at"] == day(0)
    bad = ctl(daemon, "evaluation", "submit", str(app_id), "--score", "research")
    assert bad.returncode == 64 and "KEY=SCORE" in bad.stderr
    as_json = tmp_path / "rubric.json"
    as_json.write_text(json.dumps(RUBRIC, ensure_ascii=False), encoding="utf-8")
    created = ctl(daemon, "campaign", "create", "CTL-JSON", "--title", "Kiến trúc sư trưởng", "--org", "MOST", "--tier", "chief_architect",
                  "--openings", "1", "--opens-on", day(0), "--closes-on", day(10), "--criteria", str(as_json), "-o", "json")
    assert created.returncode == 0 and json.loads(created.stdout)["criteria"] == RUBRIC, created.stderr
    shown = ctl(daemon, "campaign", "show", "CTL-JSON", "-o", "table").stdout
    assert "criterion research" in shown and "weight 3, 0..10, min 5" in shown
    listed = ctl(daemon, "campaign", "list", "--tier", "chief_architect", "-o", "csv").stdout.splitlines()
    assert listed[0].startswith("code,org,tier,state") and any(line.startswith("CTL-JSON,MOST,chief_architect,draft") for line in listed)


def bulk_submit(d, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update(PYTHONPATH=str(CLIENT_DIR), TALENT_PRINCIPAL="admin", TALENT_SECRET=d.admin_secret)
    return run([sys.executable, str(CLIENT_DIR / "examples/bulk_submit_applications.py"), "--socket", d.socket, *args],
               env=env, timeout=120)


def test_bulk_submit_example_is_safe_to_rerun(daemon, world, tmp_path):
    code = campaign(world["admin"])
    csv_path = tmp_path / "candidates.csv"
    csv_path.write_text("full_name,birth_date,source,referred_by,employer,overseas_vietnamese\n"
                        "Đặng Văn Đức,1979-05-02,overseas,,Max Planck Institut,yes\n"
                        "Hoàng Thị Mai,1984-10-10,referral,GS. Nguyễn Văn A,,\n"
                        "Vũ Minh Tuấn,1990-01-20,domestic,,Viettel,\n", encoding="utf-8")
    first = bulk_submit(daemon, "--campaign", code, "--json", str(csv_path))
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["submitted"] == 3 and summary["failed"] == 0 and None not in summary["application_ids"]
    again = json.loads(bulk_submit(daemon, "--campaign", code, "--json", str(csv_path)).stdout)
    assert again["application_ids"] == summary["application_ids"], "a rerun must not create duplicates"
    # Keys forgotten (another prefix, as after the retention window): the database's one-per-person rule still holds.
    later = json.loads(bulk_submit(daemon, "--campaign", code, "--json", "--key-prefix", "other", str(csv_path)).stdout)
    assert later["already_submitted"] == 3 and later["submitted"] == 0 and later["application_ids"] == summary["application_ids"]
    assert len(world["admin"].every("application.list", {"campaign": code})) == 3
    overseas = world["admin"].result("application.get", {"id": summary["application_ids"][0]})
    assert overseas["source"] == "overseas" and overseas["person_name"] == "Đặng Văn Đức"
    late = campaign(world["admin"], opens=-30, closes=-2)
    failed = bulk_submit(daemon, "--campaign", late, str(csv_path))
    assert failed.returncode == 1 and "invalid_state: 3" in failed.stdout and day(-2) in failed.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("full_name,birth_date,source\nX,1990-01-01,referral\n", encoding="utf-8")
    assert bulk_submit(daemon, "--campaign", code, str(bad)).returncode == 64
