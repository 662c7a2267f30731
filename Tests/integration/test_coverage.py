"""coverage.report and `talentctl coverage` on a known data set: 51 seeded orgs, a few fully
covered, some half covered, and appointments that must not count (proposed, rejected, future, past)."""
from __future__ import annotations

import csv
import io
import json
import os

import pytest

from conftest import TALENTCTL, run
from test_appointments import FORBIDDEN, day, person, principal, propose


@pytest.fixture(scope="module")
def data(daemon):
    admin = daemon.login()
    approver = daemon.connect()
    approver.login("cov-nat", principal(admin, "cov-nat", ["hr_official"]))
    holders = {}

    def appoint(org, post, start, end=None, approve=True, name=None, rank=None):
        rank = rank or ("provincial_department_director" if org in ("HA-NOI", "HUE", "DA-NANG") else "department_director")
        pid = person(admin, name)
        created = propose(admin, org, post, pid, start=start, end=end, rank=rank)["result"]
        if approve:
            approver.result("appointment.approve", {"id": created["id"]})
        return created

    for org in ("MOHA", "MOF", "HA-NOI"):
        for post in ("chief_engineer_sti", "chief_engineer_ops"):
            holders[(org, post)] = appoint(org, post, day(-30))
    holders[("MOST", "chief_engineer_sti")] = appoint("MOST", "chief_engineer_sti", day(-30), name="Phạm Quốc Việt")
    holders[("HUE", "chief_engineer_sti")] = appoint("HUE", "chief_engineer_sti", day(0))
    holders[("DA-NANG", "chief_engineer_ops")] = appoint("DA-NANG", "chief_engineer_ops", day(-1), day(1))
    # None of these holds a post today.
    appoint("MOJ", "chief_engineer_sti", day(-30), approve=False)
    rejected = appoint("MOD", "chief_engineer_sti", day(-30), approve=False)
    admin.result("appointment.reject", {"id": rejected["id"], "reason": "Không đạt"})
    holders["future"] = appoint("MOIT", "chief_engineer_sti", day(100))
    holders["past"] = appoint("MOC", "chief_engineer_ops", day(-300), day(-50))
    ended = appoint("MOCST", "chief_engineer_ops", day(-20))
    admin.result("appointment.end", {"id": ended["id"], "end_date": day(-1), "reason": "Chuyển công tác"})
    holders["ended_early"] = ended
    # A chief architect is not a chief engineer: no coverage.
    pid = person(admin)
    created = propose(admin, "MOET", "chief_architect", pid, program="Học liệu số")["result"]
    approver.result("appointment.approve", {"id": created["id"]})
    return admin, holders


def test_summary_today(data):
    admin, _ = data
    report = admin.result("coverage.report", {})
    assert report["at"] == day(0)
    assert report["summary"] == {"orgs": 51, "fully_covered": 3, "missing_sti": 46, "missing_ops": 47}
    by_code = {o["code"]: o for o in report["orgs"]}
    assert len(by_code) == 51
    covered = sorted(c for c, o in by_code.items() if o["chief_engineer_sti"] and o["chief_engineer_ops"])
    assert covered == ["HA-NOI", "MOF", "MOHA"]
    assert sorted(c for c, o in by_code.items() if o["chief_engineer_sti"]) == ["HA-NOI", "HUE", "MOF", "MOHA", "MOST"]
    assert sorted(c for c, o in by_code.items() if o["chief_engineer_ops"]) == ["DA-NANG", "HA-NOI", "MOF", "MOHA"]


def test_holders_are_described(data):
    admin, holders = data
    report = admin.result("coverage.report", {})
    most = next(o for o in report["orgs"] if o["code"] == "MOST")
    expected = holders[("MOST", "chief_engineer_sti")]
    assert most == {"code": "MOST", "kind": "ministry", "name": "Bộ Khoa học và Công nghệ",
                    "chief_engineer_sti": {"appointment_id": expected["id"], "person_id": expected["person_id"],
                                           "full_name": "Phạm Quốc Việt", "since": day(-30)},
                    "chief_engineer_ops": None}


def test_order_is_ministries_first_then_by_code(data):
    admin, _ = data
    orgs = admin.result("coverage.report", {})["orgs"]
    rank = {"ministry": 0, "ministerial_agency": 1, "government_agency": 2, "central_city": 3, "province": 4, "other": 5}
    keys = [(rank[o["kind"]], o["code"]) for o in orgs]
    assert keys == sorted(keys) and orgs[0]["kind"] == "ministry" and orgs[-1]["kind"] == "province"


