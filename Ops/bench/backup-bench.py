#!/usr/bin/env python3
"""Writers' latency while system.backup copies the database (issue 15's benchmark).

A private daemon on a fresh database is loaded with --rows principals (bulk, batched), then
--writers clients each create principals one at a time (send, wait for the answer, repeat) for
the whole run. After --settle seconds one admin connection calls system.backup; the writers go
on. Reported: the backup's pages, bytes and seconds, and the writers' p50/p99/max latency and
throughput before the backup and while it ran.

Usage: Ops/bench/backup-bench.py [--talentd .build/release/talentd] [--rows 100000] [--writers 8]
Build first: swift build -c release --product talentd
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import threading
import time

from benchlib import TALENTD, BenchDaemon, Conn


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else float("nan")


def writer(socket_path: str, secret: str, index: int, stop: threading.Event, samples: list):
    conn = Conn(socket_path)
    conn.call("session.login", {"principal": "admin", "secret": secret})
    n = 0
    while not stop.is_set():
        started = time.monotonic()
        conn.call("principal.create", {"name": f"w{index}-{n}", "kind": "agent", "roles": ["ops"]})
        samples.append((started, time.monotonic() - started))
        n += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--settle", type=float, default=3.0)
    args = parser.parse_args()

    with BenchDaemon(args.talentd, prefix="bench-backup-") as d:
        d.admin.batches("principal.create", [{"name": f"bulk-{i}", "kind": "agent", "roles": ["ops"]} for i in range(args.rows)])
        secret = (d.dir / "admin.secret").read_text().strip()
        stop = threading.Event()
        samples: list[list] = [[] for _ in range(args.writers)]
        threads = [threading.Thread(target=writer, args=(d.socket, secret, i, stop, samples[i])) for i in range(args.writers)]
        for t in threads:
            t.start()
        time.sleep(args.settle)
        backup_path = str(d.dir / "backup.db")
        began = time.monotonic()
        result = d.admin.call("system.backup", {"path": backup_path})
        ended = time.monotonic()
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
        everything = [s for per in samples for s in per]
        before = [lat for at, lat in everything if began - args.settle + 1 <= at < began]
        during = [lat for at, lat in everything if began <= at < ended]

        def phase(latencies: list[float], seconds: float) -> dict:
            return {"writes": len(latencies), "writes_per_s": round(len(latencies) / seconds, 1),
                    "p50_ms": round(percentile(latencies, 50) * 1000, 2), "p99_ms": round(percentile(latencies, 99) * 1000, 2),
                    "max_ms": round(max(latencies, default=float("nan")) * 1000, 2)}

        report = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            "talentd": args.talentd, "rows": args.rows, "writers": args.writers,
            "backup": {k: result[k] for k in ("pages", "bytes", "seconds")},
            "backup_call_s": round(ended - began, 3),
            "before_backup": phase(before, args.settle - 1),
            "during_backup": phase(during, max(ended - began, 1e-9)),
        }
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
