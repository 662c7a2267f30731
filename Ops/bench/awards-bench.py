#!/usr/bin/env python3
"""An award round with 5,000 nominations and 60 reviewers: award_round.assign_reviewers time, and
award_round.ranking requests/s and latency percentiles under load.

Starts its own talentd (release build by default) on a fresh database, loads over the socket with
JSON-RPC batches, then measures:

    swift build -c release --product talentd && swift build -c release --product talent-bench
    python3 Ops/bench/awards-bench.py [--nominations 5000] [--reviewers 60] [--duration 10]

The data: one round, one individual category without quota and two criteria; 5,000 persons, each
nominated by one of the 51 seeded orgs in turn; 60 reviewers, 20 each from MOST, MPS and MOHA (so
each is conflicted with its own org's nominations); 3 reviewers per nomination; every assigned
reviewer submits a review, scores varying with the reviewer and the nomination.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from datetime import datetime, timedelta, timezone

from benchlib import REPO, TALENT_BENCH, TALENTD, BenchDaemon, Conn, talent_bench

ORGS_MIGRATION = REPO / "Sources/TalentDaemon/Organizations/OrganizationsMigration.swift"
AGENCIES = ["MOST", "MPS", "MOHA"]


def day(offset: int) -> str:
    return ((datetime.now(timezone.utc) + timedelta(hours=7)).date() + timedelta(days=offset)).isoformat()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--bench", default=TALENT_BENCH)
    parser.add_argument("--nominations", type=int, default=5000)
    parser.add_argument("--reviewers", type=int, default=60)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    orgs = re.findall(r"^\s*\('([A-Z0-9-]+)', '[a-z_]+', ", ORGS_MIGRATION.read_text(), re.MULTILINE)

    with BenchDaemon(args.talentd, prefix="awards-bench-", keep=args.keep) as daemon:
        secretariat, secretariat_token = daemon.agent("bench-secretariat", ["award_secretariat"])
        loader = daemon.admin
        started = time.monotonic()
        people = [{"full_name": f"Nguyễn Văn Đề Cử {i}"} for i in range(args.nominations)]
        person_ids = [r["person"]["id"] for r in loader.batches("person.create", people)]
        secretariat.call("award_round.create", {
            "code": "BENCH", "title": "Giải thưởng", "year": 2026, "opens_on": day(-1), "closes_on": day(30),
            "review_closes_on": day(60), "categories": [{"key": "ind", "title": "Cá nhân", "kind": "individual"}],
            "criteria": [{"key": "impact", "title": "Tác động", "weight": 2, "max_score": 10},
                         {"key": "novelty", "title": "Tính mới", "weight": 1, "max_score": 10}]})
        secretariat.call("award_round.open", {"code": "BENCH"})
        nominations = loader.batches("nomination.submit", [
            {"round": "BENCH", "category": "ind", "org": orgs[i % len(orgs)], "nominee": {"person_id": pid},
             "citation": "Thành tích xuất sắc", "achievements": []} for i, pid in enumerate(person_ids)])
        reviewers = {}
        for i in range(args.reviewers):
            name = f"bench-rv-{i:02d}"
            loader.call("principal.create", {"name": name, "kind": "human", "roles": ["reviewer"], "org": AGENCIES[i % 3]})
            token = loader.call("token.create", {"principal": name, "label": "bench"})["token"]
            conn = Conn(daemon.socket)
            conn.call("session.login", {"principal": name, "secret": token})
            reviewers[name] = conn
        secretariat.call("award_round.close", {"code": "BENCH"})
        load_s = time.monotonic() - started

        started = time.monotonic()
        assigned = secretariat.call("award_round.assign_reviewers", {"round": "BENCH", "per_nomination": 3})
        assign_s = time.monotonic() - started

        started = time.monotonic()
        by_reviewer: dict[str, list[int]] = {}
        for a in assigned["assignments"]:
            for name in a["reviewers"]:
                by_reviewer.setdefault(name, []).append(a["nomination_id"])
        reviews = 0
        for name, ids in by_reviewer.items():
            bias = int(name[-2:]) % 5 - 2
            params = [{"nomination_id": nid, "scores": {"impact": max(0, min(10, 5 + bias + nid % 5)), "novelty": nid % 11},
                       "recommendation": "maybe", "confidence": 3} for nid in ids]
            reviews += len(reviewers[name].batches("review.submit", params))
        reviews_s = time.monotonic() - started

        results = []
        for params, label in [({"round": "BENCH"}, "whole round, by mean"),
                              ({"round": "BENCH", "normalize": "zscore"}, "whole round, z-score")]:
            sample = secretariat.call("award_round.ranking", params)
            r = talent_bench(daemon.socket, "bench-secretariat", secretariat_token, "award_round.ranking", params,
                             args.connections, args.duration, bench_bin=args.bench)
            results.append({"label": label, "rows": len(sample["ranking"]), "bench": r})

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; talentd {args.talentd}")
        print(f"loaded {len(nominations)} nominations and {args.reviewers} reviewers in {load_s:.1f} s")
        print(f"award_round.assign_reviewers: {assign_s:.2f} s ({assigned['added']} assignments, {len(assigned['short'])} short)")
        print(f"{reviews} reviews submitted in {reviews_s:.1f} s")
        print(f"award_round.ranking, {args.connections} connections, {args.duration:.0f} s each, client latency")
        for r in results:
            b = r["bench"]
            print(f"  {r['label']:<24} {r['rows']:>5} rows  {b['requests_per_second']:>8.1f} req/s  "
                  f"p50 {b['latency_us']['p50'] / 1000:.1f} ms  p99 {b['latency_us']['p99'] / 1000:.1f} ms")
        (daemon.dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
