"""Award rounds over the real socket: a whole round with several orgs, quotas, double nominations,
the three screening gates, conflict-free automatic assignment, blind reviews, ranking numbers
checked against an independent computation, the sealed list across restarts, and published results."""
from __future__ import annotations

import hashlib
import itertools
import json
import statistics
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction

from conftest import Daemon

INVALID_PARAMS = -32602
CONFLICT = -32005
INVALID_STATE = -32006
FORBIDDEN = -32011

_names = itertools.count(1)
CRITERIA = [{"key": "impact", "title": "Tác động", "weight": 2, "max_score": 10},
            {"key": "novelty", "title": "Tính mới", "weight": 1, "max_score": 10}]
CATEGORIES = [{"key": "ind", "title": "Cá nhân xuất sắc", "kind": "individual", "quota_per_org": 2},
              {"key": "col", "title": "Tập thể xuất sắc", "kind": "collective"}]


def day(offset: int) -> str:
    return ((datetime.now(timezone.utc) + timedelta(hours=7)).date() + timedelta(days=offset)).isoformat()


def as_principal(d: Daemon, admin, name, roles, org=None):
    params = {"name": name, "kind": "human", "roles": roles, **({"org": org} if org else {})}
    admin.result("principal.create", params)
    token = admin.result("token.create", {"principal": name, "label": "test"})["token"]
    conn = d.connect()
    conn.login(name, token)
    return conn


def person(admin, name=None) -> int:
    return admin.result("person.create", {"full_name": name or f"Lê Văn Giải {next(_names)}", "birth_date": "1980-01-02",
                                          "national_id": f"0011800{next(_names):05d}"})["person"]["id"]


def create_round(sec, code, opens=-10, closes=10, review_closes=20):
    return sec.result("award_round.create", {"code": code, "title": f"Giải thưởng {code}", "year": 2026,
                                             "opens_on": day(opens), "closes_on": day(closes),
                                             "review_closes_on": day(review_closes),
                                             "categories": CATEGORIES, "criteria": CRITERIA})


def nominate(conn, round_code, category, nominee, org=None, citation="Đóng góp xuất sắc"):
    params = {"round": round_code, "category": category, "nominee": nominee, "citation": citation,
              "achievements": [{"title": "Nền tảng định danh điện tử", "year": 2025, "evidence_ref": "QĐ 1/2025"}]}
    if org:
        params["org"] = org
    return conn.call("nomination.submit", params)


def reference_ranking(reviews_by_nomination, ranked_ids):
    """The documented arithmetic, computed independently: exact mean, population z-scores."""
    weights = {c["key"]: c["weight"] for c in CRITERIA}
    wsum = sum(weights.values())
    top = Fraction(sum(c["weight"] * c["max_score"] for c in CRITERIA), wsum)
    score = lambda r: Fraction(sum(weights[k] * v for k, v in r["scores"].items()), wsum)
    everything = [r for rs in reviews_by_nomination.values() for r in rs]
    per_reviewer = {}
    for r in everything:
        per_reviewer.setdefault(r["reviewer"], []).append(float(score(r)))
    stats = {k: (statistics.fmean(v), statistics.pstdev(v)) for k, v in per_reviewer.items()}
    g_mean, g_sd = statistics.fmean(float(score(r)) for r in everything), statistics.pstdev(float(score(r)) for r in everything)
    half_up = lambda x: int(Fraction(x) * 100 + Fraction(1, 2))
    out = {}
    for nid in ranked_ids:
        rs = reviews_by_nomination.get(nid, [])
        if not rs:
            out[nid] = (None, None, None)
            continue
        mean = sum(score(r) for r in rs) / len(rs)
        zs = [(float(score(r)) - stats[r["reviewer"]][0]) / stats[r["reviewer"]][1] if stats[r["reviewer"]][1] > 0 else 0.0 for r in rs]
        normalized = min(max(g_mean + sum(zs) / len(zs) * g_sd, 0.0), float(top))
        spread = max(score(r) for r in rs) - min(score(r) for r in rs)
        fmt = lambda h: f"{h // 100}.{h % 100:02d}"
        out[nid] = (fmt(half_up(mean)), fmt(half_up(normalized)), fmt(half_up(spread)))
    return out


