"""kpi.report and `talentctl kpi` over the real socket, on a known data set made through the API:
chief-engineer appointments (filled, vacant days over a window), experts recruited and candidates,
nominations through a whole award round, persons with missing fields and possible duplicates;
then who may read it and what an org-scoped caller gets."""
from __future__ import annotations

import csv
import io
import itertools
import json

import pytest

from conftest import TALENTCTL, run
from test_awards import CATEGORIES, CRITERIA, as_principal
from test_recruitment import advance, apply, campaign, day, recruit

FORBIDDEN = -32011
NOT_FOUND = -32004

_names = itertools.count(1)


def person(admin, **fields) -> int:
    fields.setdefault("full_name", f"Hoàng Thị Mai {next(_names)}")
    return admin.result("person.create", fields)["person"]["id"]


def appoint(admin, nat, org, post, start, end=None, approve=True, rank="department_director", pid=None):
    params = {"org": org, "post": post, "person_id": pid or person(admin), "term_start": start, "equivalent_rank": rank}
    if end:
        params["term_end"] = end
    created = admin.result("appointment.propose", params)
    if approve:
        nat.result("appointment.approve", {"id": created["id"]})
    return created["id"]


def build_world(d):
    """The known data set; returns the connections by role and what the tests check against."""
    admin = d.login()
    conns = {"admin": admin}
    for name, roles, org in [("nat", ["hr_official"], None), ("hr-moha", ["hr_official"], "MOHA"),
                             ("agent-mof", ["ministry_agent"], "MOF"), ("auditor", ["auditor"], None),
                             ("sec", ["award_secretariat"], "MOST"), ("ops", ["ops"], None),
                             ("rv-most", ["reviewer"], "MOST"), ("rv-mps", ["reviewer"], "MPS"), ("rv-moha", ["reviewer"], "MOHA")]:
        conns[name] = as_principal(d, admin, name, roles, org)
    nat = conns["nat"]

    # Chief engineers. MOHA: STI since 30 days ago; OPS from day 10 to day 19. MOF: STI only
    # proposed; OPS from today, ended early on day 4. HA-NOI: a rejected STI.
    holders = {"MOHA-sti": person(admin, full_name="Phạm Quốc Việt"), "MOF-ops": person(admin, full_name="Đỗ Minh Châu")}
    appoint(admin, nat, "MOHA", "chief_engineer_sti", day(-30), pid=holders["MOHA-sti"])
    appoint(admin, nat, "MOHA", "chief_engineer_ops", day(10), day(19))
    appoint(admin, nat, "MOF", "chief_engineer_sti", day(0), approve=False)
    mof_ops = appoint(admin, nat, "MOF", "chief_engineer_ops", day(0), pid=holders["MOF-ops"])
    admin.result("appointment.end", {"id": mof_ops, "end_date": day(4), "reason": "Chuyển công tác"})
    rejected = appoint(admin, nat, "HA-NOI", "chief_engineer_sti", day(0), approve=False, rank="provincial_department_director")
    admin.result("appointment.reject", {"id": rejected, "reason": "Không đạt"})

    # Experts: two leading experts for MOST (one starting in 20 days), one expert for MOH.
    # Candidates: two open applications to MOST (applied, interview), one to MOH, one rejected.
    most = campaign(admin, org="MOST", openings=5)
    moh = campaign(admin, org="MOH", tier="expert")
    recruit(admin, nat, most, day(-5))
    recruit(admin, nat, most, day(20))
    recruit(admin, nat, moh, day(-5))
    apply(admin, most)
    advance(admin, apply(admin, most), "screening", "evaluation", "interview")
    apply(admin, moh)
    admin.result("application.reject", {"id": apply(admin, moh), "reason_code": "failed_interview", "note": "Chưa đạt"})

    # Nominations: MOF submits three and withdraws one; MOHA one collective. n0 and MOHA's pass
    # every screening, n1 fails MPS's; the round is decided: n0 awarded, MOHA's not.
    sec = conns["sec"]
    sec.result("award_round.create", {"code": "KPI-AW", "title": "Giải thưởng KPI", "year": 2026, "opens_on": day(-10),
                                      "closes_on": day(10), "review_closes_on": day(20),
                                      "categories": CATEGORIES, "criteria": CRITERIA})
    sec.result("award_round.open", {"code": "KPI-AW"})
    awardee = person(admin, full_name="Vũ Thị Lan Anh", birth_date="1979-03-04", national_id="001179000123")

    def nominate(conn, category, nominee):
        return conn.result("nomination.submit", {"round": "KPI-AW", "category": category, "nominee": nominee,
                                                 "citation": "Đóng góp xuất sắc",
                                                 "achievements": [{"title": "VNeID", "year": 2025, "evidence_ref": "QĐ 1/2025"}]})["id"]
    agent = conns["agent-mof"]
    n0 = nominate(agent, "ind", {"person_id": awardee})
    n1 = nominate(agent, "ind", {"person_id": person(admin)})
    withdrawn = nominate(agent, "col", {"name": "Nhóm rút", "members": [person(admin)]})
    agent.result("nomination.withdraw", {"id": withdrawn, "reason": "Hồ sơ chưa đủ"})
    col = nominate(conns["hr-moha"], "col", {"name": "Nhóm Dữ liệu", "members": [person(admin), person(admin)]})
    sec.result("award_round.close", {"code": "KPI-AW"})
    for nid in (n0, n1, col):
        for agency, screener in [("MOST", "rv-most"), ("MPS", "rv-mps"), ("MOHA", "rv-moha")]:
            outcome = "fail" if (nid == n1 and agency == "MPS") else "pass"
            conns[screener].result("nomination.screen", {"id": nid, "agency": agency, "outcome": outcome, "note": "Đã thẩm tra"})
    assigned = sec.result("award_round.assign_reviewers", {"round": "KPI-AW", "per_nomination": 1})
    for assignment in assigned["assignments"]:
        for name in assignment["reviewers"]:
            conns[name].result("review.submit", {"nomination_id": assignment["nomination_id"], "scores": {"impact": 8, "novelty": 7},
                                                 "recommendation": "award", "confidence": 4})
    sec.result("award_round.close_review", {"code": "KPI-AW"})
    sec.result("award_round.submit_list", {"round": "KPI-AW", "nomination_ids": [n0, col], "note": "Đề nghị khen thưởng"})
    admin.result("award_round.decide", {"round": "KPI-AW", "decisions": [
        {"nomination_id": n0, "outcome": "awarded", "decision_ref": "QĐ 7/QĐ-TTg"},
        {"nomination_id": col, "outcome": "not_awarded", "decision_ref": "QĐ 7/QĐ-TTg"}]})

    # Duties, on today: MOHA done late, done on time, late (its chief engineers); MOF late and
    # open; MOST on time (a leading expert in post since day -5); HA-NOI's cancelled one not counted.
    def duty(org, due, kind="manual", **extra):
        return admin.result("duty.create", {"title": f"Nhiệm vụ {kind}", "orgs": [org], "due_on": due, "kind": kind,
                                            **extra})["duties"][0]["id"]
    for due in (-5, 10):
        admin.result("duty.complete", {"id": duty("MOHA", day(due)), "result": "Đã xong"})
    duty("MOHA", day(-1), "chief_engineers")
    duty("MOF", day(-3))
    duty("MOF", day(5))
    duty("MOST", day(-1), "recruitment", target=1)
    admin.result("duty.cancel", {"id": duty("HA-NOI", day(-2)), "reason": "Giao trùng"})

    # Data quality: 2 persons share a name (typed two ways) and birth date, 3 more share another,
    # 2 share an email in different case: 7 persons in 1 + 3 + 1 = 5 pairs.
    private = {"national_id": "079088001234", "birth_date": "1988-08-08", "name": "Đặng Văn Đức"}
    person(admin, full_name="Đặng Văn Đức", birth_date="1988-08-08", national_id="079088001234")
    person(admin, full_name="Dang Van Duc", birth_date="1988-08-08", employer="Viettel")
    for _ in range(3):
        person(admin, full_name="Lê Thu Trang", birth_date="1990-01-01")
    person(admin, full_name="Ngô Bảo Châu A", email="chau@example.vn")
    person(admin, full_name="Ngô Bảo Châu B", email="CHAU@example.vn", employer="VIASM")
    return conns, holders, private


