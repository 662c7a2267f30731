#!/usr/bin/env python3
"""Issue 10, item 1: a client writes N `rpc.discover` lines (no login needed) and never reads.
Prints the daemon's RSS before, at its peak while the client holds the connection, and after the
client closed; also how fast another client's ping is meanwhile. Release build by default:
    swift build -c release --product talentd && python3 Ops/bench/unread-rss.py 20000 100000"""
import os
import sys
import time
from pathlib import Path

from benchlib import TALENTD, BenchDaemon, Conn

DISCOVER = b'{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}\n'


def rss_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def discover_answered(admin: Conn) -> int:
    return admin.call("system.stats")["methods"].get("rpc.discover", {}).get("requests", 0)


def run(lines: int, talentd: str) -> None:
    with BenchDaemon(talentd, prefix="unread-") as d:
        pid = d.proc.pid
        before = rss_mib(pid, "VmRSS")
        flooder = Conn(d.socket)
        flooder.sock.setblocking(False)
        payload, sent, deadline = DISCOVER * lines, 0, time.monotonic() + 120
        # Send without ever reading; the daemon may stop reading us (backpressure): then stop too.
        stalled_since = None
        while sent < len(payload) and time.monotonic() < deadline:
            try:
                sent += flooder.sock.send(payload[sent:sent + (1 << 16)])
                stalled_since = None
            except BlockingIOError:
                stalled_since = stalled_since or time.monotonic()
                if time.monotonic() - stalled_since > 10:  # a blocking writer would wait forever
                    break
                time.sleep(0.01)
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < 2 and time.monotonic() < deadline:
            now = discover_answered(d.admin)
            if now != last:
                last, quiet_since = now, time.monotonic()
            time.sleep(0.2)
        peak, held = rss_mib(pid, "VmHWM"), rss_mib(pid, "VmRSS")
        started = time.monotonic()
        d.admin.call("system.ping")
        ping_ms = (time.monotonic() - started) * 1000
        stats = d.admin.call("system.stats")["connections"]
        flooder.sock.close()
        time.sleep(3)
        after = rss_mib(pid, "VmRSS")
        print(f"{lines} lines: {sent // len(DISCOVER)} sent, {last} answered; RSS before {before:.0f} MiB, "
              f"peak {peak:.0f} MiB, held {held:.0f} MiB, 3 s after close {after:.0f} MiB; "
              f"other client's ping {ping_ms:.1f} ms; output_paused {stats.get('output_paused')}")


if __name__ == "__main__":
    binary = os.environ.get("TALENTD_BIN", TALENTD)
    for arg in sys.argv[1:] or ["20000", "100000"]:
        run(int(arg), binary)