def test_a_whole_round(make_daemon):
    d = make_daemon()
    admin = d.login()
    sec = as_principal(d, admin, "sec-most", ["award_secretariat"], "MOST")
    agent_mof = as_principal(d, admin, "agent-mof", ["ministry_agent"], "MOF")
    hr_moha = as_principal(d, admin, "hr-moha", ["hr_official"], "MOHA")
    reviewers = {name: as_principal(d, admin, name, ["reviewer"], org) for name, org in
                 [("rv-most-1", "MOST"), ("rv-most-2", "MOST"), ("rv-mps-1", "MPS"), ("rv-mps-2", "MPS"),
                  ("rv-moha-1", "MOHA"), ("rv-moha-2", "MOHA")]}
    p = [person(admin, f"Nguyễn Thị Hương {i}") for i in range(6)]

    # Rounds: draft -> open; the code names the round everywhere.
    assert create_round(sec, "AW-2026")["state"] == "draft"
    assert sec.error("award_round.create", {"code": "AW-2026", "title": "x", "year": 2026, "opens_on": day(0), "closes_on": day(1),
                                            "review_closes_on": day(2), "categories": CATEGORIES, "criteria": CRITERIA})["code"] == CONFLICT
    assert agent_mof.error("award_round.create", {"code": "AW-X", "title": "x", "year": 2026, "opens_on": day(0), "closes_on": day(1),
                                                  "review_closes_on": day(2), "categories": CATEGORIES, "criteria": CRITERIA})["code"] == FORBIDDEN
    assert nominate(agent_mof, "AW-2026", "ind", {"person_id": p[0]})["error"]["code"] == INVALID_STATE  # still a draft
    assert sec.result("award_round.open", {"code": "AW-2026"})["state"] == "open"

    # Individual nominations within the quota of 2 per org and category.
    n0 = nominate(agent_mof, "AW-2026", "ind", {"person_id": p[0]})["result"]
    assert n0["org"] == "MOF" and n0["nominee"] == {"person_id": p[0], "name": "Nguyễn Thị Hương 0"}
    assert n0["gates"] == {"merit": "pending", "security": "pending", "personnel": "pending"}
    n1 = nominate(agent_mof, "AW-2026", "ind", {"person_id": p[1]})["result"]
    over = nominate(agent_mof, "AW-2026", "ind", {"person_id": p[2]})["error"]
    assert over["code"] == CONFLICT and over["data"]["quota"] == 2 and over["data"]["used"] == 2 and "quota" in over["message"]
    # Wrong shape for the category's kind.
    assert nominate(agent_mof, "AW-2026", "col", {"person_id": p[2]})["error"]["data"]["field"] == "nominee"

    # A collective; a person already nominated individually cannot be a member, and vice versa.
    double = nominate(hr_moha, "AW-2026", "col", {"name": "Nhóm VNeID", "members": [p[3], p[0]]})["error"]
    assert double["code"] == CONFLICT and double["data"]["nomination_id"] == n0["id"] and str(n0["id"]) in double["message"]
    col = nominate(hr_moha, "AW-2026", "col", {"name": "Nhóm VNeID", "members": [p[3], p[4]]})["result"]
    assert [m["person_id"] for m in col["nominee"]["members"]] == [p[3], p[4]]
    as_member = nominate(hr_moha, "AW-2026", "ind", {"person_id": p[4]})["error"]
    assert as_member["code"] == CONFLICT and as_member["data"]["nomination_id"] == col["id"] and "member" in as_member["message"]

    # Org scoping: an org nominates and sees its own only; the council sees all.
    assert nominate(agent_mof, "AW-2026", "ind", {"person_id": p[5]}, org="MOHA")["error"]["code"] == FORBIDDEN
    assert {n["org"] for n in agent_mof.every("nomination.list", {"round": "AW-2026"})} == {"MOF"}
    assert agent_mof.error("nomination.get", {"id": col["id"]})["code"] == FORBIDDEN
    assert len(reviewers["rv-mps-1"].every("nomination.list", {"round": "AW-2026"})) == 3
    assert reviewers["rv-mps-1"].result("nomination.get", {"id": col["id"]})["org"] == "MOHA"
    assert len(sec.every("nomination.list", {"round": "AW-2026", "org": "MOHA"})) == 1

    # Withdrawing frees the quota place.
    w = agent_mof.result("nomination.withdraw", {"id": n1["id"], "reason": "Hồ sơ chưa đủ"})
    assert w["status"] == "withdrawn" and w["withdraw_reason"] == "Hồ sơ chưa đủ"
    n2 = nominate(agent_mof, "AW-2026", "ind", {"person_id": p[2]})["result"]
    n5 = nominate(hr_moha, "AW-2026", "ind", {"person_id": p[5]})["result"]

    # A late nomination: the round's last day has passed in Vietnam time.
    create_round(sec, "AW-LATE", opens=-10, closes=-1, review_closes=5)
    sec.result("award_round.open", {"code": "AW-LATE"})
    late = nominate(agent_mof, "AW-LATE", "ind", {"person_id": p[1]})["error"]
    assert late["code"] == INVALID_STATE and day(-1) in late["message"]

    # Close: nominations end, withdrawals too.
    assert sec.result("award_round.close", {"code": "AW-2026"})["state"] == "closed"
    assert nominate(agent_mof, "AW-2026", "ind", {"person_id": p[1]})["error"]["code"] == INVALID_STATE
    assert agent_mof.error("nomination.withdraw", {"id": n2["id"], "reason": "x"})["code"] == INVALID_STATE

    # Screening: each agency for its own gate only.
    live = [n0["id"], n2["id"], col["id"], n5["id"]]
    wrong = reviewers["rv-mps-1"].error("nomination.screen", {"id": n0["id"], "agency": "MOST", "outcome": "pass", "note": "ok"})
    assert wrong["code"] == FORBIDDEN and "MOST" in wrong["message"]
    for nid in live:
        for agency, screener in [("MOST", "rv-most-1"), ("MPS", "rv-mps-1"), ("MOHA", "rv-moha-1")]:
            outcome = "fail" if (nid == n2["id"] and agency == "MPS") else "pass"
            reviewers[screener].result("nomination.screen", {"id": nid, "agency": agency, "outcome": outcome, "note": "Đã thẩm tra"})
    assert sec.result("nomination.get", {"id": n2["id"]})["gates"]["security"] == "fail"

    # A declared conflict (a reason is required) and automatic assignment: never a conflicted reviewer.
    assert reviewers["rv-most-2"].error("review.declare_conflict", {"nomination_id": n0["id"], "kind": "family", "note": ""})["code"] == INVALID_PARAMS
    declared = reviewers["rv-most-2"].result("review.declare_conflict", {"nomination_id": n0["id"], "kind": "family", "note": "Anh em họ"})
    assert declared["conflicts"][0]["kind"] == "family"
    assigned = sec.result("award_round.assign_reviewers", {"round": "AW-2026", "per_nomination": 3})
    by_nomination = {a["nomination_id"]: a["reviewers"] for a in assigned["assignments"]}
    assert set(by_nomination) == set(live) and assigned["added"] == 12 and assigned["short"] == []
    org_of = {"rv-most-1": "MOST", "rv-most-2": "MOST", "rv-mps-1": "MPS", "rv-mps-2": "MPS", "rv-moha-1": "MOHA", "rv-moha-2": "MOHA"}
    nom_org = {n0["id"]: "MOF", n2["id"]: "MOF", col["id"]: "MOHA", n5["id"]: "MOHA"}
    for nid, names in by_nomination.items():
        assert len(names) == 3 and len({org_of[n] for n in names}) >= 2
        assert all(org_of[n] != nom_org[nid] for n in names), (nid, names)  # own org never
    assert "rv-most-2" not in by_nomination[n0["id"]]
    loads = [sum(name in names for names in by_nomination.values()) for name in org_of]
    assert max(loads) - min(loads) <= 1, loads
    # By hand: a conflicted reviewer is refused, saying why.
    refused = sec.error("review.assign", {"nomination_id": col["id"], "reviewer": "rv-moha-2"})
    assert refused["code"] == CONFLICT and "own_org" in refused["message"]

    # Blind reviews.
    first = by_nomination[n0["id"]][0]
    blind = reviewers[first].error("review.list", {"nomination_id": n0["id"]})
    assert blind["code"] == FORBIDDEN and "blind" in blind["message"]
    assert reviewers["rv-most-2"].error("review.submit", {"nomination_id": n0["id"], "scores": {"impact": 5, "novelty": 5},
                                                          "recommendation": "maybe", "confidence": 3})["code"] == FORBIDDEN
    bad = reviewers[first].error("review.submit", {"nomination_id": n0["id"], "scores": {"impact": 11, "novelty": 5},
                                                   "recommendation": "award", "confidence": 4})
    assert bad["code"] == INVALID_PARAMS and bad["data"]["field"] == "scores.impact"
    # A known data set: scores depend on reviewer and nomination.
    base = {n0["id"]: 8, n2["id"]: 6, col["id"]: 7, n5["id"]: 7}
    bias = {"rv-most-1": 2, "rv-most-2": 1, "rv-mps-1": 0, "rv-mps-2": -1, "rv-moha-1": -2, "rv-moha-2": 0}
    for nid, names in by_nomination.items():
        for name in names:
            s = max(0, min(10, base[nid] + bias[name]))
            reviewers[name].result("review.submit", {"nomination_id": nid, "scores": {"impact": s, "novelty": max(0, s - 1)},
                                                     "recommendation": "award" if s >= 8 else "maybe", "confidence": 4})
    seen = reviewers[first].result("review.list", {"nomination_id": n0["id"]})["reviews"]
    assert len(seen) == 3
    again = reviewers[first].error("review.submit", {"nomination_id": n0["id"], "scores": {"impact": 9, "novelty": 9},
                                                     "recommendation": "award", "confidence": 5})
    assert again["code"] == CONFLICT and "review.amend" in again["message"]
    amended = reviewers[first].result("review.amend", {"nomination_id": n0["id"], "scores": {"impact": 10, "novelty": 9},
                                                       "recommendation": "award", "confidence": 5, "comment": "Sau khi xem xét lại"})
    assert amended["version"] == 2
    history = sec.result("review.list", {"nomination_id": n0["id"], "history": True})["reviews"]
    assert sorted(r["version"] for r in history if r["reviewer"] == first) == [1, 2]

    # Ranking numbers, both normalizations, against the documented arithmetic computed here.
    reviews = {nid: sec.result("review.list", {"nomination_id": nid})["reviews"] for nid in live}
    ranked_ids = [n0["id"], col["id"], n5["id"]]
    expected = reference_ranking(reviews, ranked_ids)
    for normalize in ["none", "zscore"]:
        ranking = sec.result("award_round.ranking", {"round": "AW-2026", "normalize": normalize})
        rows = {r["nomination_id"]: r for r in ranking["ranking"]}
        assert set(rows) == set(ranked_ids)
        assert [e["nomination_id"] for e in ranking["excluded"]] == [n2["id"]] and "security" in ranking["excluded"][0]["reason"]
        for nid in ranked_ids:
            assert (rows[nid]["mean"], rows[nid]["normalized"], rows[nid]["spread"]) == expected[nid], (normalize, nid, rows[nid])
            assert rows[nid]["count"] == 3
        key = "mean" if normalize == "none" else "normalized"
        order = [r[key] for r in ranking["ranking"]]
        assert [float(x) for x in order] == sorted((float(x) for x in order), reverse=True)
        assert [r["rank"] for r in ranking["ranking"]] == [1, 2, 3]
    ranking = sec.result("award_round.ranking", {"round": "AW-2026"})
    # n0 and n5 may tie on mean; the documented tie-break says which rule separated them.
    for above, row in zip(ranking["ranking"], ranking["ranking"][1:]):
        assert ("tie_break" in row) == (above["mean"] == row["mean"])
    assert reviewers["rv-mps-1"].error("award_round.ranking", {"round": "AW-2026"})["code"] == FORBIDDEN

    # Reviews are all in: the review closes. Only nominations that passed all gates are listed.
    assert sec.error("award_round.submit_list", {"round": "AW-2026", "nomination_ids": [n0["id"]], "note": "x"})["code"] == INVALID_STATE
    assert sec.result("award_round.close_review", {"code": "AW-2026"})["state"] == "reviewed"
    failed = sec.error("award_round.submit_list", {"round": "AW-2026", "nomination_ids": [n0["id"], n2["id"]], "note": "x"})
    assert failed["code"] == INVALID_STATE and failed["data"]["nomination_id"] == n2["id"]
    sealed = sec.result("award_round.submit_list", {"round": "AW-2026", "nomination_ids": [n0["id"], col["id"], n5["id"]],
                                                    "note": "Đề nghị Thủ tướng khen thưởng"})
    assert sealed["state"] == "submitted"
    assert hashlib.sha256(sealed["canonical_json"].encode()).hexdigest() == sealed["sha256"]
    content = json.loads(sealed["canonical_json"])
    assert content["note"] == "Đề nghị Thủ tướng khen thưởng" and content["normalization"]["reviewers"]
    assert [n["nomination_id"] for n in content["nominations"]] == [n0["id"], col["id"], n5["id"]]
    assert any(c["kind"] == "family" and c["note"] == "Anh em họ" for c in content["conflicts_and_recusals"])
    assert all(len(n["reviews"]) == 3 and len(n["screens"]) == 3 for n in content["nominations"])
    exports = [sec.result("award_round.list_export", {"round": "AW-2026"}) for _ in range(2)]
    assert exports[0] == exports[1] == sealed
    raw = sec.call("award_round.list_export", {"round": "AW-2026"})["result"]["canonical_json"]
    assert raw == sealed["canonical_json"]

    # The seal survives a restart, byte for byte.
    assert d.stop() == 0
    d.start()
    admin = d.login()
    after = admin.result("award_round.list_export", {"round": "AW-2026"})
    assert after == sealed

    # Decisions, then results without personal data.
    assert admin.error("award_round.decide", {"round": "AW-2026", "decisions": [
        {"nomination_id": n0["id"], "outcome": "awarded", "decision_ref": "QĐ 100/QĐ-TTg"}]})["code"] == INVALID_PARAMS
    decided = admin.result("award_round.decide", {"round": "AW-2026", "decisions": [
        {"nomination_id": n0["id"], "outcome": "awarded", "decision_ref": "QĐ 100/QĐ-TTg"},
        {"nomination_id": col["id"], "outcome": "awarded", "decision_ref": "QĐ 100/QĐ-TTg"},
        {"nomination_id": n5["id"], "outcome": "not_awarded", "decision_ref": "QĐ 100/QĐ-TTg"}]})
    assert decided["state"] == "decided"
    ops = as_principal(d, admin, "ops-1", ["ops"])
    results = ops.result("award_round.results", {"round": "AW-2026"})
    assert [(a["name"], a["org"]) for a in results["awarded"]] == [("Nguyễn Thị Hương 0", "MOF"), ("Nhóm VNeID", "MOHA")]
    text = json.dumps(results, ensure_ascii=False)
    assert "person_id" not in text and "members" not in text and "1980-01-02" not in text and "Nguyễn Thị Hương 3" not in text
    assert admin.result("award_round.list_export", {"round": "AW-2026"})["sha256"] == sealed["sha256"]