@pytest.mark.parametrize("at, summary", [
    (-100, {"orgs": 51, "fully_covered": 0, "missing_sti": 51, "missing_ops": 50}),   # only MOC's past term
    (-1, {"orgs": 51, "fully_covered": 3, "missing_sti": 47, "missing_ops": 46}),     # before HUE; MOCST's last day
    (1, {"orgs": 51, "fully_covered": 3, "missing_sti": 46, "missing_ops": 47}),      # DA-NANG's last day
    (2, {"orgs": 51, "fully_covered": 3, "missing_sti": 46, "missing_ops": 48}),
    (100, {"orgs": 51, "fully_covered": 3, "missing_sti": 45, "missing_ops": 48}),    # MOIT starts
])
def test_summary_at_other_dates(data, at, summary):
    admin, _ = data
    report = admin.result("coverage.report", {"at": day(at)})
    assert report["at"] == day(at) and report["summary"] == summary


def test_by_kind(data):
    admin, _ = data
    report = admin.result("coverage.report", {"kind": "central_city"})
    assert [o["code"] for o in report["orgs"]] == ["CAN-THO", "DA-NANG", "HA-NOI", "HAI-PHONG", "HO-CHI-MINH", "HUE"]
    assert report["summary"] == {"orgs": 6, "fully_covered": 1, "missing_sti": 4, "missing_ops": 4}
    assert admin.result("coverage.report", {"kind": "province"})["summary"] == {"orgs": 28, "fully_covered": 0, "missing_sti": 28, "missing_ops": 28}
    assert admin.error("coverage.report", {"kind": "planet"})["data"]["field"] == "kind"


def test_who_may_see_it(daemon, data):
    admin, _ = data
    for name, roles, org, allowed in [("cov-hr-moha", ["hr_official"], "MOHA", True), ("cov-aud", ["auditor"], None, True),
                                      ("cov-agent", ["ministry_agent"], "MOHA", False), ("cov-ops", ["ops"], None, False),
                                      ("cov-rev", ["reviewer"], None, False)]:
        conn = daemon.connect()
        conn.login(name, principal(admin, name, roles, org))
        if allowed:
            # The national view, even for a principal bound to an org.
            assert conn.result("coverage.report", {})["summary"]["orgs"] == 51, name
        else:
            assert conn.error("coverage.report", {})["code"] == FORBIDDEN, name
        conn.close()


def ctl(d, *args):
    env = {**os.environ, "TALENT_SOCKET": d.socket, "TALENT_PRINCIPAL": "admin", "TALENT_SECRET": d.admin_secret}
    return run([str(TALENTCTL), "coverage", *args], env=env)


def test_talentctl_coverage_missing(daemon, data):
    out = ctl(daemon, "--missing", "-o", "table")
    assert out.returncode == 0, out.stderr
    header, rule, *rows, summary = out.stdout.splitlines()
    assert summary == f"51 orgs on {day(0)}: 3 fully covered, 46 missing STI, 47 missing OPS"
    assert len(rows) == 48
    codes = [r.split()[0] for r in rows]
    assert "MOHA" not in codes and "MOST" in codes and "DA-NANG" in codes and "HUE" in codes
    most = next(r for r in rows if r.startswith("MOST "))
    # Columns line up by display width, whatever the Vietnamese names' byte lengths.
    assert most.index("Phạm Quốc Việt (since") == header.index("chief engineer STI")
    assert header.index("chief engineer OPS") == most.index("—", header.index("chief engineer OPS") - 1)


def test_talentctl_coverage_formats(daemon, data):
    full = ctl(daemon, "-o", "table")
    assert len(full.stdout.splitlines()) == 2 + 51 + 1
    report = json.loads(ctl(daemon, "--missing", "--kind", "central_city", "-o", "json").stdout)
    assert [o["code"] for o in report["orgs"]] == ["CAN-THO", "DA-NANG", "HAI-PHONG", "HO-CHI-MINH", "HUE"]
    assert report["summary"] == {"orgs": 6, "fully_covered": 1, "missing_sti": 4, "missing_ops": 4}
    records = list(csv.reader(io.StringIO(ctl(daemon, "--at", day(-100), "--kind", "ministry", "-o", "csv").stdout)))
    assert records[0] == ["code", "kind", "name", "sti_person_id", "sti_full_name", "sti_since", "ops_person_id", "ops_full_name", "ops_since"]
    moc = next(r for r in records if r[0] == "MOC")
    assert moc[3:6] == ["", "", ""] and moc[8] == day(-300) and len(records) == 1 + 14
    helped = run([str(TALENTCTL), "coverage", "--help"])
    assert helped.returncode == 0 and "talentctl coverage --missing" in helped.stdout
    bad = ctl(daemon, "--at", "2025-02-30")   # not a day of the calendar: a usage error, before the daemon
    assert bad.returncode == 64 and "YYYY-MM-DD or dd/mm/yyyy" in bad.stderr
