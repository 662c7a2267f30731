#!/usr/bin/env python3
"""The live event stream under load: 100 subscribers while 16 clients write.

Starts its own talentd (release build by default) on a fresh database, then in one run:
  1. 16 writers (talent-bench, person.create, 16 connections) with no subscriber: writes/s;
  2. the same with 100 subscribers (events.subscribe {topics: [person]}), read by two helper
     processes: writes/s again, events/s delivered (every subscriber must receive every event,
     in order, once), and the delivery lag: receive time minus the event's `at` (when the daemon
     began the write, same clock), p50/p99/max.

    swift build -c release --product talentd && swift build -c release --product talent-bench
    python3 Ops/bench/events-bench.py [--subscribers 100] [--writers 16] [--duration 8]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import selectors
import time
from datetime import datetime

from benchlib import TALENT_BENCH, TALENTD, BenchDaemon, Conn, talent_bench

SEQ = re.compile(rb'"seq":(\d+)')
AT = re.compile(rb'"at":"([^"]+)"')


def epoch(at: bytes) -> float:
    return datetime.fromisoformat(at.decode().replace("Z", "+00:00")).timestamp()


def subscribe_and_read(sock_path: str, principal: str, token: str, count: int, after_seq: int, until_seq, ready, results):
    """One helper process: `count` subscriptions, read with one selector until each has seen `until_seq`."""
    conns = []
    for _ in range(count):
        conn = Conn(sock_path)
        conn.call("session.login", {"principal": principal, "secret": token})
        conn.call("events.subscribe", {"topics": ["person"], "after_seq": after_seq})
        conn.sock.setblocking(False)
        conns.append(conn)
    ready.release()
    selector = selectors.DefaultSelector()
    state = {}
    for conn in conns:
        selector.register(conn.sock, selectors.EVENT_READ)
        state[conn.sock.fileno()] = {"sock": conn.sock, "buf": b"", "last": after_seq, "count": 0, "bad": 0}
    lags, first, last_at = [], None, None

    def take(s, data: bytes) -> None:
        nonlocal first, last_at
        now = time.time()
        first = first or now
        *lines, s["buf"] = (s["buf"] + data).split(b"\n")
        for line in lines:
            seq = int(SEQ.search(line).group(1))
            if seq <= s["last"]:
                s["bad"] += 1  # a duplicate or out of order
            s["last"] = seq
            s["count"] += 1
            lags.append(now - epoch(AT.search(line).group(1)))
            last_at = now

    # Events may follow the subscription's answer in the same read (writes still finishing).
    for conn in conns:
        take(state[conn.sock.fileno()], conn.buf)
    done = 0
    while done < len(conns):
        target = until_seq.value
        for key, _ in selector.select(timeout=0.5):
            s = state[key.fd]
            chunk = s["sock"].recv(1 << 20)
            if not chunk:
                raise SystemExit("a subscriber was disconnected (overflow?)")
            take(s, chunk)
        if target:
            done = sum(1 for s in state.values() if s["last"] >= target)
    results.put({"counts": [s["count"] for s in state.values()], "bad": sum(s["bad"] for s in state.values()),
                 "lags": lags, "first": first, "last": last_at})


def count_events(admin: Conn, after: int, through: int) -> int:
    """Person events in (after, through] (seqs have gaps: logins are audited but are not events)."""
    count, params = 0, {"topics": ["person"], "limit": 1000, "cursor": str(after)}
    while True:
        page = admin.call("events.list", params)
        count += sum(1 for e in page["events"] if e["seq"] <= through)
        if "next_cursor" not in page:
            return count
        params["cursor"] = page["next_cursor"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--bench", default=TALENT_BENCH)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--readers", type=int, default=2, help="helper processes reading the subscriptions")
    args = parser.parse_args()
    report: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                "cpu": platform.processor() or platform.machine(),
                                "load_before": os.getloadavg()}}
    params = {"full_name": "Nguyễn Thị Hương", "employer": "Viện Hàn lâm KHCN Việt Nam"}
    with BenchDaemon(args.talentd, prefix="events-bench-") as daemon:
        _, writer_token = daemon.agent("bench-writer", ["hr_official"])
        _, reader_token_file = daemon.agent("bench-reader", ["hr_official"])
        reader_token = open(reader_token_file).read().strip()

        alone = talent_bench(daemon.socket, "bench-writer", writer_token, "person.create", params, args.writers,
                             args.duration, bench_bin=args.bench)
        report["writers_alone"] = {"writes_per_s": round(alone["requests_per_second"]),
                                   "p99_ms": round(alone["latency_us"]["p99"] / 1000, 1)}
        print(json.dumps(report["writers_alone"]), flush=True)

        head = daemon.admin.call("events.list", {"limit": 1})["head_seq"]
        until = multiprocessing.Value("q", 0)
        ready = multiprocessing.Semaphore(0)
        results = multiprocessing.Queue()
        share = [args.subscribers // args.readers + (1 if i < args.subscribers % args.readers else 0) for i in range(args.readers)]
        readers = [multiprocessing.Process(target=subscribe_and_read,
                                           args=(daemon.socket, "bench-reader", reader_token, n, head, until, ready, results))
                   for n in share]
        for reader in readers:
            reader.start()
        for _ in readers:
            ready.acquire()
        followed = talent_bench(daemon.socket, "bench-writer", writer_token, "person.create", params, args.writers,
                                args.duration, bench_bin=args.bench)
        # Writes talent-bench left in flight finish after it returns: wait for the head to settle.
        settled = None
        while settled != (settled := daemon.admin.call("events.list", {"limit": 1})["head_seq"]):
            time.sleep(0.5)
        until.value = settled
        outcomes = [results.get(timeout=300) for _ in readers]
        for reader in readers:
            reader.join()
        events = count_events(daemon.admin, head, until.value)
        counts = [c for o in outcomes for c in o["counts"]]
        lags = [lag for o in outcomes for lag in o["lags"]]
        span = max(o["last"] for o in outcomes) - min(o["first"] for o in outcomes)
        report["with_subscribers"] = {
            "subscribers": args.subscribers, "writes_per_s": round(followed["requests_per_second"]),
            "writer_p99_ms": round(followed["latency_us"]["p99"] / 1000, 1),
            "events_written": events, "every_subscriber_got_every_event": all(c == events for c in counts),
            "received_per_subscriber": sorted(set(counts)),
            "duplicates_or_out_of_order": sum(o["bad"] for o in outcomes),
            "events_delivered_per_s": round(sum(counts) / span),
            "lag_ms": {"p50": round(pct(lags, 0.5) * 1000, 1), "p99": round(pct(lags, 0.99) * 1000, 1),
                       "max": round(max(lags) * 1000, 1)},
        }
        print(json.dumps(report["with_subscribers"]), flush=True)
    report["machine"]["load_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
