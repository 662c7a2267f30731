#!/usr/bin/env python3
"""remuneration.simulate (and .report, .compute) with 10,000 people in post on one date.

Starts its own talentd (release build by default) on a fresh database in a temporary directory,
loads the data over the socket with JSON-RPC batches (an admin proposes, a national hr_official
approves, as the four-eyes rule requires), defines one leadership allowance per rank, then times
each call from a single client, one request at a time: the question is how long an HR official
waits for a what-if over the whole register.

    swift build -c release --product talentd
    python3 Ops/bench/remuneration-bench.py [--people 10000] [--runs 10]

The data: 51 seeded orgs; per org, chief_engineer_sti, chief_engineer_ops and enough chief
architects (one per program) that --people appointments are all in office today, each a
different person, every third with its own salary_coefficient.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone

from benchlib import REPO, TALENTD, BenchDaemon

ORGS_TSV = REPO / "Sources/TalentDaemon/Organizations/organizations.tsv"
PROVINCIAL = {"central_city", "province"}
ALLOWANCES = {"deputy_minister": "1.3", "director_general": "1.25", "deputy_director_general": "1.0",
              "department_director": "0.8", "deputy_department_director": "0.6", "provincial_vice_chairman": "1.05",
              "provincial_department_director": "0.7", "provincial_deputy_department_director": "0.5"}


def vietnam_today() -> date:
    return (datetime.now(timezone.utc) + timedelta(hours=7)).date()


def orgs() -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in ORGS_TSV.read_text().splitlines()[1:] if line.strip()]
    return [(r[0], r[1]) for r in rows]


def plan(people: int, start: str) -> list[dict]:
    """`people` posts in office from `start`, spread over the orgs."""
    all_orgs = orgs()
    programs = -(-people // len(all_orgs)) - 2
    items = []
    for code, kind in all_orgs:
        ranks = ["provincial_department_director", "provincial_deputy_department_director"] if kind in PROVINCIAL \
            else ["director_general", "department_director"]
        posts = [("chief_engineer_sti", None), ("chief_engineer_ops", None)] + [("chief_architect", f"Chương trình {p + 1}") for p in range(programs)]
        for i, (post, program) in enumerate(posts):
            item = {"org": code, "post": post, "term_start": start, "equivalent_rank": ranks[i % 2]}
            if program:
                item["program"] = program
            items.append(item)
    items = items[:people]
    for i, item in enumerate(items):
        if i % 3 == 0:
            item["salary_coefficient"] = f"{4 + i % 5}.{i % 100:02d}"
    return items


def timed(conn, method, params, runs):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = conn.call(method, params)
        times.append((time.perf_counter() - started) * 1000)
    return result, times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    with BenchDaemon(args.talentd, prefix="pay-bench-", keep=args.keep) as daemon:
        loader, _ = daemon.agent("bench-loader", ["admin"])
        approver, _ = daemon.agent("bench-approver", ["hr_official"])
        reader, _ = daemon.agent("bench-reader", ["hr_official"])
        for rank, value in ALLOWANCES.items():
            name = f"leadership_allowance.{rank}"
            loader.call("param.define", {"name": name, "unit": "coefficient", "description": f"bench {rank}"})
            loader.call("param.set", {"name": name, "effective_from": "2019-07-01", "value": value, "decision_ref": "bench"})
        started = time.monotonic()
        today = vietnam_today().isoformat()
        items = plan(args.people, (vietnam_today() - timedelta(days=30)).isoformat())
        ids = [r["person"]["id"] for r in loader.batches("person.create", [{"full_name": f"Nguyễn Văn Bench {i}"} for i in range(len(items))])]
        for item, pid in zip(items, ids):
            item["person_id"] = pid
        created = loader.batches("appointment.propose", items)
        approver.batches("appointment.approve", [{"id": a["id"]} for a in created])
        load_s = time.monotonic() - started

        scenarios = [
            ("remuneration.simulate", {"at": today, "changes": [{"parameter": "base_salary", "value": 2600000}]}, "base_salary=2600000"),
            ("remuneration.simulate", {"at": today, "changes": [{"parameter": "base_salary", "value": 2600000},
                                                                {"parameter": "leadership_allowance.director_general", "value": "1.4"}]},
             "base_salary and one allowance"),
            ("remuneration.report", {"at": today}, "everyone, per org"),
            ("remuneration.compute", {"person_id": ids[0], "at": today}, "one person, explained"),
        ]
        rows = []
        for method, params, label in scenarios:
            result, times = timed(reader, method, params, args.runs)
            people = result.get("national", {}).get("people", result.get("national", {}).get("head_count", 1))
            rows.append((method, label, people, min(times), statistics.median(times), max(times)))

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; talentd: {args.talentd}")
        print(f"loaded {len(created)} appointments in office on {today} in {load_s:.1f} s")
        print(f"one client, one request at a time, {args.runs} runs each, milliseconds at the client")
        print(f"{'method':<22} {'what':<32} {'people':>6} {'min':>8} {'median':>8} {'max':>8}")
        for method, label, people, low, mid, high in rows:
            print(f"{method:<22} {label:<32} {people:>6} {low:>8.1f} {mid:>8.1f} {high:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