@pytest.fixture(scope="module")
def world(daemon):
    return build_world(daemon)


def org_of(report, code):
    [org] = [o for o in report["orgs"] if o["code"] == code]
    return org


def test_chief_engineers_filled_and_days_vacant(world):
    conns, _, _ = world
    admin = conns["admin"]
    today = admin.result("kpi.report", {})
    assert today["at"] == day(0)
    moha, mof = org_of(today, "MOHA")["chief_engineers"], org_of(today, "MOF")["chief_engineers"]
    # The seeded orgs were created today: the window is today alone.
    assert moha == {"filled": 1, "posts": 2, "window_start": day(0), "window_days": 1,
                    "sti": {"filled": True, "days_vacant": 0}, "ops": {"filled": False, "days_vacant": 1}}
    assert mof["filled"] == 1 and mof["sti"] == {"filled": False, "days_vacant": 1} and mof["ops"]["days_vacant"] == 0
    assert org_of(today, "HA-NOI")["chief_engineers"]["filled"] == 0

    # Thirty days on: 31 days in the window. MOHA OPS ran days 10-19, MOF OPS days 0-4.
    later = admin.result("kpi.report", {"at": day(30)})
    moha, mof = org_of(later, "MOHA")["chief_engineers"], org_of(later, "MOF")["chief_engineers"]
    assert moha["window_days"] == 31 and moha["filled"] == 1
    assert moha["sti"] == {"filled": True, "days_vacant": 0} and moha["ops"] == {"filled": False, "days_vacant": 21}
    assert mof["filled"] == 0 and mof["sti"]["days_vacant"] == 31 and mof["ops"]["days_vacant"] == 26
    assert later["national"]["chief_engineers"]["posts"] == 2 * len(later["orgs"])
    assert later["national"]["chief_engineers"]["days_vacant"] == 31 * 2 * len(later["orgs"]) - 31 - 10 - 5

    # Before the orgs existed there is nothing to count.
    before = org_of(admin.result("kpi.report", {"at": day(-1)}), "MOHA")["chief_engineers"]
    assert before["window_days"] == 0 and before["sti"]["days_vacant"] == 0 and before["sti"]["filled"]


