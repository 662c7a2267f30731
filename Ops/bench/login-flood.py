#!/usr/bin/env python3
"""system.ping latency for logged-in clients, alone and while 50 clients flood session.login
with wrong secrets (issue 3's benchmark). Loopback only: a private daemon on a Unix socket in a
temporary directory, stopped at the end.

Three phases, each --duration seconds, measured the same way (each ping client sends one ping,
waits for its answer, and repeats):
  baseline     no flood;
  flood-argon  50 flooders, each guessing a different, fresh principal name and reconnecting when
               refused with rate_limited, so that nearly every attempt costs a full Argon2 hash;
  flood-one    50 flooders guessing one real principal's password: after 5 failures the rate
               limiter refuses them without hashing, so the flood is cheap for the daemon.
Meanwhile another user logs in with the right password every 2 s: its wait is reported too.
The flooders run as another Unix user (nobody, when started as root), as an attacker on a real
host would: failed logins are also throttled per peer uid.

Usage: Ops/bench/login-flood.py [--talentd .build/release/talentd] [--pingers 8] [--flooders 50] [--duration 10]
Build first: swift build -c release --product talentd
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


async def rpc(reader, writer, method, params=None, id=1):
    request = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        request["params"] = params
    writer.write(json.dumps(request).encode() + b"\n")
    await writer.drain()
    line = await reader.readline()
    if not line:
        raise ConnectionError("closed by the daemon")
    return json.loads(line)


async def pinger(socket_path, token, stop_at, latencies):
    reader, writer = await asyncio.open_unix_connection(socket_path)
    answer = await rpc(reader, writer, "session.login", {"principal": "bench-pinger", "secret": token})
    assert "result" in answer, answer
    n = 0
    while time.monotonic() < stop_at:
        n += 1
        start = time.perf_counter_ns()
        answer = await rpc(reader, writer, "system.ping", id=n)
        latencies.append((time.perf_counter_ns() - start) / 1000)
        assert "result" in answer, answer
    writer.close()


def ping_phase(socket_path, token, pingers, duration, out):
    """Runs in its own process, so the flooders' Python work does not queue behind it."""
    async def main():
        latencies: list[float] = []
        stop_at = time.monotonic() + duration
        await asyncio.gather(*(pinger(socket_path, token, stop_at, latencies) for _ in range(pingers)))
        return latencies
    out.put(asyncio.run(main()))


async def flooder(socket_path, index, mode, stop_at, counts):
    generation = 0
    while time.monotonic() < stop_at:
        reader, writer = await asyncio.open_unix_connection(socket_path)
        try:
            while time.monotonic() < stop_at:
                name = f"flood-{index}-{generation}" if mode == "argon" else "bench-victim"
                answer = await rpc(reader, writer, "session.login", {"principal": name, "secret": "wrong-guess-123456"})
                reason = answer["error"]["data"]["reason"]
                counts[reason] = counts.get(reason, 0) + 1
                if reason == "rate_limited":
                    if mode == "argon":
                        break  # a new connection and a fresh name: every attempt hashes
                    # One name: keep hammering, as an attacker would; refusals cost no hashing.
        except (ConnectionError, OSError):
            counts["reconnect_after_close"] = counts.get("reconnect_after_close", 0) + 1
        finally:
            writer.close()
        generation += 1


def flood_phase(socket_path, flooders, mode, duration, out, flood_uid=None):
    if flood_uid is not None:
        # The attacker is another Unix user, as on a real host: the daemon throttles failed logins
        # per peer uid, so the measuring clients (this uid) must not share the flooders' uid.
        os.setgid(flood_uid)
        os.setuid(flood_uid)

    async def main():
        counts: dict[str, int] = {}
        stop_at = time.monotonic() + duration
        await asyncio.gather(*(flooder(socket_path, i, mode, stop_at, counts) for i in range(flooders)))
        return counts
    out.put(asyncio.run(main()))


