#!/usr/bin/env python3
"""Bulk person.create, then person.search, at 100,000 or (with --million) 1,000,000 persons.

Starts its own talentd (release build by default) on a fresh database in a temporary directory,
generates the persons first (Vietnamese names in their real surname distribution, birth dates,
unique 12-digit CCCDs, genders, employers), then loads them over the socket as a ministry's
script would: several connections, each keeping a few JSON-RPC batches of person.create in
flight, every create with its own idempotency key and an `if_duplicate` policy. It reports the
load rate every 100,000 persons (does it slow down as the registry grows?), the total time, then
person.search latency with talent-bench (p50/p99 at the client) for common surnames with and
without diacritics, alone and with a given name, first and later pages, beside system.ping's
(the machine's noise floor); and the daemon's RSS
(VmRSS, VmHWM), the CPU seconds of the daemon and of this loader, and the machine.

    swift build -c release --product talentd --product talent-bench
    python3 Ops/bench/people-bench.py --million
    python3 Ops/bench/people-bench.py --no-idempotency-keys          # what the keys cost
    python3 Ops/bench/people-bench.py --if-duplicate return_existing # what the policy costs

Issue 14's goal: 1,000,000 persons in under 3 minutes, then person.search p99 under 5 ms for
common surnames. Results: Ops/bench/people-results.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import threading
import time
from datetime import date, timedelta

from benchlib import TALENT_BENCH, TALENTD, BenchDaemon, Conn, talent_bench

# Share of the population, percent (Nguyễn about 38%, Trần 11%, Lê 9.5%...).
SURNAMES = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
            ("Vũ", 3.9), ("Võ", 3.8), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
            ("Dương", 1), ("Lý", 0.5), ("Trương", 1), ("Đinh", 1), ("Lâm", 0.5), ("Mai", 0.5), ("Tạ", 0.3),
            ("Cao", 0.4), ("Lương", 0.4), ("Hà", 0.4), ("Tô", 0.2), ("Kiều", 0.1), ("Quách", 0.1), ("Khổng", 0.05)]
MIDDLE = {"male": ["Văn", "Minh", "Quốc", "Đức", "Hữu", "Thanh", "Xuân", "Hoàng", "Anh", "Công", "Trọng", "Đình",
                   "Ngọc", "Quang", "Bá", "Duy"],
          "female": ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Thảo", "Phương", "Kim", "Bích", "Hồng", "Mai", "Diệu",
                     "Thùy", "Khánh", "Hải", "Lan"]}
GIVEN = {"male": ["Đức", "Minh", "Quang", "Việt", "Nam", "Tuấn", "Hùng", "Dũng", "Huy", "Khánh", "Long", "Phúc",
                  "Sơn", "Tâm", "Vinh", "Bình", "Cường", "Giang", "Hiếu", "Kiên", "Lộc", "Thắng", "Trung", "Hải",
                  "Hoàng", "Khoa", "Lâm", "Nghĩa", "Phong", "Quân", "Tài", "Thành", "Thịnh", "Toàn", "Trí", "Tùng",
                  "Vũ", "Đạt", "Hưng", "Khải"],
         "female": ["Hương", "Lan", "Thảo", "Hà", "Phương", "Linh", "Trang", "Mai", "Ngân", "Oanh", "Quyên", "Uyên",
                    "Yến", "Duyên", "Hạnh", "Nhung", "Thủy", "Anh", "Châu", "Diệp", "Giang", "Hằng", "Hoa", "Huyền",
                    "Khuê", "Loan", "Ly", "My", "Nga", "Nhi", "Quỳnh", "Tâm", "Thư", "Trâm", "Vân", "Xuân", "Hồng",
                    "Ánh", "Chi", "Dung"]}
EMPLOYERS = [("Tập đoàn Công nghiệp - Viễn thông Quân đội (Viettel)", 14), ("Tập đoàn Bưu chính Viễn thông Việt Nam", 9),
             ("Công ty Cổ phần FPT", 9), ("Đại học Quốc gia Hà Nội", 8), ("Đại học Quốc gia TP. Hồ Chí Minh", 7),
             ("Đại học Bách khoa Hà Nội", 6), ("Viện Hàn lâm Khoa học và Công nghệ Việt Nam", 6),
             ("Tập đoàn Điện lực Việt Nam", 5), ("Bộ Khoa học và Công nghệ", 4), ("Bộ Nội vụ", 3), ("Bộ Y tế", 3),
             ("Bệnh viện Bạch Mai", 3), ("Tập đoàn Dầu khí Việt Nam", 4), ("Sở Khoa học và Công nghệ Hà Nội", 2),
             ("Đại học Đà Nẵng", 3), ("Đại học Cần Thơ", 2), ("Công ty Cổ phần MISA", 1), ("VinAI", 1),
             ("Trường Đại học Y Hà Nội", 3), ("Học viện Công nghệ Bưu chính Viễn thông", 3)]
# The first three digits of a CCCD: the province of birth registration.
PROVINCE_CODES = ["001", "079", "031", "048", "092", "038", "040", "042", "036", "034", "033", "030", "037", "019",
                  "026", "027", "024", "022", "045", "046", "049", "051", "052", "054", "056", "058", "060", "062",
                  "064", "066", "068", "070", "072", "074", "075", "077", "080", "082", "083", "084", "086", "087",
                  "089", "091", "093", "094", "095", "096"]
MILLION = 1_000_000


def people(count: int, rng: random.Random) -> list[dict]:
    """`count` persons; their CCCDs are unique (the last six digits are a bijection of the index)."""
    surnames, surname_weights = zip(*SURNAMES)
    employers, employer_weights = zip(*EMPLOYERS)
    out = []
    for i in range(count):
        gender = "female" if rng.random() < 0.5 else "male"
        born = date(1955, 1, 1) + timedelta(days=rng.randrange(18_250))
        century_digit = (0 if born.year < 2000 else 2) + (1 if gender == "female" else 0)
        national_id = f"{rng.choice(PROVINCE_CODES)}{century_digit}{born.year % 100:02d}{(i * 7919 + 104_729) % MILLION:06d}"
        out.append({"full_name": f"{rng.choices(surnames, surname_weights)[0]} {rng.choice(MIDDLE[gender])} "
                                 f"{rng.choice(GIVEN[gender])}",
                    "gender": gender, "birth_date": born.isoformat(), "national_id": national_id,
                    "employer": rng.choices(employers, employer_weights)[0]})
    return out


def request_lines(persons: list[dict], first_id: int, batch: int, keys: bool, if_duplicate: str) -> list[tuple[bytes, int]]:
    """JSON-RPC batch lines of person.create, encoded before the clock starts (a script reading a
    CSV does the same), with how many creates each carries."""
    lines = []
    for start in range(0, len(persons), batch):
        entries = []
        for i, person in enumerate(persons[start:start + batch], start=first_id + start):
            params = dict(person, if_duplicate=if_duplicate)
            if keys:
                params["idempotency_key"] = f"people-bench-{i}"
            entries.append({"jsonrpc": "2.0", "id": i, "method": "person.create", "params": params})
        lines.append((json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode() + b"\n", len(entries)))
    return lines


class Loader:
    """Sends each connection's batch lines with `window` of them in flight; counts answers. The
    answers are checked by their bytes, not parsed: a parse of every answer costs this process
    CPU that the daemon needs on a 2-core machine. An answer with an error is parsed and raised."""

    def __init__(self, conns: list[Conn], lines: list[tuple[bytes, int]], window: int):
        self.done = 0
        self.created = self.existing = self.warned = 0
        self.failure: Exception | None = None
        self.lock = threading.Lock()
        shares = [lines[k::len(conns)] for k in range(len(conns))]
        self.threads = [threading.Thread(target=self._run, args=(conn, share, window), daemon=True)
                        for conn, share in zip(conns, shares)]

    def _run(self, conn: Conn, lines: list[tuple[bytes, int]], window: int) -> None:
        try:
            sent = received = 0
            while received < len(lines):
                while sent < len(lines) and sent - received < window:
                    conn.sock.sendall(lines[sent][0])
                    sent += 1
                answer = conn._line()
                if b'"error":' in answer:
                    errors = [a["error"] for a in json.loads(answer) if "error" in a]
                    raise RuntimeError(f"person.create answered {len(errors)} error(s), first: {errors[0]}")
                created, warned = answer.count(b'"created":true'), answer.count(b'"possible_duplicate"')
                with self.lock:
                    self.done += lines[received][1]
                    self.created += created
                    self.existing += lines[received][1] - created
                    self.warned += warned
                received += 1
        except Exception as error:  # reported by the main thread
            self.failure = error

    def run(self, on_progress) -> None:
        for thread in self.threads:
            thread.start()
        while any(thread.is_alive() for thread in self.threads):
            time.sleep(0.2)
            on_progress(self.done)
            if self.failure:
                raise self.failure
        if self.failure:
            raise self.failure
        on_progress(self.done)


def proc_status(pid: int) -> dict:
    """The daemon's resident memory now and at its peak (MiB), and its CPU seconds so far."""
    out = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(value.split()[0]) / 1024, 1)
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    out["cpu_s"] = round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)
    return out


