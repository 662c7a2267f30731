#!/usr/bin/env python3
"""appointment.list (and coverage.report) under load, with 100,000 persons and 10,000 appointments.

Starts its own talentd (release build by default) on a fresh database in a temporary directory,
loads the data over the socket with JSON-RPC batches (logged in with API tokens: an admin
proposes, a second, national hr_official approves, as the four-eyes rule requires), then
measures each query with talent-bench (requests/s and latency percentiles measured at the client).

    swift build -c release --product talentd && swift build -c release --product talent-bench
    python3 Ops/bench/appointments-bench.py [--persons 100000] [--appointments 10000] [--duration 10]

The data: 51 seeded orgs; per org, chief_engineer_sti and chief_engineer_ops each held by a
chain of successive 120-day terms ending with an open term that covers today, and chief
architects for 8 programs per org the same way; each appointment a different person. About 90%
are approved, the rest left proposed.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from datetime import date, datetime, timedelta, timezone

from benchlib import REPO, TALENT_BENCH, TALENTD, BenchDaemon, talent_bench

ORGS_MIGRATION = REPO / "Sources/TalentDaemon/Organizations/OrganizationsMigration.swift"
PROVINCIAL = {"central_city", "province"}
TERM_DAYS = 120
PROGRAMS = 8


def vietnam_today() -> date:
    return (datetime.now(timezone.utc) + timedelta(hours=7)).date()


def orgs() -> list[tuple[str, str]]:
    # The seed rows of migration 0002: ('CODE', 'kind', 'name', 'name_en').
    return re.findall(r"^\s*\('([A-Z0-9-]+)', '([a-z_]+)', ", ORGS_MIGRATION.read_text(), re.MULTILINE)


def appointment_plan(total: int, today: date) -> list[dict]:
    """Slots (org, post[, program]) filled round-robin with successive terms, newest last and open."""
    slots = []
    for code, kind in orgs():
        rank = "provincial_department_director" if kind in PROVINCIAL else "department_director"
        slots.append({"org": code, "post": "chief_engineer_sti", "equivalent_rank": rank})
        slots.append({"org": code, "post": "chief_engineer_ops", "equivalent_rank": rank})
        for p in range(PROGRAMS):
            slots.append({"org": code, "post": "chief_architect", "program": f"Chương trình chiến lược {p + 1}", "equivalent_rank": rank})
    per_slot = [total // len(slots) + (1 if i < total % len(slots) else 0) for i in range(len(slots))]
    plan = []
    for slot, terms in zip(slots, per_slot):
        first = today - timedelta(days=TERM_DAYS * (terms - 1) + 30)
        for i in range(terms):
            start = first + timedelta(days=TERM_DAYS * i)
            # Every tenth term of a slot stays proposed (never the current one, so every slot has a holder).
            item = {**slot, "term_start": start.isoformat(), "_approve": i % 10 != 5 or i == terms - 1}
            if i < terms - 1:
                item["term_end"] = (start + timedelta(days=TERM_DAYS - 1)).isoformat()
            plan.append(item)
    return plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--bench", default=TALENT_BENCH)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--pipeline", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    with BenchDaemon(args.talentd, prefix="appt-bench-", keep=args.keep) as daemon:
        loader, _ = daemon.agent("bench-loader", ["admin"])
        approver, _ = daemon.agent("bench-approver", ["hr_official"])
        reader, reader_token = daemon.agent("bench-reader", ["hr_official"])
        started = time.monotonic()
        given = ["Hương", "Đức", "Lan", "Minh", "Quang", "Thảo", "Việt", "Hà", "Nam", "Phương"]
        families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Bùi", "Đỗ", "Vũ", "Ngô"]
        people = [{"full_name": f"{families[i % 10]} {['Văn', 'Thị', 'Minh', 'Quốc'][i // 10 % 4]} {given[i // 40 % 10]} {i}",
                   "birth_date": (date(1960, 1, 1) + timedelta(days=i % 12000)).isoformat()} for i in range(args.persons)]
        person_ids = [r["person"]["id"] for r in loader.batches("person.create", people)]
        persons_s = time.monotonic() - started

        started = time.monotonic()
        today = vietnam_today()
        plan = appointment_plan(args.appointments, today)
        for item, pid in zip(plan, person_ids):
            item["person_id"] = pid
        created = loader.batches("appointment.propose", [{k: v for k, v in item.items() if k != "_approve"} for item in plan])
        approvals = [{"id": a["id"]} for a, item in zip(created, plan) if item["_approve"]]
        approver.batches("appointment.approve", approvals)
        appointments_s = time.monotonic() - started
        counts = {s: 0 for s in ("proposed", "approved", "active", "ended")}
        for status in counts:
            cursor, n = None, 0
            while True:
                page = reader.call("appointment.list", {"status": status, "limit": 500, **({"cursor": cursor} if cursor else {})})
                n += len(page["appointments"])
                cursor = page.get("next_cursor")
                if not cursor:
                    break
            counts[status] = n

        past = (today - timedelta(days=365 * 3)).isoformat()
        scenarios = [
            ("appointment.list", {"org": "MOHA", "limit": 100}, "one org, first page of 100"),
            ("appointment.list", {"org": "MOHA", "at": today.isoformat()}, "one org, holders today"),
            ("appointment.list", {"at": past, "limit": 100}, "all orgs, holders 3 years ago, page of 100"),
            ("appointment.list", {"status": "active", "limit": 100}, "all orgs, status active, page of 100"),
            ("coverage.report", {}, "51 orgs, today"),
        ]
        results = []
        for method, params, label in scenarios:
            sample = reader.call(method, params)
            size = len(sample.get("appointments", sample.get("orgs", [])))
            r = talent_bench(daemon.socket, "bench-reader", reader_token, method, params, args.connections,
                             args.duration, pipeline=args.pipeline, bench_bin=args.bench)
            results.append({"method": method, "params": params, "label": label, "items": size, "bench": r})

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
        print(f"loaded {len(person_ids)} persons in {persons_s:.1f} s ({len(person_ids) / persons_s:.0f}/s), "
              f"{len(created)} appointments ({len(approvals)} approved) in {appointments_s:.1f} s; statuses today: {counts}")
        print(f"load: {args.connections} connections x pipeline {args.pipeline}, {args.duration:.0f} s each, client latency")
        print(f"{'method':<18} {'what':<44} {'items':>5} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
        for r in results:
            b = r["bench"]
            print(f"{r['method']:<18} {r['label']:<44} {r['items']:>5} {b['requests_per_second']:>8.0f} "
                  f"{b['latency_us']['p50'] / 1000:>7.2f} {b['latency_us']['p99'] / 1000:>7.2f}")
        (daemon.dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0

if __name__ == "__main__":
    sys.exit(main())