def test_a_ministrys_script_submits_nominations_from_a_csv_and_can_rerun(make_daemon, tmp_path):
    import csv
    import os
    import sys

    from conftest import REPO, run
    d = make_daemon()
    admin = d.login()
    create_round(admin, "AW-CSV")
    admin.result("award_round.open", {"code": "AW-CSV"})
    admin.result("principal.create", {"name": "agent-mof", "kind": "agent", "roles": ["ministry_agent"], "org": "MOF"})
    token = admin.result("token.create", {"principal": "agent-mof", "label": "nominations"})["token"]
    path = tmp_path / "nominations.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["round", "category", "org", "full_name", "birth_date", "citation", "collective", "achievement", "achievement_year"])
        w.writerow(["AW-CSV", "ind", "MOF", "Đặng Văn Đức", "1979-05-01", "Chuyển đổi số ngành tài chính", "", "Hóa đơn điện tử", "2024"])
        w.writerow(["AW-CSV", "col", "MOF", "Phạm Thu Trang", "1988-02-03", "Hệ thống thuế số", "Nhóm Thuế số", "eTax", "2025"])
        w.writerow(["AW-CSV", "col", "MOF", "Võ Minh Khoa", "1990-07-08", "", "Nhóm Thuế số", "", ""])
        # The same person again, individually: refused (once per round), on every run.
        w.writerow(["AW-CSV", "ind", "MOF", "Phạm Thu Trang", "1988-02-03", "Cá nhân xuất sắc", "", "", ""])
    script = REPO / "Clients/python/examples/submit_nominations.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update(PYTHONPATH=str(REPO / "Clients/python"), TALENT_PRINCIPAL="agent-mof", TALENT_TOKEN=token)
    runs = [run([sys.executable, str(script), "--socket", d.socket, "--json", str(path)], env=env, timeout=120) for _ in range(2)]
    assert all(r.stdout for r in runs), runs[0].stderr
    summaries = [json.loads(r.stdout) for r in runs]
    assert [r.returncode for r in runs] == [1, 1], runs[0].stderr
    assert summaries[0]["submitted"] == 2 and summaries[0]["failures_by_reason"] == {"conflict": 1}
    assert summaries[0]["nomination_ids"][:2] == summaries[1]["nomination_ids"][:2], "a rerun must not create duplicates"
    listed = admin.every("nomination.list", {"round": "AW-CSV"})
    assert len(listed) == 2
    collective = next(n for n in listed if n["kind"] == "collective")
    assert collective["nominee"]["name"] == "Nhóm Thuế số" and len(collective["nominee"]["members"]) == 2
    assert collective["achievements"] == [{"title": "eTax", "year": 2025}]
    assert "Phạm Thu Trang" in runs[0].stderr or "nominated" in runs[0].stderr


