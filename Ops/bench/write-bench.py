#!/usr/bin/env python3
"""Durable writes: person.create from 1 connection and from 16 connections at pipeline depth 16,
against the single-row synced commit rate of SQLite itself on the same disk, in one run.

The baseline is Python's sqlite3 in WAL mode with synchronous=FULL inserting one row per commit
(what a server without group commit can do at best) and, for scale, the same rows in one
transaction. Issue 14's aim: person.create at 16x16 at least 4x the single-row synced rate.

    swift build -c release --product talentd --product talent-bench
    python3 Ops/bench/write-bench.py --talentd .build/release/talentd --bench .build/release/talent-bench
"""
from __future__ import annotations

import argparse
import json
import os
import platform

from benchlib import TALENT_BENCH, TALENTD, BenchDaemon, sqlite_baseline, talent_bench


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--bench", default=TALENT_BENCH)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--baseline-rows", type=int, default=2000)
    args = parser.parse_args()
    report: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                "cpu": platform.processor() or platform.machine()}, "runs": []}
    with BenchDaemon(args.talentd, prefix="write-bench-") as daemon:
        # The baseline on the very disk (directory) the daemon's database is on.
        report["sqlite_baseline"] = sqlite_baseline(str(daemon.dir), args.baseline_rows)
        print(json.dumps(report["sqlite_baseline"]), flush=True)
        _, token = daemon.agent("bench-writer", ["hr_official"])
        params = {"full_name": "Nguyễn Thị Hương", "employer": "Viện Hàn lâm KHCN Việt Nam"}
        for connections, pipeline in [(1, 1), (16, 1), (16, 16)]:
            r = talent_bench(daemon.socket, "bench-writer", token, "person.create", params, connections,
                             args.duration, pipeline=pipeline, bench_bin=args.bench)
            row = {"method": "person.create", "connections": connections, "pipeline": pipeline,
                   "req_per_s": round(r["requests_per_second"]),
                   "p50_ms": round(r["latency_us"]["p50"] / 1000, 2), "p99_ms": round(r["latency_us"]["p99"] / 1000, 2)}
            row["x_single_row_baseline"] = round(row["req_per_s"] / report["sqlite_baseline"]["single_row_commits_per_s"], 2)
            report["runs"].append(row)
            print(json.dumps(row), flush=True)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