def legitimate_logins(socket_path, duration):
    """A real user logging in with the right password, once every 2 s: how long it waits."""
    async def main():
        times = []
        stop_at = time.monotonic() + duration - 1
        while time.monotonic() < stop_at:
            reader, writer = await asyncio.open_unix_connection(socket_path)
            start = time.perf_counter()
            answer = await rpc(reader, writer, "session.login", {"principal": "bench-user", "secret": "bench-user-password"})
            times.append(round((time.perf_counter() - start) * 1000, 1) if "result" in answer else answer["error"]["data"]["reason"])
            writer.close()
            await asyncio.sleep(2)
        return times
    return asyncio.run(main())


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def run_phase(name, socket_path, token, args, flood_mode=None):
    queue = multiprocessing.Queue()
    flood_queue = multiprocessing.Queue()
    flood = None
    if flood_mode:
        # The flood starts first and outlasts the measurement, so every ping is measured under it.
        flood = multiprocessing.Process(target=flood_phase, args=(socket_path, args.flooders, flood_mode, args.duration + 2,
                                                                  flood_queue, args.flood_uid))
        flood.start()
        time.sleep(1)
    load_before = os.getloadavg()
    ping = multiprocessing.Process(target=ping_phase, args=(socket_path, token, args.pingers, args.duration, queue))
    ping.start()
    logins = legitimate_logins(socket_path, args.duration)
    latencies = sorted(queue.get(timeout=args.duration + 60))
    ping.join()
    load_after = os.getloadavg()
    counts = {}
    if flood:
        counts = flood_queue.get(timeout=args.duration + 60)
        flood.join()
    result = {
        "phase": name,
        "pings": len(latencies),
        "ping_per_s": round(len(latencies) / args.duration),
        "p50_us": round(percentile(latencies, 50)),
        "p99_us": round(percentile(latencies, 99)),
        "max_us": round(latencies[-1]) if latencies else None,
        "legit_login_ms": logins,
        "login_attempts": sum(v for k, v in counts.items() if k != "reconnect_after_close"),
        "login_answers": counts,
        "loadavg_1m": [round(load_before[0], 2), round(load_after[0], 2)],
    }
    print(json.dumps(result), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=str(REPO / ".build/release/talentd"))
    parser.add_argument("--pingers", type=int, default=8, help="logged-in clients measuring system.ping")
    parser.add_argument("--flooders", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10, help="seconds per phase")
    parser.add_argument("--flood-uid", type=int, default=65534 if os.getuid() == 0 else None,
                        help="Unix uid the flooders run as (default: nobody when run as root; otherwise they share "
                             "this user's uid and the per-uid login throttle also refuses the measuring clients)")
    args = parser.parse_args()
    if not Path(args.talentd).exists():
        sys.exit(f"{args.talentd} not found: swift build -c release --product talentd")

    work = Path(tempfile.mkdtemp(prefix="flood-", dir="/tmp"))
    db, sock, secret_file = work / "talent.db", work / "talentd.sock", work / "admin.secret"
    subprocess.run([args.talentd, "init", "--db", str(db), "--admin-secret-file", str(secret_file)], check=True, capture_output=True)
    log = open(work / "talentd.log", "wb")
    daemon = subprocess.Popen([args.talentd, "serve", "--db", str(db), "--socket", str(sock), "--log-level", "warning"],
                              stdout=log, stderr=log)
    try:
        for _ in range(300):
            if sock.exists():
                break
            time.sleep(0.05)
        if args.flood_uid is not None:
            os.chmod(work, 0o755)
            os.chmod(sock, 0o666)

        async def setup():
            reader, writer = await asyncio.open_unix_connection(str(sock))
            assert "result" in await rpc(reader, writer, "session.login", {"principal": "admin", "secret": secret_file.read_text().strip()})
            for name, secret in (("bench-pinger", None), ("bench-victim", "the-victims-real-password"),
                                 ("bench-user", "bench-user-password")):
                params = {"name": name, "kind": "agent", "roles": ["ops"]}
                if secret:
                    params["secret"] = secret
                assert "result" in await rpc(reader, writer, "principal.create", params)
            answer = await rpc(reader, writer, "token.create", {"principal": "bench-pinger", "label": "bench"})
            writer.close()
            return answer["result"]["token"]
        token = asyncio.run(setup())

        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
        print(json.dumps({"machine": f"{os.cpu_count()} cores, {cpu}", "kernel": platform.release(),
                          "pingers": args.pingers, "flooders": args.flooders, "duration_s": args.duration}), flush=True)
        results = [run_phase("baseline", str(sock), token, args),
                   run_phase("flood-argon", str(sock), token, args, "argon"),
                   run_phase("flood-one", str(sock), token, args, "one")]
        print("\nphase         pings/s   p50 µs   p99 µs   max µs   login attempts/s   load 1m      legit login ms")
        for r in results:
            rate = round(r["login_attempts"] / (args.duration + 2)) if r["login_attempts"] else 0
            print(f"{r['phase']:<12} {r['ping_per_s']:>8} {r['p50_us']:>8} {r['p99_us']:>8} {r['max_us']:>8} {rate:>18}   "
                  f"{r['loadavg_1m'][0]:.2f}->{r['loadavg_1m'][1]:.2f}   {r['legit_login_ms']}")
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