def test_talentctl_runs_a_round(make_daemon, tmp_path):
    import os

    from conftest import TALENTCTL, run

    d = make_daemon()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update(TALENT_PRINCIPAL="admin", TALENT_SECRET=d.admin_secret)
    ctl = lambda *args: run([str(TALENTCTL), "--socket", d.socket, *args], env=env, timeout=30)

    created = ctl("award", "round", "create", "AW-CTL", "--title", "Giải thưởng", "--year", "2026", "--opens-on", day(-1),
                  "--closes-on", day(5), "--review-closes-on", day(9), "--category", "ind:individual:1:Cá nhân xuất sắc",
                  "--criterion", "impact:2:10:Tác động", "-o", "json")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["categories"] == [{"key": "ind", "title": "Cá nhân xuất sắc", "kind": "individual", "quota_per_org": 1}]
    assert ctl("award", "round", "open", "AW-CTL").returncode == 0
    admin = d.login()
    p1, p2 = person(admin), person(admin)
    first = ctl("nomination", "submit", "--round", "AW-CTL", "--category", "ind", "--org", "MOF", "--person-id", str(p1),
                "--citation", "Xuất sắc", "--achievement", "2025:Nền tảng số", "-o", "json")
    assert first.returncode == 0, first.stderr
    nomination = json.loads(first.stdout)
    assert nomination["achievements"] == [{"title": "Nền tảng số", "year": 2025}]
    # Over the quota: exit 1, the reason on stderr.
    over = ctl("nomination", "submit", "--round", "AW-CTL", "--category", "ind", "--org", "MOF", "--person-id", str(p2), "--citation", "x")
    assert over.returncode == 1 and "conflict" in over.stderr and "quota" in over.stderr
    # The same person again: the hint names the command showing the other nomination.
    again = ctl("nomination", "submit", "--round", "AW-CTL", "--category", "ind", "--org", "MOHA", "--person-id", str(p1), "--citation", "x")
    assert again.returncode == 1 and f"talentctl nomination show {nomination['id']}" in again.stderr
    listed = ctl("nomination", "list", "--round", "AW-CTL", "-o", "csv")
    assert listed.returncode == 0 and "MOF" in listed.stdout
    for agency in ["MOST", "MPS", "MOHA"]:
        assert ctl("nomination", "screen", str(nomination["id"]), "--agency", agency, "--outcome", "pass", "--note", "Đạt").returncode == 0
    assert ctl("award", "round", "close", "AW-CTL").returncode == 0
    ranking = ctl("award", "round", "ranking", "AW-CTL", "--normalize", "zscore", "-o", "csv")
    assert ranking.returncode == 0 and ranking.stdout.splitlines()[0].startswith("rank,nomination_id"), ranking.stdout
    assert ctl("award", "round", "close-review", "AW-CTL").returncode == 0  # nothing assigned: nothing outstanding
    sealed = ctl("award", "round", "submit-list", "AW-CTL", "--nomination", str(nomination["id"]), "--note", "Đề nghị", "-o", "json")
    assert sealed.returncode == 0, sealed.stderr
    out = tmp_path / "list.json"
    exported = ctl("award", "round", "export", "AW-CTL", "--out", str(out), "-o", "json")
    assert exported.returncode == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == json.loads(sealed.stdout)["sha256"]
    assert ctl("award", "round", "decide", "AW-CTL", "--decision", f"{nomination['id']}:awarded:QĐ 1/QĐ-TTg").returncode == 0
    results = ctl("award", "round", "results", "AW-CTL", "-o", "csv")
    assert results.returncode == 0 and "Xuất sắc" in results.stdout
    assert results.stdout.splitlines()[0] == "category,kind,name,org,citation,decision_ref"  # no person id column


