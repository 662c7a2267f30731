#!/usr/bin/env python3
"""kpi.report and `talentctl publish` on a registry of 100,000 persons (1% of them possible
duplicates) and 51 orgs with duties, chief engineers and experts.

Starts its own talentd (release build by default) on a fresh database, loads persons with
JSON-RPC batches of person.create, gives every org five duties and half of them a chief
engineer, then times single kpi.report calls (median of 20, national and one org) and one
`talentctl publish` (wall time, which includes recruitment.progress at each month end).

    swift build -c release --product talentd && swift build --product talentctl
    python3 Ops/bench/kpi-bench.py [--persons 100000]

The national report scans the person registry for missing fields and possible duplicates
(persons.name_key + birth_date and email, by index): that part grows with the registry.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path

from benchlib import REPO, TALENTD, BenchDaemon

spec = importlib.util.spec_from_file_location("people_bench", Path(__file__).with_name("people-bench.py"))
people_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(people_bench)

TALENTCTL = str(REPO / ".build/debug/talentctl")


def median_ms(conn, params: dict, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        conn.call("kpi.report", params)
        times.append((time.perf_counter() - started) * 1000)
    return round(sorted(times)[len(times) // 2], 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--talentd", default=TALENTD)
    parser.add_argument("--talentctl", default=TALENTCTL)
    parser.add_argument("--persons", type=int, default=100_000)
    args = parser.parse_args()

    report: dict = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()}}
    with BenchDaemon(args.talentd, prefix="kpi-bench-") as daemon:
        loader, _ = daemon.agent("bench-loader", ["hr_official"])
        reader, reader_token = daemon.agent("bench-reader", ["auditor"])
        approver, _ = daemon.agent("bench-approver", ["hr_official"])
        rng = random.Random(57)
        persons = people_bench.people(0, args.persons, rng)
        for i in range(0, len(persons), 100):  # 1%: the name and birth date of an earlier person
            persons[i] = {**persons[rng.randrange(len(persons))], "employer": None}
            persons[i] = {k: v for k, v in persons[i].items() if v is not None}
        started = time.monotonic()
        ids = [p["person"]["id"] for p in loader.batches("person.create", persons)]
        report["load"] = {"persons": len(ids), "seconds": round(time.monotonic() - started, 1)}

        orgs = [o["code"] for o in daemon.admin.call("org.list", {"limit": 500})["orgs"]]
        for i, org in enumerate(orgs[::2]):
            kind = daemon.admin.call("org.get", {"code": org})["kind"]
            rank = "provincial_department_director" if kind in ("province", "central_city") else "department_director"
            proposed = loader.call("appointment.propose", {"org": org, "post": "chief_engineer_sti", "person_id": ids[i],
                                                            "term_start": "2025-09-01", "equivalent_rank": rank})
            approver.call("appointment.approve", {"id": proposed["id"]})
        for n, due in enumerate(["2025-10-01", "2026-01-31", "2026-06-30", "2026-12-31", "2027-06-30"]):
            kind = "chief_engineers" if n == 0 else "manual"
            daemon.admin.call("duty.create", {"title": f"Nhiệm vụ {n}", "orgs": "all", "due_on": due, "kind": kind})

        report["kpi_report_national_ms"] = median_ms(reader, {})
        report["kpi_report_one_org_ms"] = median_ms(reader, {"org": "MOHA"})
        quality = reader.call("kpi.report", {})["data_quality"]
        report["data_quality"] = quality
        with tempfile.TemporaryDirectory() as out:
            started = time.monotonic()
            subprocess.run([args.talentctl, "--socket", daemon.socket, "--principal", "bench-reader",
                            "--secret-file", reader_token, "publish", "--out", out], check=True, capture_output=True)
            report["publish_seconds"] = round(time.monotonic() - started, 2)
            report["index_html_bytes"] = os.path.getsize(Path(out) / "index.html")
        report["machine"]["load_after"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