def io_and_commits(daemon: BenchDaemon) -> dict:
    """Bytes the daemon wrote (WAL, checkpoints, answers) and its commits so far (writes_per_commit)."""
    with open(f"/proc/{daemon.proc.pid}/io") as io:
        counters = {key: int(value) for key, value in (line.split(": ") for line in io)}
    commits = {}
    for line in daemon.admin.call("system.metrics")["text"].splitlines():
        if line.startswith(("talentd_writes_per_commit_sum", "talentd_writes_per_commit_count")):
            name, value = line.split()
            commits[name.rsplit("_", 1)[1]] = float(value)
    return {"wchar": counters["wchar"], "write_bytes": counters["write_bytes"],
            "commits": commits.get("count", 0), "writes": commits.get("sum", 0)}


def machine(directory: str) -> dict:
    """Cores, CPU model, load average and the disk the database is on."""
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    mount = ("?", "", "?")
    with open("/proc/mounts") as mounts:
        for line in mounts:
            device, point, fstype = line.split()[:3]
            if (directory + "/").startswith(point.rstrip("/") + "/") and len(point) >= len(mount[1]):
                mount = (device, point, fstype)
    return {"cpus": os.cpu_count(), "cpu": cpu, "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "disk": {"device": mount[0], "mount": mount[1], "fstype": mount[2],
                     "free_gib": round(shutil.disk_usage(directory).free / 2**30, 1)}}


