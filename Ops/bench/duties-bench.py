#!/usr/bin/env python3
"""duty.list and duty.get under load: statuses derived on every read from appointments and duties.

Starts its own talentd (release build by default) on a fresh database in a temporary directory,
loads appointments as appointments-bench.py does (successive terms per post and org, about 90%
approved), then gives every org DUTIES_PER_ORG duties: one in 20 chief_engineers (derived from the
appointments, the costliest kind), the rest manual with due dates spread over two years around
today, half of those completed. Measures each read with talent-bench (client latency).

    swift build -c release --product talentd && swift build -c release --product talent-bench
    python3 Ops/bench/duties-bench.py [--persons 10000] [--appointments 10000] [--duties-per-org 40]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import time
from datetime import timedelta

from benchlib import TALENT_BENCH, TALENTD, BenchDaemon, talent_bench

_spec = importlib.util.spec_from_file_location("appointments_bench", os.path.join(os.path.dirname(__file__), "appointments-bench.py"))
appointments_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(appointments_bench)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--bench", default=TALENT_BENCH)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--appointments", type=int, default=10_000)
    parser.add_argument("--duties-per-org", type=int, default=40)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    with BenchDaemon(args.talentd, prefix="duty-bench-", keep=args.keep) as daemon:
        loader, _ = daemon.agent("bench-loader", ["admin"])
        approver, _ = daemon.agent("bench-approver", ["hr_official"])
        reader, reader_token = daemon.agent("bench-reader", ["hr_official"])
        today = appointments_bench.vietnam_today()
        started = time.monotonic()
        people = [{"full_name": f"Nguyễn Văn Thử {i}"} for i in range(max(args.persons, args.appointments))]
        person_ids = [r["person"]["id"] for r in loader.batches("person.create", people)]
        plan = appointments_bench.appointment_plan(args.appointments, today)
        for item, pid in zip(plan, person_ids):
            item["person_id"] = pid
        created = loader.batches("appointment.propose", [{k: v for k, v in item.items() if k != "_approve"} for item in plan])
        approver.batches("appointment.approve", [{"id": a["id"]} for a, item in zip(created, plan) if item["_approve"]])
        load_s = time.monotonic() - started

        started = time.monotonic()
        codes = [code for code, _ in appointments_bench.orgs()]
        duties = []
        for i in range(args.duties_per_org):
            due = (today + timedelta(days=(i * 37) % 730 - 365)).isoformat()
            kind = "chief_engineers" if i % 20 == 0 else "manual"
            duties.append({"title": f"Nhiệm vụ {i}", "orgs": "all", "due_on": due, "kind": kind})
        given = [d for r in loader.batches("duty.create", duties, size=50) for d in r["duties"]]
        manual = [d for d in given if d["kind"] == "manual"]
        loader.batches("duty.complete", [{"id": d["id"], "result": "Đã xong"} for d in manual[::2]])
        duties_s = time.monotonic() - started
        counts = {s: len(reader.call("duty.list", {"status": s, "limit": 500}).get("duties", [])) for s in
                  ("open", "done", "late", "done_late")}

        past = (today - timedelta(days=365)).isoformat()
        scenarios = [
            ("duty.list", {"limit": 100}, "all orgs, first page of 100"),
            ("duty.list", {"status": "late", "limit": 100}, "all orgs, status late, page of 100"),
            ("duty.list", {"org": codes[0], "limit": 100}, "one org, every duty"),
            ("duty.list", {"status": "done", "at": past, "limit": 100}, "all orgs, done a year ago, page of 100"),
            ("duty.list", {"kind": "chief_engineers", "limit": 100}, "all orgs, chief_engineers, page of 100"),
            ("duty.get", {"id": given[0]["id"]}, "one chief_engineers duty"),
        ]
        results = []
        for method, params, label in scenarios:
            sample = reader.call(method, params)
            size = len(sample.get("duties", [sample]))
            r = talent_bench(daemon.socket, "bench-reader", reader_token, method, params, args.connections,
                             args.duration, bench_bin=args.bench)
            results.append((method, label, size, r))

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, load {os.getloadavg()[0]:.1f}")
        print(f"loaded {len(person_ids)} persons and {len(created)} appointments in {load_s:.1f} s; "
              f"{len(given)} duties ({len(duties)} duty.create calls, {len(manual[::2])} completed) in {duties_s:.1f} s")
        print(f"statuses today (first 500 of each): {counts}")
        print(f"load: {args.connections} connections, {args.duration:.0f} s each, client latency")
        print(f"{'method':<10} {'what':<42} {'items':>5} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
        for method, label, size, b in results:
            print(f"{method:<10} {label:<42} {size:>5} {b['requests_per_second']:>8.0f} "
                  f"{b['latency_us']['p50'] / 1000:>7.2f} {b['latency_us']['p99'] / 1000:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
