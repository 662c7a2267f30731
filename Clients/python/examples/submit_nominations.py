#!/usr/bin/env python3
"""Submit a ministry's award nominations from a CSV file.

The CSV has a header row with the columns

    round,category,org,full_name,birth_date,citation[,collective,achievement,achievement_year,evidence_ref]

(UTF-8, an Excel byte-order mark is fine; cells are trimmed). A row with an empty ``collective``
nominates one person. Rows sharing the same non-empty ``collective`` (and round, category, org)
nominate that collective, each row naming one member; the first row's citation and achievement
are used. For every distinct person (full_name + birth_date) the script calls ``person.create``,
then ``nomination.submit`` for every nomination; both phases are pipelined.

Safe to rerun, e.g. after a failure: every request carries an idempotency key derived from the
row (the person's name and birth date; the round, category, org and nominee), so a rerun gets the
stored answers back instead of creating duplicates. A nomination refused the first time (a quota
reached, a person already nominated) is simply tried again and refused again, with its reason.

Connection and login: ``--socket`` or ``$TALENT_SOCKET``; credentials from ``$TALENT_PRINCIPAL``
with ``$TALENT_SECRET`` or ``$TALENT_TOKEN``, else the daemon's peer-credential login.

Exit status: 0 when every nomination was submitted, 1 when some failed, 3 when the daemon cannot
be reached, 64 on a bad CSV file.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, Optional, Tuple

from bulk_csv import add_common_arguments, derive_key, print_failures, read_rows, record_failure
from talent_client import Client, TalentConnectionError, TalentError

REQUIRED = ("round", "category", "org", "full_name", "birth_date", "citation")
OPTIONAL = ("collective", "achievement", "achievement_year", "evidence_ref")


def check(row: Dict[str, str]) -> Optional[str]:
    if row["achievement"] and not row["achievement_year"].isdigit():
        return f"achievement_year must be a year, not {row['achievement_year']!r}"
    return None


def citation_may_be_empty(row: Dict[str, str], column: str) -> bool:
    """A collective's later rows name members only: their citation may be empty."""
    return column == "citation" and bool(row["collective"])


def nominations(rows: List[Dict[str, str]]) -> List[Dict[str, Any]]:
    """One entry per nomination: an individual row, or the rows of one collective."""
    out: List[Dict[str, Any]] = []
    groups: Dict[Tuple[str, str, str, str], Dict[str, Any]] = {}
    for row in rows:
        if not row["collective"]:
            out.append({"first": row, "members": [row]})
            continue
        key = (row["round"], row["category"], row["org"], row["collective"])
        if key not in groups:
            groups[key] = {"first": row, "members": []}
            out.append(groups[key])
        groups[key]["members"].append(row)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Submit award nominations from a CSV (round,category,org,full_name,birth_date,citation"
                    "[,collective,achievement,achievement_year,evidence_ref]); reruns create no duplicates.",
        epilog="example: TALENT_PRINCIPAL=agent.mof TALENT_TOKEN=... %(prog)s nominations.csv")
    add_common_arguments(parser, key_prefix="nominate")
    args = parser.parse_args(argv)

    try:
        rows = read_rows(args.csv, args.encoding, REQUIRED, OPTIONAL, check, citation_may_be_empty)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 64
    wanted = nominations(rows)
    if args.dry_run:
        print(f"{len(rows)} row(s), {len(wanted)} nomination(s) look fine")
        return 0
    summary: Dict[str, Any] = {"nominations": len(wanted), "submitted": 0, "failed": 0,
                               "failures_by_reason": {}, "nomination_ids": []}

    try:
        with Client(args.socket) as client:
            # Phase 1: one person.create per distinct (full_name, birth_date).
            order = list(dict.fromkeys((r["full_name"], r["birth_date"]) for r in rows))
            calls = [("person.create", {"full_name": name, "birth_date": born,
                                        "idempotency_key": derive_key(args.key_prefix, "person", name, born)})
                     for name, born in order]
            people: Dict[Tuple[str, str], Any] = {}
            for who, outcome in zip(order, client.pipeline(calls)):
                people[who] = outcome if isinstance(outcome, BaseException) else outcome["person"]["id"]

            # Phase 2: one nomination.submit per nomination whose persons exist.
            jobs: List[Tuple[str, Tuple[str, Dict[str, Any]]]] = []
            for n in wanted:
                first, members = n["first"], n["members"]
                ids = [people[(m["full_name"], m["birth_date"])] for m in members]
                broken = next((i for i in ids if isinstance(i, BaseException)), None)
                if broken is not None:
                    record_failure(summary, first["line"], broken)
                    continue
                if first["collective"]:
                    nominee: Dict[str, Any] = {"name": first["collective"], "members": ids}
                    who = [first["collective"]] + [f"{m['full_name']}|{m['birth_date']}" for m in members]
                else:
                    nominee = {"person_id": ids[0]}
                    who = [f"{first['full_name']}|{first['birth_date']}"]
                achievements = []
                if first["achievement"]:
                    achievement: Dict[str, Any] = {"title": first["achievement"], "year": int(first["achievement_year"])}
                    if first["evidence_ref"]:
                        achievement["evidence_ref"] = first["evidence_ref"]
                    achievements.append(achievement)
                params = {"round": first["round"], "category": first["category"], "org": first["org"], "nominee": nominee,
                          "citation": first["citation"], "achievements": achievements,
                          "idempotency_key": derive_key(args.key_prefix, "nominate", first["round"], first["category"],
                                                        first["org"], *who)}
                jobs.append((first["line"], ("nomination.submit", params)))
            for (line, _), outcome in zip(jobs, client.pipeline(call for _, call in jobs)):
                if isinstance(outcome, BaseException):
                    record_failure(summary, line, outcome)
                    summary["nomination_ids"].append(None)
                else:
                    summary["submitted"] += 1
                    summary["nomination_ids"].append(outcome["id"])
    except TalentConnectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except TalentError as exc:  # e.g. the login was refused
        print(exc, file=sys.stderr)
        return 1

    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"{summary['nominations']} nomination(s): {summary['submitted']} submitted, {summary['failed']} failed")
        print_failures(summary)
    return 0 if summary["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