def test_experts_and_candidates(world):
    admin = world[0]["admin"]
    today = admin.result("kpi.report", {})
    assert org_of(today, "MOST")["experts"] == {"in_post": 1, "leading_in_post": 1, "candidates": 2}
    assert org_of(today, "MOH")["experts"] == {"in_post": 1, "leading_in_post": 0, "candidates": 1}
    assert org_of(today, "MOF")["experts"] == {"in_post": 0, "leading_in_post": 0, "candidates": 0}
    assert today["national"]["experts"] == {"in_post": 2, "leading_in_post": 1, "candidates": 3}
    # recruitment.progress counts the same leading experts.
    assert admin.result("recruitment.progress", {})["leading_experts"]["in_post"] == 1
    assert org_of(admin.result("kpi.report", {"at": day(30)}), "MOST")["experts"]["in_post"] == 2
    # Yesterday no application existed yet (their stages are dated when recorded).
    assert admin.result("kpi.report", {"at": day(-1)})["national"]["experts"]["candidates"] == 0


def test_nominations_submitted_passed_awarded(world):
    admin = world[0]["admin"]
    today = admin.result("kpi.report", {})
    assert org_of(today, "MOF")["nominations"] == {"submitted": 2, "passed": 1, "awarded": 1}
    assert org_of(today, "MOHA")["nominations"] == {"submitted": 1, "passed": 1, "awarded": 0}
    assert today["national"]["nominations"] == {"submitted": 3, "passed": 2, "awarded": 1}
    assert admin.result("kpi.report", {"at": day(-1)})["national"]["nominations"] == {"submitted": 0, "passed": 0, "awarded": 0}


def test_duties_and_the_on_time_ranking(world):
    admin = world[0]["admin"]
    today = admin.result("kpi.report", {})
    assert org_of(today, "MOHA")["duties"] == {"on_time": 1, "late": 1, "done_late": 1, "open": 0, "rated": 3, "on_time_rate": 0.3333}
    assert org_of(today, "MOF")["duties"] == {"on_time": 0, "late": 1, "done_late": 0, "open": 1, "rated": 1, "on_time_rate": 0}
    assert org_of(today, "MOST")["duties"] == {"on_time": 1, "late": 0, "done_late": 0, "open": 0, "rated": 1, "on_time_rate": 1}
    assert org_of(today, "HA-NOI")["duties"] == {"on_time": 0, "late": 0, "done_late": 0, "open": 0, "rated": 0, "on_time_rate": None}
    assert today["national"]["duties"] == {"on_time": 2, "late": 2, "done_late": 1, "open": 1, "rated": 5, "on_time_rate": 0.4}
    assert [(r["rank"], r["org"]) for r in today["on_time_ranking"][:4]] == [(1, "MOST"), (2, "MOHA"), (3, "MOF"), (None, "AN-GIANG")]
    # The same counts as duty.list gives, status by status.
    for status, key in [("done", "on_time"), ("late", "late"), ("done_late", "done_late"), ("open", "open")]:
        assert len(admin.every("duty.list", {"status": status})) == today["national"]["duties"][key], status
    # On day 30 MOHA's chief engineers were both in post on day 10: done late; MOF's open one is late.
    later = admin.result("kpi.report", {"at": day(30)})
    assert org_of(later, "MOHA")["duties"] == {"on_time": 1, "late": 0, "done_late": 2, "open": 0, "rated": 3, "on_time_rate": 0.3333}
    assert org_of(later, "MOF")["duties"]["late"] == 2


