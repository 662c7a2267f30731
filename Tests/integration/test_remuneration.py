"""Remuneration over the real socket: dated parameters known as of a time, corrections kept in
history, pay computed with its explanation, arrears after a late decree, what-if simulation that
writes nothing, roles, talentctl."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import time
from decimal import ROUND_HALF_UP, Decimal

import pytest

from conftest import TALENTCTL, run

INVALID_PARAMS = -32602
NOT_FOUND = -32004
CONFLICT = -32005
FORBIDDEN = -32011

_names = itertools.count(1)


def principal(admin, name, roles, org=None) -> str:
    params = {"name": name, "kind": "human", "roles": roles}
    if org:
        params["org"] = org
    admin.result("principal.create", params)
    return admin.result("token.create", {"principal": name, "label": "test"})["token"]


def logins(daemon, specs):
    admin = daemon.login()
    conns = {"admin": admin}
    for name, roles, org in specs:
        token = principal(admin, name, roles, org)
        conn = daemon.connect()
        conn.login(name, token)
        conns[name] = conn
    return conns


PEOPLE = [("hr-nat", ["hr_official"], None), ("hr-moha", ["hr_official"], "MOHA"), ("agent-moha", ["ministry_agent"], "MOHA"),
          ("auditor-1", ["auditor"], None), ("ops-1", ["ops"], None)]


@pytest.fixture(scope="module")
def world(daemon):
    return logins(daemon, PEOPLE)


def coefficient_param(conn, name, value, effective_from="2019-07-01", decision_ref="Decree 26/2023/ND-CP (test)"):
    conn.call("param.define", {"name": name, "unit": "coefficient", "description": f"test {name}"})  # may exist already
    return conn.result("param.set", {"name": name, "effective_from": effective_from, "value": value, "decision_ref": decision_ref})


def appoint(proposer, approver, org, post, rank, start, coefficient=None, name=None, program=None) -> tuple[int, int]:
    """A person appointed and approved; returns (person_id, appointment_id)."""
    pid = proposer.result("person.create", {"full_name": name or f"Phạm Văn Lương {next(_names)}"})["person"]["id"]
    params = {"org": org, "post": post, "person_id": pid, "term_start": start, "equivalent_rank": rank,
              "decision_ref": f"{pid}/QĐ-TTg"}
    if coefficient:
        params["salary_coefficient"] = coefficient
    if program:
        params["program"] = program
    aid = proposer.result("appointment.propose", params)["id"]
    approver.result("appointment.approve", {"id": aid})
    return pid, aid


def now(conn) -> str:
    """The daemon's clock, then a pause so that later records are strictly after it."""
    stamp = conn.result("system.ping")["time"]
    time.sleep(0.01)
    return stamp