def test_talentctl_batch_submits_nominations_from_json_lines_once(make_daemon, tmp_path):
    import os

    from conftest import TALENTCTL, run

    d = make_daemon()
    admin = d.login()
    create_round(admin, "AW-BATCH")
    admin.result("award_round.open", {"code": "AW-BATCH"})
    people = [person(admin) for _ in range(3)]
    lines = [{"method": "nomination.submit", "params": {"round": "AW-BATCH", "category": "ind", "org": "MOF",
                                                        "nominee": {"person_id": people[0]}, "citation": "Xuất sắc", "achievements": []}},
             {"method": "nomination.submit", "params": {"round": "AW-BATCH", "category": "col", "org": "MOF", "citation": "Tập thể",
                                                        "nominee": {"name": "Nhóm dữ liệu", "members": people[1:]}, "achievements": []}}]
    path = tmp_path / "nominations.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update(TALENT_PRINCIPAL="admin", TALENT_SECRET=d.admin_secret)
    runs = [run([str(TALENTCTL), "--socket", d.socket, "batch", "--idempotent", str(path)], env=env, timeout=30) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stdout
    assert runs[0].stdout == runs[1].stdout  # the rerun returns the stored results
    assert len(admin.every("nomination.list", {"round": "AW-BATCH"})) == 2


def test_reviewers_linked_to_the_nominee_or_to_a_colleague_are_never_assigned(make_daemon):
    d = make_daemon()
    admin = d.login()
    sec = as_principal(d, admin, "sec-link", ["award_secretariat"], "MOST")
    hr_mof = as_principal(d, admin, "hr-mof-link", ["hr_official"], "MOF")
    nominee = admin.result("person.create", {"full_name": "Trịnh Văn Đề Cử", "employer": "Viện Hàn lâm KHCN Việt Nam"})["person"]["id"]
    colleague = admin.result("person.create", {"full_name": "Hà Thị Đồng Nghiệp", "employer": "vien han lam khcn viet nam"})["person"]["id"]
    outsider = admin.result("person.create", {"full_name": "Lý Văn Ngoài", "employer": "Đại học Bách khoa"})["person"]["id"]
    for name, org, linked in [("rv-self", "MOST", nominee), ("rv-colleague", "MPS", colleague), ("rv-free", "MOHA", outsider)]:
        as_principal(d, admin, name, ["reviewer"], org).close()
        admin.result("principal.link_person", {"name": name, "person_id": linked})
    create_round(sec, "AW-LINK")
    sec.result("award_round.open", {"code": "AW-LINK"})
    nomination = nominate(hr_mof, "AW-LINK", "ind", {"person_id": nominee})["result"]
    sec.result("award_round.close", {"code": "AW-LINK"})
    assigned = sec.result("award_round.assign_reviewers", {"round": "AW-LINK", "per_nomination": 3})
    names = {a["nomination_id"]: a["reviewers"] for a in assigned["assignments"]}[nomination["id"]]
    assert names == ["rv-free"], assigned
    for reviewer in ("rv-self", "rv-colleague"):
        refused = sec.error("review.assign", {"nomination_id": nomination["id"], "reviewer": reviewer})
        assert refused["code"] == CONFLICT and "linked_person" in refused["message"], refused
