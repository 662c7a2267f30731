#!/usr/bin/env python3
"""campaign.ranking for a campaign with 2,000 candidates and 15 evaluators, and
recruitment.progress with 10,000 experts, under load.

Starts its own talentd (release build by default) on a fresh database in a temporary directory,
loads the data over the socket with JSON-RPC batches (API tokens: an admin runs the campaigns, a
second, national hr_official approves the offers, as the four-eyes rule requires, and each of the
15 evaluators scores every candidate through its own session), then measures each query with
talent-bench (requests/s and latency percentiles measured at the client).

    swift build -c release --product talentd && swift build -c release --product talent-bench
    python3 Ops/bench/recruitment-bench.py [--candidates 2000] [--evaluators 15] [--experts 10000] [--duration 10]

The data: one open campaign of 4 criteria whose candidates are all at stage evaluation, every
one scored by every evaluator (30,000 evaluations); 20 further campaigns (leading_expert,
expert, chief_architect in turn, over the seeded orgs) recruiting `--experts` experts in all,
with start dates spread over the last three years, a tenth of them ended.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone

from benchlib import TALENT_BENCH, TALENTD, BenchDaemon, talent_bench

CRITERIA = [{"key": "research", "title": "Nghiên cứu", "weight": 4, "max_score": 10, "min_score": 5},
            {"key": "leadership", "title": "Lãnh đạo", "weight": 2, "max_score": 10},
            {"key": "impact", "title": "Tác động", "weight": 3, "max_score": 100},
            {"key": "language", "title": "Ngoại ngữ", "weight": 1, "max_score": 5}]
ORGS = ["MOST", "MOHA", "MOF", "MOH", "MOET", "MOJ", "HA-NOI", "HO-CHI-MINH", "DA-NANG", "HAI-PHONG"]
TIERS = ["leading_expert", "expert", "chief_architect"]


def vietnam_today() -> date:
    return (datetime.now(timezone.utc) + timedelta(hours=7)).date()


def people(n: int, offset: int) -> list[dict]:
    families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Bùi", "Đỗ", "Vũ", "Ngô"]
    given = ["Hương", "Đức", "Lan", "Minh", "Quang", "Thảo", "Việt", "Hà", "Nam", "Phương"]
    return [{"full_name": f"{families[i % 10]} {given[i // 10 % 10]} {offset + i}", "employer": f"Viện {i % 97}",
             "overseas_vietnamese": i % 5 == 0} for i in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--bench", default=TALENT_BENCH)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--evaluators", type=int, default=15)
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--pipeline", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    rng = random.Random(57)
    today = vietnam_today()
    opens_on = (today - timedelta(days=3 * 365 + 30)).isoformat()
    closes_on = (today + timedelta(days=60)).isoformat()

    with BenchDaemon(args.talentd, prefix="recruitment-bench-", keep=args.keep) as daemon:
        admin, _ = daemon.agent("bench-admin", ["admin"])
        approver, _ = daemon.agent("bench-approver", ["hr_official"])
        reader, reader_token = daemon.agent("bench-reader", ["hr_official"])

        # The ranked campaign.
        started = time.monotonic()
        admin.call("campaign.create", {"code": "BENCH-RANK", "title": "Xếp hạng", "org": "MOST", "tier": "leading_expert",
                                       "openings": 10, "opens_on": opens_on, "closes_on": closes_on, "criteria": CRITERIA,
                                       "min_evaluators": 10})
        admin.call("campaign.open", {"code": "BENCH-RANK"})
        pids = [r["person"]["id"] for r in admin.batches("person.create", people(args.candidates, 0))]
        apps = [r["id"] for r in admin.batches("application.submit", [
            {"campaign": "BENCH-RANK", "person_id": p, "source": "overseas" if i % 5 == 0 else "domestic"} for i, p in enumerate(pids)])]
        admin.batches("application.advance", [{"id": a, "to": "evaluation"} for a in apps])
        for e in range(args.evaluators):
            conn, _ = daemon.agent(f"bench-evaluator-{e}", ["evaluator"])
            admin.call("campaign.assign_evaluator", {"campaign": "BENCH-RANK", "principal": f"bench-evaluator-{e}"})
            conn.batches("evaluation.submit", [{"application_id": a, "scores": {c["key"]: rng.randint(0, c["max_score"]) for c in CRITERIA}}
                                               for a in apps])
        ranking_s = time.monotonic() - started

        # The experts: 20 campaigns sharing --experts recruitments.
        started = time.monotonic()
        campaigns = 20
        per = [args.experts // campaigns + (1 if i < args.experts % campaigns else 0) for i in range(campaigns)]
        offset = args.candidates
        recruited = 0
        for c in range(campaigns):
            code = f"BENCH-X{c}"
            admin.call("campaign.create", {"code": code, "title": f"Đợt {c}", "org": ORGS[c % len(ORGS)], "tier": TIERS[c % 3],
                                           "openings": per[c] + 5, "opens_on": opens_on, "closes_on": closes_on, "criteria": CRITERIA})
            admin.call("campaign.open", {"code": code})
            ids = [r["person"]["id"] for r in admin.batches("person.create", people(per[c], offset))]
            offset += per[c]
            apps = [r["id"] for r in admin.batches("application.submit", [
                {"campaign": code, "person_id": p, "source": "overseas" if i % 4 == 0 else "domestic"} for i, p in enumerate(ids)])]
            for stage in ("screening", "evaluation", "interview"):
                admin.batches("application.advance", [{"id": a, "to": stage} for a in apps])
            admin.batches("application.offer", [{"id": a, "start_on": (today - timedelta(days=rng.randint(0, 3 * 365))).isoformat()}
                                                for a in apps])
            approver.batches("application.approve_offer", [{"id": a} for a in apps])
            experts = [r["expert_id"] for r in admin.batches("application.accept", [{"id": a} for a in apps])]
            admin.batches("expert.end", [{"id": x, "end_on": today.isoformat(), "reason": "Hết hợp đồng"} for x in experts[::10]])
            recruited += len(experts)
        experts_s = time.monotonic() - started

        past = (today - timedelta(days=365)).isoformat()
        scenarios = [
            ("campaign.ranking", {"campaign": "BENCH-RANK", "limit": 100}, f"{args.candidates} candidates x {args.evaluators} evaluators, page of 100"),
            ("recruitment.progress", {}, f"{recruited} experts, today"),
            ("recruitment.progress", {"at": past}, f"{recruited} experts, a year ago"),
        ]
        results = []
        for method, params, label in scenarios:
            reader.call(method, params)
            r = talent_bench(daemon.socket, "bench-reader", reader_token, method, params, args.connections,
                             args.duration, pipeline=args.pipeline, bench_bin=args.bench)
            results.append({"method": method, "params": params, "label": label, "bench": r})

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
        print(f"loaded {args.candidates} candidates with {args.candidates * args.evaluators} evaluations in {ranking_s:.1f} s; "
              f"{recruited} experts in {experts_s:.1f} s")
        print(f"load: {args.connections} connections x pipeline {args.pipeline}, {args.duration:.0f} s each, client latency")
        print(f"{'method':<22} {'what':<52} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
        for r in results:
            b = r["bench"]
            print(f"{r['method']:<22} {r['label']:<52} {b['requests_per_second']:>8.0f} "
                  f"{b['latency_us']['p50'] / 1000:>7.2f} {b['latency_us']['p99'] / 1000:>7.2f}")
        (daemon.dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