def half_up(coefficient: str, amount: int) -> int:
    return int((Decimal(coefficient) * amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("at, value, decision", [
    ("2019-07-01", 1490000, "Decree 38/2019/ND-CP"), ("2023-06-30", 1490000, "Decree 38/2019/ND-CP"),
    ("2023-07-01", 1800000, "Decree 24/2023/ND-CP"), ("2024-06-30", 1800000, "Decree 24/2023/ND-CP"),
    ("2024-07-01", 2340000, "Decree 73/2024/ND-CP"), ("2026-01-01", 2340000, "Decree 73/2024/ND-CP"),
])
def test_seeded_base_salary_either_side_of_each_change(world, at, value, decision):
    got = world["auditor-1"].result("param.get", {"name": "base_salary", "at": at})
    assert (got["value"], got["decision_ref"], got["unit"], got["at"]) == (value, decision, "vnd", at)
    assert got["recorded_by"] == "talentd init"


def test_no_value_before_the_first_decree_says_what_and_how(world):
    error = world["admin"].error("param.get", {"name": "base_salary", "at": "2019-06-30"})
    assert error["code"] == NOT_FOUND
    assert error["data"]["parameter"] == "base_salary" and error["data"]["at"] == "2019-06-30"
    assert "2019-07-01" in error["message"] and "param.set" in error["message"]
    unknown = world["admin"].error("param.get", {"name": "leadership_allowance.nobody"})
    assert unknown["code"] == NOT_FOUND and "param.define" in unknown["message"]
    history = world["admin"].result("param.history", {"name": "base_salary"})
    assert [(v["effective_from"], v["value"]) for v in history["values"]] == [
        ("2019-07-01", 1490000), ("2023-07-01", 1800000), ("2024-07-01", 2340000)]


def test_late_entry_correction_and_as_of(world):
    hr = world["hr-nat"]
    name = "leadership_allowance.department_director"
    defined = hr.result("param.define", {"name": name, "unit": "coefficient", "description": "Phụ cấp chức vụ vụ trưởng"})
    assert defined["unit"] == "coefficient" and defined["defined_by"] == "hr-nat"
    assert hr.error("param.define", {"name": name, "unit": "vnd", "description": "again"})["code"] == CONFLICT
    before_any = now(hr)
    # Entered late: effective since 2024-07-01, recorded today.
    first = hr.result("param.set", {"name": name, "effective_from": "2024-07-01", "value": "0.80",
                                    "decision_ref": "Decree 204/2004/ND-CP"})
    assert first["value"] == "0.8" and first["recorded_by"] == "hr-nat" and "corrects_id" not in first
    between = now(hr)

    # A second value for the same date is a correction: refused unless it says so, with a note.
    clash = hr.error("param.set", {"name": name, "effective_from": "2024-07-01", "value": "0.9", "decision_ref": "x"})
    assert clash["code"] == CONFLICT and clash["data"]["value_id"] == first["id"]
    assert "corrects: true" in clash["message"]
    no_note = hr.error("param.set", {"name": name, "effective_from": "2024-07-01", "value": "0.9", "decision_ref": "x",
                                     "corrects": True})
    assert no_note["code"] == INVALID_PARAMS and no_note["data"]["field"] == "note"
    nothing = hr.error("param.set", {"name": name, "effective_from": "2024-08-01", "value": "0.9", "decision_ref": "x",
                                     "corrects": True, "note": "n"})
    assert nothing["code"] == INVALID_PARAMS and nothing["data"]["field"] == "corrects"
    corrected = hr.result("param.set", {"name": name, "effective_from": "2024-07-01", "value": "0.9",
                                        "decision_ref": "Decree 204/2004/ND-CP", "corrects": True, "note": "Nhập sai hệ số"})
    assert corrected["corrects_id"] == first["id"] and corrected["note"] == "Nhập sai hệ số"

    # Floats and wrong units are refused, naming the field.
    for bad in (0.9, "0.9999", "-1", 2):
        error = hr.error("param.set", {"name": name, "effective_from": "2025-01-01", "value": bad, "decision_ref": "x"})
        assert error["code"] == INVALID_PARAMS and error["data"]["field"] == "value", (bad, error)
    error = hr.error("param.set", {"name": "base_salary", "effective_from": "2025-01-01", "value": "2.5", "decision_ref": "x"})
    assert error["code"] == INVALID_PARAMS and error["data"]["field"] == "value" and "JSON integer" in error["message"]

    get = lambda **kw: hr.call("param.get", {"name": name, "at": "2024-12-31", **kw})
    assert get()["result"]["value"] == "0.9"
    assert get(as_of=between)["result"]["value"] == "0.8"
    assert get(as_of=between)["result"]["as_of"] == between
    missing = get(as_of=before_any)["error"]
    assert missing["code"] == NOT_FOUND and missing["data"] == {"reason": "not_found", "parameter": name, "at": "2024-12-31"}
    assert hr.error("param.get", {"name": name, "at": "2024-06-30"})["code"] == NOT_FOUND

    history = hr.result("param.history", {"name": name})
    old, new = history["values"]
    assert old["value"] == "0.8" and old["replaced_by"] == "hr-nat" and old["replaced_at"] == corrected["recorded_at"]
    assert new["value"] == "0.9" and "replaced_at" not in new
    entries = world["admin"].result("audit.list", {"method": "param.set", "limit": 500})["entries"]
    assert sum(e["target"] == {"type": "param", "id": name} for e in entries) == 2  # refusals change nothing

    # A retried param.set with its idempotency key records nothing twice.
    retry = {"name": name, "effective_from": "2025-07-01", "value": "0.95", "decision_ref": "Decree 1/2025 (test)",
             "idempotency_key": "late-entry-1"}
    assert hr.result("param.set", retry) == hr.result("param.set", retry)
    assert len(hr.result("param.history", {"name": name})["values"]) == 3

    listed = {p["name"]: p for p in hr.result("param.list", {"limit": 500})["params"]}
    assert listed[name]["current"] == {"value": "0.95", "effective_from": "2025-07-01", "decision_ref": "Decree 1/2025 (test)"}
    assert listed["base_salary"]["current"]["value"] == 2340000


def test_compute_explains_a_chief_engineers_pay(world):
    admin, hr = world["admin"], world["hr-nat"]
    coefficient_param(hr, "leadership_allowance.deputy_director_general", "0.9")
    pid, aid = appoint(world["hr-moha"], hr, "MOHA", "chief_engineer_ops", "deputy_director_general", "2024-01-01", "6.25")
    pay = world["agent-moha"].result("remuneration.compute", {"person_id": pid, "at": "2024-07-15"})
    assert pay["total"] == 2106000 + 14625000
    allowance, salary = pay["components"]
    assert allowance["key"] == "leadership_allowance" and allowance["amount"] == 2106000
    assert allowance["formula"] == "leadership_allowance.deputy_director_general × base_salary = 0.9 × 2340000 = 2106000"
    assert allowance["source"] == {"appointment_id": aid}
    assert allowance["inputs"] == [
        {"parameter": "leadership_allowance.deputy_director_general", "value": "0.9", "effective_from": "2019-07-01",
         "decision_ref": "Decree 26/2023/ND-CP (test)"},
        {"parameter": "base_salary", "value": 2340000, "effective_from": "2024-07-01", "decision_ref": "Decree 73/2024/ND-CP"}]
    assert salary["key"] == "salary" and salary["inputs"][0] == {
        "parameter": "salary_coefficient", "value": "6.25", "effective_from": "2024-01-01", "decision_ref": f"{pid}/QĐ-TTg"}
    # Anyone can recompute the result from the explanation alone.
    for component in pay["components"]:
        coefficient, base = (i["value"] for i in component["inputs"])
        assert component["amount"] == half_up(coefficient, base)
    # Before 2024-07-01 the previous decree's base salary applies.
    june = admin.result("remuneration.compute", {"person_id": pid, "at": "2024-06-30"})
    assert [c["amount"] for c in june["components"]] == [1620000, 11250000]
    # Before the term: nothing, with a reason.
    before = admin.result("remuneration.compute", {"person_id": pid, "at": "2023-12-31"})
    assert before["components"] == [] and before["total"] == 0 and "no paid post" in before["reason"]
    assert admin.result("appointment.get", {"id": aid})["salary_coefficient"] == "6.25"
    # A second source (the same person as a chief architect): both are paid, each naming its appointment.
    architect = world["hr-moha"].result("appointment.propose", {
        "org": "MOHA", "post": "chief_architect", "program": "Dữ liệu số", "person_id": pid, "term_start": "2024-07-01",
        "equivalent_rank": "deputy_director_general"})["id"]
    hr.result("appointment.approve", {"id": architect})
    both = admin.result("remuneration.compute", {"person_id": pid, "at": "2024-07-15"})
    assert [(c["key"], c["source"]) for c in both["components"]] == [
        ("leadership_allowance", {"appointment_id": aid}), ("salary", {"appointment_id": aid}),
        ("leadership_allowance", {"appointment_id": architect})]
    assert both["total"] == pay["total"] + 2106000
    # MOHA's own script reads it; an unknown person is not_found.
    assert world["agent-moha"].result("remuneration.compute", {"person_id": pid, "at": "2024-07-15"})["total"] == both["total"]
    assert admin.error("remuneration.compute", {"person_id": 999999, "at": "2024-07-15"})["code"] == NOT_FOUND


def test_a_missing_allowance_answers_not_found_naming_it(world):
    pid, _ = appoint(world["hr-moha"], world["hr-nat"], "MOHA", "chief_architect", "deputy_minister", "2025-01-01",
                     name="Võ Thị Thiếu", program="Chính phủ số")
    error = world["admin"].error("remuneration.compute", {"person_id": pid, "at": "2025-02-01"})
    assert error["code"] == NOT_FOUND and error["data"]["parameter"] == "leadership_allowance.deputy_minister"
    assert error["data"]["at"] == "2025-02-01"
    assert "param.define" in error["message"]


@pytest.mark.parametrize("coefficient", ["0", "0.000", "1.2345", "6,2", "-1"])
def test_a_salary_coefficient_must_be_a_positive_exact_decimal(world, coefficient):
    admin = world["admin"]
    pid = admin.result("person.create", {"full_name": f"Đỗ Hệ Số {next(_names)}"})["person"]["id"]
    error = admin.error("appointment.propose", {"org": "MOST", "post": "chief_engineer_sti", "person_id": pid,
                                                "term_start": "2030-01-01", "equivalent_rank": "director_general",
                                                "salary_coefficient": coefficient})
    assert error["code"] == INVALID_PARAMS and error["data"]["field"] == "salary_coefficient", error


def test_roles(daemon, world):
    for name in ("hr-moha", "agent-moha", "auditor-1"):
        error = world[name].error("param.define", {"name": "x_" + name.replace("-", "_"), "unit": "vnd", "description": "x"})
        assert error["code"] == FORBIDDEN, name
        error = world[name].error("param.set", {"name": "base_salary", "effective_from": "2030-01-01", "value": 1, "decision_ref": "x"})
        assert error["code"] == FORBIDDEN, name
    for method, params in [("param.get", {"name": "base_salary"}), ("param.list", {}), ("remuneration.report", {"at": "2025-01-01"}),
                           ("remuneration.simulate", {"at": "2025-01-01", "changes": [{"parameter": "base_salary", "value": 1}]})]:
        assert world["ops-1"].error(method, params)["code"] == FORBIDDEN, method
    # An org's HR official reads its own org's cost only.
    assert world["hr-moha"].error("remuneration.report", {"at": "2025-01-01", "org": "MOF"})["code"] == FORBIDDEN
    own = world["hr-moha"].result("remuneration.report", {"at": "2025-01-01"})
    assert {o["org"] for o in own["orgs"]} == {"MOHA"}
    # An org's official computes pay only from its own org's posts.
    pid, _ = appoint(world["hr-moha"], world["hr-nat"], "MOHA", "chief_architect", "deputy_minister", "2025-01-01",
                     program="Công nghiệp bán dẫn")
    hr_mof = daemon.connect()
    hr_mof.login("hr-mof", principal(world["admin"], "hr-mof", ["hr_official"], "MOF"))
    seen = hr_mof.result("remuneration.compute", {"person_id": pid, "at": "2025-02-01"})
    assert seen["components"] == [] and " in MOF " in seen["reason"]
    assert world["hr-moha"].error("remuneration.compute", {"person_id": pid, "at": "2025-02-01"})["code"] == NOT_FOUND
    # The chief architects whose rank has no allowance yet are listed, not priced at zero.
    own = world["hr-moha"].result("remuneration.report", {"at": "2025-01-01"})
    assert own["national"]["unpriced"] == 2
    assert {u["parameter"] for u in own["unpriced"]} == {"leadership_allowance.deputy_minister"}


@pytest.fixture
def priced(make_daemon):
    """A fresh daemon with three chief engineers in two ministries and known allowances."""
    d = make_daemon()
    conns = logins(d, [("hr-nat", ["hr_official"], None), ("hr-nat2", ["hr_official"], None)])
    hr, hr2 = conns["hr-nat"], conns["hr-nat2"]
    coefficient_param(hr, "leadership_allowance.director_general", "1.25")
    coefficient_param(hr, "leadership_allowance.deputy_director_general", "1.0")
    coefficient_param(hr, "leadership_allowance.department_director", "0.8")
    people = {
        "moha_sti": appoint(hr, hr2, "MOHA", "chief_engineer_sti", "director_general", "2024-01-01", "6.2"),
        "moha_ops": appoint(hr, hr2, "MOHA", "chief_engineer_ops", "deputy_director_general", "2024-01-01"),
        "mof_sti": appoint(hr, hr2, "MOF", "chief_engineer_sti", "department_director", "2024-01-01"),
    }
    return d, conns, people


def test_simulation_deltas_on_a_known_data_set_and_nothing_written(priced):
    d, conns, _ = priced
    hr = conns["hr-nat"]
    head = conns["admin"].result("audit.verify")["entries"]
    sim = hr.result("remuneration.simulate", {"at": "2025-01-01", "changes": [{"parameter": "base_salary", "value": 2600000}]})
    assert sim["changes"] == [{"parameter": "base_salary", "value": 2600000, "effective_from": "2025-01-01"}]
    by_org = {o["org"]: o for o in sim["orgs"]}
    assert by_org["MOHA"] == {"org": "MOHA", "people": 2, "affected": 2, "baseline": 2925000 + 14508000 + 2340000,
                              "simulated": 3250000 + 16120000 + 2600000, "delta": 2197000, "unpriced": 0}
    assert by_org["MOF"] == {"org": "MOF", "people": 1, "affected": 1, "baseline": 1872000, "simulated": 2080000, "delta": 208000,
                             "unpriced": 0}
    assert sim["national"] == {"people": 3, "affected": 3, "baseline": 21645000, "simulated": 24050000, "delta": 2405000,
                                 "unpriced": 0}

    one = hr.result("remuneration.simulate", {"at": "2025-01-01",
                                              "changes": [{"parameter": "leadership_allowance.department_director", "value": "0.95"}]})
    assert [(o["org"], o["affected"], o["delta"]) for o in one["orgs"]] == [("MOF", 1, 351000), ("MOHA", 0, 0)]
    later = hr.result("remuneration.simulate", {"at": "2025-01-01", "changes": [
        {"parameter": "base_salary", "value": 2600000, "effective_from": "2025-07-01"}]})
    assert later["national"]["delta"] == 0 and later["national"]["affected"] == 0

    bad = hr.error("remuneration.simulate", {"at": "2025-01-01", "changes": [{"parameter": "base_salary", "value": "2600000"}]})
    assert bad["code"] == INVALID_PARAMS and bad["data"]["field"] == "changes[0].value"
    bad = hr.error("remuneration.simulate", {"at": "2025-01-01", "changes": [{"parameter": "no_such", "value": 1}]})
    assert bad["code"] == INVALID_PARAMS and bad["data"]["field"] == "changes[0].parameter"

    # Nothing was written: the audit head has not moved and the base salary is as seeded.
    assert conns["admin"].result("audit.verify")["entries"] == head
    assert hr.result("param.get", {"name": "base_salary", "at": "2025-01-01"})["value"] == 2340000

    report = hr.result("remuneration.report", {"at": "2025-01-01"})
    assert report["national"]["total"] == 21645000 and report["national"]["head_count"] == 3
    moha = next(o for o in report["orgs"] if o["org"] == "MOHA")
    assert moha["posts"] == [{"post": "chief_engineer_sti", "head_count": 1, "total": 17433000},
                             {"post": "chief_engineer_ops", "head_count": 1, "total": 2340000}]


def test_arrears_after_a_late_decree(priced):
    d, conns, people = priced
    hr = conns["hr-nat"]
    pid = people["moha_sti"][0]
    paid_as_of = now(hr)
    # A decree raising the base salary from 2025-07-01, entered late.
    hr.result("param.set", {"name": "base_salary", "effective_from": "2025-07-01", "value": 2600000,
                            "decision_ref": "Decree 999/2025/ND-CP (test)"})
    arrears = hr.result("remuneration.arrears", {"person_id": pid, "from": "2025-05-20", "to": "2025-08-01", "paid_as_of": paid_as_of})
    months = [(m["month"], m["paid"], m["due"], m["difference"]) for m in arrears["months"]]
    assert months == [("2025-05", 17433000, 17433000, 0), ("2025-06", 17433000, 17433000, 0),
                      ("2025-07", 17433000, 19370000, 1937000), ("2025-08", 17433000, 19370000, 1937000)]
    assert arrears["total_difference"] == 2 * 1937000
    july = arrears["months"][2]
    assert july["changed_inputs"] == [{"parameter": "base_salary", "value": 2600000, "effective_from": "2025-07-01",
                                       "decision_ref": "Decree 999/2025/ND-CP (test)"}]
    assert "changed_inputs" not in arrears["months"][0]
    # As known at paid_as_of, compute still answers the old base salary.
    old = hr.result("remuneration.compute", {"person_id": pid, "at": "2025-07-01", "as_of": paid_as_of})
    assert old["total"] == 17433000
    too_long = hr.error("remuneration.arrears", {"person_id": pid, "from": "2000-01-01", "to": "2025-08-01", "paid_as_of": paid_as_of})
    assert too_long["code"] == INVALID_PARAMS


def ctl(d, *args, principal="admin", secret=None):
    env = {**os.environ, "TALENT_SOCKET": d.socket, "TALENT_PRINCIPAL": principal, "TALENT_SECRET": secret or d.admin_secret}
    env.pop("TALENT_TOKEN", None)
    return run([str(TALENTCTL), *args], env=env)


def test_talentctl_param_and_pay(priced):
    d, conns, people = priced
    pid = people["moha_sti"][0]
    out = ctl(d, "param", "list", "-o", "table")
    assert out.returncode == 0, out.stderr
    assert "base_salary" in out.stdout and "2340000" in out.stdout
    out = ctl(d, "param", "show", "base_salary", "--at", "2023-07-01", "-o", "json")
    assert json.loads(out.stdout)["value"] == 1800000
    out = ctl(d, "param", "define", "expert_allowance.leading_expert", "--unit", "coefficient", "--description", "Chuyên gia đầu ngành")
    assert out.returncode == 0, out.stderr
    out = ctl(d, "param", "set", "expert_allowance.leading_expert", "--from", "2025-01-01", "--value", "10",
              "--decision-ref", "Decree 1/2025/ND-CP (test)")
    assert out.returncode == 0, out.stderr
    out = ctl(d, "param", "history", "expert_allowance.leading_expert", "-o", "table")
    assert "Decree 1/2025/ND-CP (test)" in out.stdout
    out = ctl(d, "param", "show", "expert_allowance.leading_expert", "--at", "2024-12-31")
    assert out.returncode == 1 and "talentctl param set expert_allowance.leading_expert --from 2024-12-31" in out.stderr

    out = ctl(d, "pay", "show", str(pid), "--at", "2025-01-01", "--explain", "-o", "table")
    assert out.returncode == 0, out.stderr
    assert "6.2 × 2340000 = 14508000" in out.stdout and "Decree 73/2024/ND-CP" in out.stdout and "17433000" in out.stdout
    out = ctl(d, "pay", "report", "--at", "2025-01-01", "-o", "csv")
    records = list(csv.reader(io.StringIO(out.stdout)))
    assert records[0][:3] == ["org", "head_count", "total"] and ["MOF", "1", "1872000"] == records[1][:3]
    out = ctl(d, "pay", "simulate", "--set", "base_salary=2600000", "--at", "2025-01-01", "-o", "table")
    assert out.returncode == 0, out.stderr
    assert "2405000" in out.stdout and "MOHA" in out.stdout
    out = ctl(d, "pay", "arrears", str(pid), "--from", "2025-01-01", "--to", "2025-02-28", "--paid-as-of", now(conns["hr-nat"]), "-o", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["total_difference"] == 0
    for group, subs in (("param", ("list", "show", "history", "define", "set")), ("pay", ("show", "arrears", "report", "simulate"))):
        for sub in subs:
            helped = run([str(TALENTCTL), group, sub, "--help"])
            assert helped.returncode == 0 and "Example" in helped.stdout, (group, sub)


def test_each_component_is_rounded_once_half_up_to_the_dong(priced):
    d, conns, _ = priced
    hr, hr2 = conns["hr-nat"], conns["hr-nat2"]
    coefficient_param(hr, "leadership_allowance.deputy_department_director", "0.5")
    pid, _ = appoint(hr, hr2, "MOF", "chief_engineer_ops", "deputy_department_director", "2029-01-01", "0.499")
    # An odd base salary, entered ahead of its date, puts both components on the rounding boundary.
    hr.result("param.set", {"name": "base_salary", "effective_from": "2030-01-01", "value": 2340001, "decision_ref": "test"})
    pay = hr.result("remuneration.compute", {"person_id": pid, "at": "2030-01-01"})
    allowance, salary = pay["components"]
    assert allowance["amount"] == 1170001  # 1170000.5 goes up
    assert allowance["formula"] == ("leadership_allowance.deputy_department_director × base_salary = 0.5 × 2340001"
                                    " = 1170000.5, rounded half up to the dong = 1170001")
    assert salary["amount"] == 1167660  # 1167660.499 goes down
    assert pay["total"] == 1170001 + 1167660
    # The day before, the base salary in force is still the seeded one.
    assert hr.result("remuneration.compute", {"person_id": pid, "at": "2029-12-31"})["total"] == 1170000 + 1167660
