#!/usr/bin/env python3
"""Instructions per durable write, counted by callgrind: on the commit thread and on the event loops.

Rates of durable writes move 20-30% between runs on this shared 2-core machine, more than most
single changes to the write path. Instructions do not: the same build gives the same count to
within about 1%. This counts them for each build given, so that two builds can be compared.

    python3 Ops/bench/commit-instructions.py [--method person.create] [--seconds 15] BUILD...

BUILD is a talentd binary (default: .build/release/talentd). Each runs `talentd serve` under
`valgrind --tool=callgrind` on a fresh database, with talent-bench writing from 4 connections at
depth 16 for the given seconds; the count is the inclusive cost of GroupCommit.commitWhileQueued
(the commit thread) and SelectableEventLoop.run (the event loops), divided by the writes committed
(talentd_writes_per_commit). Valgrind runs one thread at a time, so commits carry about 30 writes,
not about 128 as in `make bench`: per-commit work weighs a little more here.

Needs valgrind and objcopy (Debian: valgrind, binutils); valgrind 3.19 cannot read Swift's DWARF 5,
so each binary is copied without its debug information (its symbols stay).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
from benchlib import BenchDaemon  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PARAMS = {
    "person.create": lambda person_id: {"full_name": "Trần Văn Đức", "employer": "Viện Hàn lâm KHCN Việt Nam"},
    # A chief architect per program: talent-bench makes each program name unique ($ID).
    "appointment.propose": lambda person_id: {"org": "MOHA", "post": "chief_architect", "program": "Chương trình $ID",
                                              "person_id": person_id, "term_start": "2026-12-01",
                                              "equivalent_rank": "department_director"},
}


def wait_longer_for_sockets() -> None:
    """benchlib waits 15 s for the daemon's socket; under valgrind it starts slower."""
    exists = os.path.exists

    def patient(path):
        if path.endswith(".sock"):
            deadline = time.monotonic() + 120
            while not exists(path) and time.monotonic() < deadline:
                time.sleep(0.1)
        return exists(path)
    benchlib.os.path.exists = patient


def count(build: str, method: str, seconds: float, work: Path) -> dict:
    binary = work / "talentd"
    subprocess.run(["objcopy", "--strip-debug", build, str(binary)], check=True)
    profile = work / "callgrind.out"
    wrapper = work / "talentd-under-callgrind"
    wrapper.write_text(f"""#!/bin/sh
if [ "$1" = serve ]; then exec valgrind --tool=callgrind --callgrind-out-file={profile} {binary} "$@"; fi
exec {binary} "$@"
""")
    wrapper.chmod(0o755)
    with BenchDaemon(str(wrapper), prefix="commit-instructions-") as daemon:
        _, token = daemon.agent("bench-writer", ["hr_official"])
        person = daemon.admin.call("person.create", {"full_name": "Nguyễn Thị Hương", "birth_date": "1980-05-17"})["person"]

        def committed() -> tuple[float, float]:
            text = daemon.admin.call("system.metrics", {})["text"]
            value = lambda name: float(next(l for l in text.splitlines() if l.startswith(name)).split()[-1])
            return value("talentd_writes_per_commit_sum"), value("talentd_writes_per_commit_count")
        writes_before, commits_before = committed()
        subprocess.run([os.environ.get("TALENT_BENCH", str(REPO / ".build/release/talent-bench")), "--socket", daemon.socket,
                        "--method", method, "--params", json.dumps(PARAMS[method](person["id"]), ensure_ascii=False),
                        "--connections", "4", "--pipeline", "16", "--duration", str(seconds), "--warmup", "0",
                        "--login-principal", "bench-writer", "--login-secret-file", token, "-o", "json"],
                       check=True, capture_output=True)
        writes_after, commits_after = committed()
        daemon.proc.terminate()
        daemon.proc.wait(timeout=300)
    annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(profile)],
                               check=True, capture_output=True, text=True).stdout

    def inclusive(symbol: str) -> int:
        line = next(l for l in annotated.splitlines() if re.search(symbol, l))
        return int(line.split()[0].replace(",", ""))
    writes = writes_after - writes_before
    return {"build": build, "writes": int(writes), "commits": int(commits_after - commits_before),
            "commit_thread": inclusive(r"GroupCommit.*commitWhileQueued") / writes,
            "event_loops": inclusive(r"SelectableEventLoop.*run\b|SelectableEventLoopC3run") / writes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("builds", nargs="*", default=[str(REPO / ".build/release/talentd")])
    parser.add_argument("--method", choices=sorted(PARAMS), default="person.create")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    missing = [tool for tool in ("valgrind", "callgrind_annotate", "objcopy") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"commit-instructions: missing {', '.join(missing)}; on Debian: apt-get install valgrind binutils")
    wait_longer_for_sockets()
    print(f"`{args.method}`, 4 connections x depth 16, {args.seconds:g} s under callgrind, instructions per write:\n")
    print("| build | commit thread | event loops | writes | writes per commit |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for build in args.builds:
        with tempfile.TemporaryDirectory(prefix="commit-instructions-") as work:
            r = count(build, args.method, args.seconds, Path(work))
        print(f"| {build} | {r['commit_thread']:,.0f} | {r['event_loops']:,.0f} | {r['writes']:,} | "
              f"{r['writes'] / max(1, r['commits']):.1f} |", flush=True)


if __name__ == "__main__":
    main()
