#!/usr/bin/env python3
"""person.search under load, with 100,000 persons (and one timed search at 1,000,000).

Starts its own talentd (release build by default) on a fresh database in a temporary directory,
loads persons over the socket with JSON-RPC batches of 1,000 person.create (logged in with an
API token), then measures person.search with talent-bench (requests/s and latency percentiles
at the client) for a common surname, a full name, and a rare prefix.

    swift build -c release --product talentd && swift build -c release --product talent-bench
    python3 Ops/bench/people-bench.py [--persons 100000] [--million] [--duration 10]

Names follow the real distribution roughly: Nguyễn about 38%, then Trần, Lê, Phạm...; so
"nguyen" matches a third of the registry and a page of 50 must come back fast anyway.
With --million the load continues to 1,000,000 persons and single searches are timed.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from datetime import date, timedelta

from benchlib import TALENT_BENCH, TALENTD, BenchDaemon, Conn, talent_bench

SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
            ("Vũ", 3.9), ("Võ", 3.8), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
            ("Dương", 1), ("Lý", 0.5), ("Trương", 1), ("Đinh", 1), ("Lâm", 0.5), ("Mai", 0.5)]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thanh", "Ngọc", "Hữu", "Đức", "Thu", "Xuân", "Hoàng", "Anh"]
GIVEN = ["Hương", "Đức", "Lan", "Minh", "Quang", "Thảo", "Việt", "Hà", "Nam", "Phương", "Tuấn", "Hùng", "Dũng",
         "Linh", "Trang", "Huy", "Khánh", "Long", "Mai", "Ngân", "Oanh", "Phúc", "Quyên", "Sơn", "Tâm", "Uyên",
         "Vinh", "Yến", "Bình", "Cường", "Duyên", "Giang", "Hạnh", "Hiếu", "Kiên", "Lộc", "Nhung", "Thắng",
         "Thủy", "Trung"]


def people(start: int, count: int, rng: random.Random) -> list[dict]:
    names, weights = zip(*SURNAMES)
    out = []
    for i in range(start, start + count):
        given = rng.choice(GIVEN)
        out.append({"full_name": f"{rng.choices(names, weights)[0]} {rng.choice(MIDDLE)} {given}",
                    "birth_date": (date(1955, 1, 1) + timedelta(days=rng.randrange(18000))).isoformat(),
                    "employer": rng.choice(["Viettel", "VNPT", "FPT", "Đại học Quốc gia Hà Nội", "Bộ Nội vụ"])})
    return out


def timed(conn: Conn, params: dict, repeat: int = 20) -> tuple[float, int]:
    """Median milliseconds of one search from this client, and how many persons it returned."""
    times, n = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = len(conn.call("person.search", params)["persons"])
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[len(times) // 2], n


SCENARIOS = [
    ({"q": "nguyen"}, "common surname (about 38% match), page of 50"),
    ({"q": "nguyen thi huong"}, "full name, page of 50"),
    ({"q": "truong duc kh", "limit": 500}, "rare combination with a prefix, up to 500"),
    ({"q": "ng"}, "two-letter prefix, page of 50"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--bench", default=TALENT_BENCH)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="then load up to 1,000,000 and time single searches")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    report: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                "cpu": platform.processor() or platform.machine()}}
    with BenchDaemon(args.talentd, prefix="people-bench-", keep=args.keep) as daemon:
        loader, _ = daemon.agent("bench-loader", ["hr_official"])
        reader, reader_token = daemon.agent("bench-reader", ["reviewer"])

        rng = random.Random(57)
        started = time.monotonic()
        loaded = 0
        while loaded < args.persons:
            chunk = min(50_000, args.persons - loaded)
            loaded += len(loader.batches("person.create", people(loaded, chunk, rng)))
        report["load"] = {"persons": loaded, "seconds": round(time.monotonic() - started, 1),
                          "persons_per_s": round(loaded / (time.monotonic() - started))}
        print(json.dumps(report["load"]), flush=True)

        report["search"] = []
        for params, label in SCENARIOS:
            r = talent_bench(daemon.socket, "bench-reader", reader_token, "person.search", params,
                             args.connections, args.duration, bench_bin=args.bench)
            row = {"params": params, "label": label, "bench": r}
            report["search"].append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)

        if args.million:
            started = time.monotonic()
            while loaded < 1_000_000:
                loaded += len(loader.batches("person.create", people(loaded, 50_000, rng)))
            report["load_1m"] = {"persons": loaded, "seconds": round(time.monotonic() - started, 1)}
            report["single_1m"] = []
            for params, label in SCENARIOS:
                ms, n = timed(reader, params)
                row = {"params": params, "label": label, "median_ms": round(ms, 2), "returned": n}
                report["single_1m"].append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
        report["db_bytes"] = os.path.getsize(daemon.db)
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