def test_data_quality_against_the_registry(world):
    admin = world[0]["admin"]
    persons = admin.every("person.list")
    quality = admin.result("kpi.report", {})["data_quality"]
    assert quality == {
        "persons": len(persons),
        "missing_birth_date": sum(not p.get("birth_date") for p in persons),
        "missing_national_id": sum(not p.get("national_id") for p in persons),
        "missing_employer": sum(not p.get("employer") for p in persons),
        "possible_duplicates": {"persons": 7, "pairs": 5},
    }
    assert 0 < quality["missing_employer"] < quality["persons"]


def test_orgs_come_in_coverage_order_and_ranking_lists_every_org(world):
    admin = world[0]["admin"]
    report = admin.result("kpi.report", {})
    coverage = admin.result("coverage.report", {})
    assert [o["code"] for o in report["orgs"]] == [o["code"] for o in coverage["orgs"]]
    assert report["national"]["orgs"] == len(report["orgs"]) == 51
    ranking = report["on_time_ranking"]
    assert sorted(r["org"] for r in ranking) == sorted(o["code"] for o in report["orgs"])
    # Without a rated duty, an org has no rank and comes last, by code.
    unrated = [r for r in ranking if r["rated"] == 0]
    assert all(r["rank"] is None and r["on_time_rate"] is None for r in unrated)
    assert [r["org"] for r in unrated] == sorted(r["org"] for r in unrated) == [r["org"] for r in ranking[-len(unrated):]]


def test_the_report_holds_no_personal_data(world):
    conns, _, private = world
    text = json.dumps(conns["admin"].result("kpi.report", {}), ensure_ascii=False)
    for value in [*private.values(), "Phạm Quốc Việt", "Vũ Thị Lan Anh", "chau@example.vn", "person_id"]:
        assert value not in text


def test_who_may_read_it_and_what_an_org_gets(world):
    conns, _, _ = world
    national = conns["admin"].result("kpi.report", {})
    for name in ("nat", "auditor"):
        assert conns[name].result("kpi.report", {}) == national
    own = conns["hr-moha"].result("kpi.report", {})
    assert own["org"] == "MOHA" and [o["code"] for o in own["orgs"]] == ["MOHA"]
    assert "national" not in own and "data_quality" not in own and "on_time_ranking" not in own
    assert own["orgs"][0] == org_of(national, "MOHA")
    assert conns["hr-moha"].result("kpi.report", {"org": "MOHA"}) == own
    assert conns["auditor"].result("kpi.report", {"org": "MOF"})["orgs"] == [org_of(national, "MOF")]
    denied = conns["hr-moha"].error("kpi.report", {"org": "MOF"})
    assert denied["code"] == FORBIDDEN and "MOHA" in denied["message"]
    for name in ("agent-mof", "sec", "ops", "rv-most"):
        assert conns[name].error("kpi.report", {})["code"] == FORBIDDEN, name
    missing = conns["admin"].error("kpi.report", {"org": "NOPE"})
    assert missing["code"] == NOT_FOUND and missing["data"]["field"] == "org"


def ctl(d, *args, principal="admin", secret=None):
    secret_file = d.dir / f"{principal}.secret"
    secret_file.write_text(secret or d.admin_secret)
    return run([str(TALENTCTL), "--socket", d.socket, "--principal", principal, "--secret-file", str(secret_file), *args])


def test_talentctl_kpi(daemon, world):
    admin = world[0]["admin"]
    report = admin.result("kpi.report", {"at": day(30)})
    table = ctl(daemon, "kpi", "--at", day(30))
    assert table.returncode == 0, table.stderr
    [moha_line] = [line for line in table.stdout.splitlines() if line.startswith("MOHA ")]
    assert moha_line.split()[:4] == ["MOHA", "1/2", "0", "21"]
    assert "51 orgs" in table.stdout and "5 possible duplicate pairs" in table.stdout

    out = ctl(daemon, "kpi", "--at", day(30), "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["code"] for r in rows] == [o["code"] for o in report["orgs"]] + ["national"]
    most = next(r for r in rows if r["code"] == "MOST")
    assert (most["experts_in_post"], most["leading_experts_in_post"], most["candidates"]) == ("2", "2", "2")
    assert most["ce_days_vacant"] == "62" and rows[-1]["ce_days_vacant"] == str(report["national"]["chief_engineers"]["days_vacant"])

    assert json.loads(ctl(daemon, "kpi", "--at", day(30), "-o", "json").stdout) == report
    wrong = ctl(daemon, "kpi", "--org", "nope")
    assert wrong.returncode == 1 and "NOPE" in wrong.stderr and "`talentctl org list`" in wrong.stderr