# (params, label); "nguyen" matches about 38% of the registry.
SEARCHES = [
    ({"q": "nguyen"}, "common surname, page of 50"),
    ({"q": "Nguyễn"}, "the same with diacritics"),
    ({"q": "tran"}, "second surname (11%)"),
    ({"q": "Trần"}, "with diacritics"),
    ({"q": "le"}, "third surname (9.5%)"),
    ({"q": "Lê"}, "with diacritics"),
    ({"q": "pham"}, "Phạm (7%)"),
    ({"q": "hoang"}, "Hoàng (5%), also a middle and a given name"),
    ({"q": "Hoàng"}, "with diacritics"),
    ({"q": "nguyen van"}, "surname and middle name"),
    ({"q": "nguyen thi huong"}, "full name without diacritics"),
    ({"q": "Nguyễn Thị Hương"}, "full name with diacritics"),
    ({"q": "tran minh duc", "limit": 500}, "full name, up to 500"),
    ({"q": "nguyen", "cursor": "HALF"}, "common surname, a page in the middle (cursor)"),
    ({"q": "ng"}, "two-letter prefix, page of 50"),
    ({"q": "truong duc kh", "limit": 500}, "rare combination with a prefix, up to 500"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--bench", default=TALENT_BENCH)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="load 1,000,000 persons (same as --persons 1000000)")
    parser.add_argument("--connections", type=int, default=4, help="loader connections")
    parser.add_argument("--batch", type=int, default=100, help="person.create per JSON-RPC batch line")
    parser.add_argument("--window", type=int, default=4, help="batch lines in flight per connection")
    parser.add_argument("--no-idempotency-keys", dest="keys", action="store_false")
    parser.add_argument("--if-duplicate", default="warn", choices=["warn", "refuse", "return_existing"])
    parser.add_argument("--duration", type=float, default=5, help="seconds of talent-bench per search")
    parser.add_argument("--search-connections", type=int, default=1)
    parser.add_argument("--no-search", dest="search", action="store_false")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    total = MILLION if args.million else args.persons
    if not 0 < total <= MILLION:
        parser.error("--persons: 1 to 1,000,000 (the CCCDs generated are unique up to a million)")

    with BenchDaemon(args.talentd, prefix="people-bench-", keep=args.keep) as daemon:
        report: dict = {"machine": machine(str(daemon.dir)),
                        "load_settings": {"persons": total, "connections": args.connections, "batch": args.batch,
                                          "window": args.window, "idempotency_keys": args.keys,
                                          "if_duplicate": args.if_duplicate}}
        report["sqlite_version"] = daemon.admin.call("system.info")["sqlite_version"]
        first, loader_token = daemon.agent("bench-loader", ["ministry_agent"])
        conns = [first] + [Conn(daemon.socket) for _ in range(args.connections - 1)]
        for conn in conns[1:]:  # one script, several connections, each logged in with its token
            conn.call("session.login", {"principal": "bench-loader", "secret": open(loader_token).read().strip()})
        _, reader_token = daemon.agent("bench-reader", ["hr_official"])

        started = time.monotonic()
        lines = request_lines(people(total, random.Random(57)), 1, args.batch, args.keys, args.if_duplicate)
        report["generate_s"] = round(time.monotonic() - started, 1)
        print(json.dumps({"machine": report["machine"], "load_settings": report["load_settings"],
                          "generate_s": report["generate_s"]}, ensure_ascii=False), flush=True)

        progress, marks = [], iter(range(100_000, total + 1, 100_000))
        mark = next(marks, total)
        io_before = io_and_commits(daemon)
        started, cpu_before = time.monotonic(), proc_status(daemon.proc.pid)["cpu_s"]
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        last = (0.0, 0)

        def on_progress(done: int) -> None:
            nonlocal mark, last
            while done >= mark:
                now = time.monotonic() - started
                row = {"persons": mark, "s": round(now, 1), "per_s_since_last": round((done - last[1]) / (now - last[0])),
                       **proc_status(daemon.proc.pid), "load_average_1m": round(os.getloadavg()[0], 2)}
                progress.append(row)
                print(json.dumps(row), flush=True)
                last = (now, done)
                mark = next(marks, total + 1)

        loader = Loader(conns, lines, args.window)
        loader.run(on_progress)
        seconds = time.monotonic() - started
        client = resource.getrusage(resource.RUSAGE_SELF)
        status = proc_status(daemon.proc.pid)
        io = {key: value - io_before[key] for key, value in io_and_commits(daemon).items()}
        report["load"] = {"persons": loader.done, "created": loader.created, "answered_existing": loader.existing,
                          "duplicate_warnings": loader.warned, "seconds": round(seconds, 1),
                          "persons_per_s": round(loader.done / seconds), "goal_under_s": 180,
                          "daemon_cpu_s": round(status["cpu_s"] - cpu_before, 1),
                          "daemon_cpu_us_per_create": round((status["cpu_s"] - cpu_before) * 1e6 / loader.done),
                          "loader_cpu_s": round(client.ru_utime + client.ru_stime
                                                - client_before.ru_utime - client_before.ru_stime, 1),
                          "commits": round(io["commits"]), "writes_per_commit": round(io["writes"] / max(io["commits"], 1), 1),
                          # What each create cost the disk: WAL frames, checkpoints into the database file.
                          "bytes_written_per_create": round(io["wchar"] / loader.done),
                          "bytes_to_disk_per_create": round(io["write_bytes"] / loader.done),
                          "rss_after_load_mib": status["VmRSS"], "peak_rss_mib": status["VmHWM"],
                          "progress": progress}
        print(json.dumps({k: v for k, v in report["load"].items() if k != "progress"}), flush=True)

        report["search"] = []
        if args.search:
            # The machine's noise floor, measured the same way: a method that does nothing.
            r = talent_bench(daemon.socket, "bench-reader", reader_token, "system.ping", {},
                             args.search_connections, args.duration, bench_bin=args.bench)
            report["ping"] = {"p50_ms": round(r["latency_us"]["p50"] / 1000, 2), "p99_ms": round(r["latency_us"]["p99"] / 1000, 2),
                              "load_average_1m": round(os.getloadavg()[0], 2)}
            print(json.dumps({"system.ping": report["ping"]}), flush=True)
        for params, label in SEARCHES if args.search else []:
            if params.get("cursor") == "HALF":
                params = dict(params, cursor=str(total // 2))
            cpu_before = proc_status(daemon.proc.pid)["cpu_s"]
            r = talent_bench(daemon.socket, "bench-reader", reader_token, "person.search", params,
                             args.search_connections, args.duration, bench_bin=args.bench)
            # CPU per search: what the daemon spent, whatever else the machine was running (talent-bench
            # warms up for 1 s before measuring, at about the measured rate).
            cpu = proc_status(daemon.proc.pid)["cpu_s"] - cpu_before
            row = {"params": params, "label": label, "req_per_s": round(r["requests_per_second"]),
                   "p50_ms": round(r["latency_us"]["p50"] / 1000, 2), "p99_ms": round(r["latency_us"]["p99"] / 1000, 2),
                   "daemon_cpu_us_per_search": round(cpu * 1e6 / (r["requests_per_second"] * (args.duration + 1))),
                   "returned": len(conns[0].call("person.search", params)["persons"]),
                   "load_average_1m": round(os.getloadavg()[0], 2)}
            report["search"].append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
        report["daemon_after_search"] = proc_status(daemon.proc.pid)
        report["db_mib"] = round(sum(os.path.getsize(daemon.db + suffix) for suffix in ("", "-wal")
                                     if os.path.exists(daemon.db + suffix)) / 2**20, 1)
        report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
