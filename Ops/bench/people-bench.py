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
import socket
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
            ("Vũ", 3.9), ("Võ", 3.8), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
            ("Dương", 1), ("Lý", 0.5), ("Trương", 1), ("Đinh", 1), ("Lâm", 0.5), ("Mai", 0.5)]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thanh", "Ngọc", "Hữu", "Đức", "Thu", "Xuân", "Hoàng", "Anh"]
GIVEN = ["Hương", "Đức", "Lan", "Minh", "Quang", "Thảo", "Việt", "Hà", "Nam", "Phương", "Tuấn", "Hùng", "Dũng",
         "Linh", "Trang", "Huy", "Khánh", "Long", "Mai", "Ngân", "Oanh", "Phúc", "Quyên", "Sơn", "Tâm", "Uyên",
         "Vinh", "Yến", "Bình", "Cường", "Duyên", "Giang", "Hạnh", "Hiếu", "Kiên", "Lộc", "Nhung", "Thắng",
         "Thủy", "Trung"]


class Conn:
    def __init__(self, path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 0

    def _line(self) -> bytes:
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("daemon closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def call(self, method: str, params: dict | None = None):
        self.next_id += 1
        self.sock.sendall(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                      "params": params or {}}, ensure_ascii=False).encode() + b"\n")
        answer = json.loads(self._line())
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def batches(self, method: str, params_list: list[dict], size: int = 1000, window: int = 4) -> int:
        """Sends batches of `size`, `window` batch lines in flight; returns how many succeeded."""
        lines = []
        for start in range(0, len(params_list), size):
            batch = []
            for params in params_list[start:start + size]:
                self.next_id += 1
                batch.append({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
            lines.append(json.dumps(batch, ensure_ascii=False).encode() + b"\n")
        sent = received = done = 0
        while received < len(lines):
            while sent < len(lines) and sent - received < window:
                self.sock.sendall(lines[sent])
                sent += 1
            for answer in json.loads(self._line()):
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                done += 1
            received += 1
        return done


def people(start: int, count: int, rng: random.Random) -> list[dict]:
    names, weights = zip(*SURNAMES)
    out = []
    for i in range(start, start + count):
        given = rng.choice(GIVEN)
        out.append({"full_name": f"{rng.choices(names, weights)[0]} {rng.choice(MIDDLE)} {given}",
                    "birth_date": (date(1955, 1, 1) + timedelta(days=rng.randrange(18000))).isoformat(),
                    "employer": rng.choice(["Viettel", "VNPT", "FPT", "Đại học Quốc gia Hà Nội", "Bộ Nội vụ"])})
    return out


def bench(bench_bin: str, sock: str, principal: str, secret_file: str, params: dict,
          connections: int, duration: float) -> dict:
    out = subprocess.run([bench_bin, "--socket", sock, "--method", "person.search",
                          "--params", json.dumps(params, ensure_ascii=False), "--connections", str(connections),
                          "--duration", str(duration), "--warmup", "1", "--login-principal", principal,
                          "--login-secret-file", secret_file, "-o", "json"],
                         capture_output=True, text=True, timeout=duration + 120)
    if out.returncode != 0:
        raise RuntimeError(f"talent-bench failed: {out.stderr}")
    result = json.loads(out.stdout)
    if result.get("errors") or result.get("first_error"):
        raise RuntimeError(f"person.search answered errors under load: {result.get('first_error')}")
    return result


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
    parser.add_argument("--talentd", default=str(REPO / ".build/release/talentd"))
    parser.add_argument("--bench", default=str(REPO / ".build/release/talent-bench"))
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="then load up to 1,000,000 and time single searches")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="people-bench-", dir="/tmp"))
    db, sock = str(work / "talent.db"), str(work / "talentd.sock")
    subprocess.run([args.talentd, "init", "--db", db, "--admin-secret-file", str(work / "admin.secret")],
                   check=True, capture_output=True)
    log = open(work / "talentd.log", "wb")
    daemon = subprocess.Popen([args.talentd, "serve", "--db", db, "--socket", sock, "--log-level", "warning"],
                              stdout=log, stderr=log)
    report: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                "cpu": platform.processor() or platform.machine()}}
    try:
        for _ in range(300):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        admin = Conn(sock)
        admin.call("session.login", {"principal": "admin", "secret": (work / "admin.secret").read_text().strip()})
        tokens = {}
        for name, roles in [("bench-loader", ["hr_official"]), ("bench-reader", ["reviewer"])]:
            admin.call("principal.create", {"name": name, "kind": "agent", "roles": roles})
            tokens[name] = admin.call("token.create", {"principal": name, "label": "bench"})["token"]
            (work / f"{name}.token").write_text(tokens[name] + "\n")
        loader, reader = Conn(sock), Conn(sock)
        loader.call("session.login", {"principal": "bench-loader", "secret": tokens["bench-loader"]})
        reader.call("session.login", {"principal": "bench-reader", "secret": tokens["bench-reader"]})

        rng = random.Random(57)
        started = time.monotonic()
        loaded = 0
        while loaded < args.persons:
            chunk = min(50_000, args.persons - loaded)
            loaded += loader.batches("person.create", people(loaded, chunk, rng))
        report["load"] = {"persons": loaded, "seconds": round(time.monotonic() - started, 1),
                          "persons_per_s": round(loaded / (time.monotonic() - started))}
        print(json.dumps(report["load"]), flush=True)

        report["search"] = []
        for params, label in SCENARIOS:
            r = bench(args.bench, sock, "bench-reader", str(work / "bench-reader.token"), params,
                      args.connections, args.duration)
            row = {"params": params, "label": label, "bench": r}
            report["search"].append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)

        if args.million:
            started = time.monotonic()
            while loaded < 1_000_000:
                loaded += loader.batches("person.create", people(loaded, 50_000, rng))
            report["load_1m"] = {"persons": loaded, "seconds": round(time.monotonic() - started, 1)}
            report["single_1m"] = []
            for params, label in SCENARIOS:
                ms, n = timed(reader, params)
                row = {"params": params, "label": label, "median_ms": round(ms, 2), "returned": n}
                report["single_1m"].append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
        report["db_bytes"] = os.path.getsize(db)
        print(json.dumps(report, ensure_ascii=False, indent=2))
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)
        if not args.keep:
            subprocess.run(["rm", "-rf", str(work)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
