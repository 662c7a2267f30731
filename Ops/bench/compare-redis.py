#!/usr/bin/env python3
"""talentd beside Redis 7 on this machine, in one run: what `make bench` prints.

Reads: `system.ping` (no login), `org.get` and `person.get` (logged in as an hr_official with an
API token: an indexed read of one row) measured with talent-bench, each beside `GET` measured with
redis-benchmark at the same connections and pipeline depth (1, 16, 64 connections x depth 1 and
16), rate and p50/p99. Both servers listen on Unix sockets only; both generators run one thread.

Durable writes: `person.create` and `appointment.propose` from 16 connections at depth 16 beside
SQLite's own single-row synced commit rate on the daemon's disk, measured in the same run just
before and just after each write row (issue 14's aim: at least 4x that rate; the ratio is to the
mean of the two, as the disk's rate drifts).

    bash Ops/bench/compare-redis.sh       (builds, then runs this; or: make bench)
    python3 Ops/bench/compare-redis.py --talentd .build/release/talentd --bench .build/release/talent-bench

The ceiling: `nio-floor` (Ops/bench/Sources/nio-floor), the least a SwiftNIO server can do per
request (frame the line, copy its id into a fixed answer; as many event loops as talentd), answers
`system.ping` from talent-bench at every connections x depth, printed as the row "(SwiftNIO floor)".
Whatever talentd does per request costs on top of it.

Issue 14's aims: reads at least half of Redis's rate at the same connections and depth; at 64x1
`system.ping`'s p99 within twice Redis's.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchlib import TALENT_BENCH, TALENTD, BenchDaemon, sqlite_baseline, talent_bench, wait_for_socket


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine(talentd: str) -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.split("\n")[0] if shutil.which("swift") else "?"
    redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()
    redis_version = next((w[2:] for w in redis if w.startswith("v=")), "?")
    return [f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            f"- CPU: {os.cpu_count()} cores available, {cpu}",
            f"- memory: {mem / 1048576:.1f} GiB",
            f"- kernel: {platform.system()} {platform.release()}",
            f"- swift: {swift.strip()}",
            f"- talentd: {talentd}",
            f"- redis: {redis_version} (redis-server, redis-benchmark -t get)",
            f"- load average before the runs: {load()}"]


class NIOFloor:
    """nio-floor on a Unix socket, stopped on exit."""

    def __init__(self, binary: str):
        self.binary = binary

    def __enter__(self) -> "NIOFloor":
        self.dir = tempfile.mkdtemp(prefix="nio-floor-", dir="/tmp")
        self.socket = f"{self.dir}/floor.sock"
        self.proc = subprocess.Popen([self.binary, self.socket])
        wait_for_socket(self.socket)
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """A redis-server on a Unix socket only, without persistence, stopped on exit."""

    def __enter__(self) -> "Redis":
        self.dir = tempfile.mkdtemp(prefix="redis-bench-", dir="/tmp")
        self.socket = f"{self.dir}/redis.sock"
        self.proc = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", self.socket, "--unixsocketperm", "700",
                                      "--save", "", "--appendonly", "no", "--daemonize", "no",
                                      "--logfile", f"{self.dir}/redis.log"])
        wait_for_socket(self.socket)
        subprocess.run(["redis-cli", "-s", self.socket, "set", "key:__rand_int__", "x"], check=True, capture_output=True)
        return self

    def get(self, connections: int, pipeline: int, requests: int) -> tuple[float, float, float]:
        """redis-benchmark -t get: requests/s, p50 and p99 in µs."""
        out = subprocess.run(["redis-benchmark", "-s", self.socket, "-t", "get", "-c", str(connections), "-P", str(pipeline),
                              "-n", str(requests), "--csv"], capture_output=True, text=True, check=True, timeout=300).stdout
        rows = list(csv.reader(io.StringIO(out)))
        field = dict(zip(rows[0], rows[1]))
        return float(field["rps"]), float(field["p50_latency_ms"]) * 1000, float(field["p99_latency_ms"]) * 1000

    def timed_get(self, connections: int, pipeline: int, seconds: float) -> tuple[float, float, float]:
        """A short calibration run (which also warms Redis up) sizes the measured one to `seconds`."""
        rate, _, _ = self.get(connections, pipeline, min(200_000, 20_000 * pipeline))
        return self.get(connections, pipeline, max(10_000, int(rate * seconds)))

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=os.environ.get("TALENTD", TALENTD))
    parser.add_argument("--bench", default=os.environ.get("TALENT_BENCH", TALENT_BENCH))
    parser.add_argument("--floor", default=os.environ.get("NIO_FLOOR", str(Path(TALENT_BENCH).with_name("nio-floor"))))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 4)),
                        help="measured seconds per talentd read row and per Redis row")
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", 1)))
    parser.add_argument("--connections", default=os.environ.get("BENCH_CONNECTIONS", "1 16 64"))
    parser.add_argument("--pipelines", default=os.environ.get("BENCH_PIPELINES", "1 16"))
    parser.add_argument("--write-seconds", type=float, default=float(os.environ.get("BENCH_WRITE_SECONDS", 6)))
    parser.add_argument("--baseline-rows", type=int, default=6000,
                        help="single-row synced commits per baseline (about 1 s on this disk)")
    args = parser.parse_args()

    header = machine(args.talentd)
    reads, writes = [], []
    with Redis() as redis, NIOFloor(args.floor) as floor, BenchDaemon(args.talentd, prefix="compare-redis-") as daemon:
        _, reader_token = daemon.agent("bench-reader", ["hr_official"])
        person = daemon.admin.call("person.create", {"full_name": "Nguyễn Thị Hương", "birth_date": "1980-05-17"})["person"]
        methods = [("system.ping", {}, None), ("org.get", {"code": "MOHA"}, "bench-reader"),
                   ("person.get", {"id": person["id"]}, "bench-reader")]
        for c in [int(x) for x in args.connections.split()]:
            for p in [int(x) for x in args.pipelines.split()]:
                print(f"compare-redis: {c} connections x depth {p}", flush=True, file=sys.stderr)
                r_rps, r_p50, r_p99 = redis.timed_get(c, p, args.seconds)
                r = talent_bench(floor.socket, None, None, "system.ping", {}, c, args.seconds, pipeline=p,
                                 bench_bin=args.bench, warmup=args.warmup)
                reads.append(("(SwiftNIO floor)", c, p, r["requests_per_second"], r["latency_us"]["p50"],
                              r["latency_us"]["p99"], r_rps, r_p50, r_p99, load().split()[0]))
                for method, params, principal in methods:
                    r = talent_bench(daemon.socket, principal, principal and reader_token, method, params, c,
                                     args.seconds, pipeline=p, bench_bin=args.bench, warmup=args.warmup)
                    reads.append((method, c, p, r["requests_per_second"], r["latency_us"]["p50"], r["latency_us"]["p99"],
                                  r_rps, r_p50, r_p99, load().split()[0]))

        print("compare-redis: durable writes", flush=True, file=sys.stderr)
        _, writer_token = daemon.agent("bench-writer", ["hr_official"])
        person_params = {"full_name": "Trần Văn Đức", "employer": "Viện Hàn lâm KHCN Việt Nam"}
        # A chief architect per program: talent-bench makes each program name unique ($ID).
        propose_params = {"org": "MOHA", "post": "chief_architect", "program": "Chương trình $ID", "person_id": person["id"],
                          "term_start": date.today().isoformat(), "equivalent_rank": "department_director"}
        # The disk's synced-commit rate drifts by a quarter from one minute to the next: each write
        # row is measured between two baselines and compared with their mean.
        def baseline(name):
            return sqlite_baseline(str(daemon.dir), args.baseline_rows, name)["single_row_commits_per_s"]
        for method, params in [("person.create", person_params), ("appointment.propose", propose_params)]:
            before = baseline(f"baseline-before-{method}.db")
            r = talent_bench(daemon.socket, "bench-writer", writer_token, method, params, 16, args.write_seconds,
                             pipeline=16, bench_bin=args.bench, warmup=args.warmup)
            row_load = load().split()[0]
            after = baseline(f"baseline-after-{method}.db")
            writes.append((method, r["requests_per_second"], r["latency_us"]["p50"], r["latency_us"]["p99"], (before, after),
                           row_load))

    print("\n".join(header))
    print(f"- load average after the runs: {load()}")
    print(f"- (SwiftNIO floor): {args.floor}, answering system.ping with no work but framing and the id")
    print(f"- talentd: talent-bench, 1 thread, {args.seconds:g} s per row after {args.warmup:g} s warm-up; "
          f"redis: redis-benchmark, about {args.seconds:g} s per row (measured once per connections x depth, before talentd's rows)")
    print()
    print("| method | connections | depth | req/s | p50 / p99 (µs) | redis GET req/s | redis p50 / p99 (µs) "
          "| / redis | at least half? | load (1 min) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |")
    for method, c, p, t_rps, t_p50, t_p99, r_rps, r_p50, r_p99, row_load in reads:
        ratio = t_rps / r_rps if r_rps else 0
        aim = "(ceiling)" if method.startswith("(") else "yes" if ratio >= 0.5 else "no"
        print(f"| {method} | {c} | {p} | {t_rps:,.0f} | {t_p50:.0f} / {t_p99:.0f} | {r_rps:,.0f} | {r_p50:.0f} / {r_p99:.0f} "
              f"| {ratio:.2f} | {aim} | {row_load} |")
    print()
    print(f"Durable writes, 16 connections x depth 16, {args.write_seconds:g} s each, beside SQLite's single-row synced "
          f"commits (WAL, synchronous=FULL, {args.baseline_rows} rows, Python sqlite3) on the same disk, measured just "
          f"before and just after each row; the ratio is to their mean:")
    print()
    print("| method | talentd req/s | p50 / p99 (ms) | single-row synced commits/s (before / after) | talentd / baseline | at least 4x? | load (1 min) |")
    print("| --- | ---: | ---: | ---: | ---: | :---: | ---: |")
    for method, rps, p50, p99, (before, after), row_load in writes:
        base = (before + after) / 2
        ratio = rps / base if base else 0
        print(f"| {method} | {rps:,.0f} | {p50 / 1000:.1f} / {p99 / 1000:.1f} | {before:,} / {after:,} | {ratio:.1f}x | "
              f"{'yes' if ratio >= 4 else 'no'} | {row_load} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
