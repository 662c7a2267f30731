#!/usr/bin/env python3
"""Submit applications to a recruitment campaign in bulk from a CSV file.

The CSV has a header row with the columns

    full_name,birth_date,source[,referred_by,employer,overseas_vietnamese,residence_country,note]

(UTF-8, an Excel byte-order mark is fine; cells are trimmed). ``source`` is domestic, overseas or
referral (then ``referred_by`` is needed). For every distinct candidate (full_name + birth_date)
the script finds or registers the person (``person.create`` with ``if_duplicate:
return_existing``), then submits one ``application.submit`` per row to ``--campaign``; both
phases are pipelined.

Safe to rerun, e.g. after a crash or a timeout: every request carries an idempotency key derived
from the row, so a rerun within the daemon's retention window gets the stored answers back; after
it, the daemon's own rule (one application per person and campaign) answers ``conflict`` naming
the application already there, which the script counts as ``already_submitted``, not as a
failure. A late run (the campaign closed) fails every row with ``invalid_state`` naming the
closing date.

Connection and login: ``--socket`` or ``$TALENT_SOCKET``; credentials from ``$TALENT_PRINCIPAL``
with ``$TALENT_SECRET`` or ``$TALENT_TOKEN``, else the daemon's peer-credential login.

Exit status: 0 when every row is submitted (now or before), 1 when some row failed, 3 when the
daemon cannot be reached, 64 on a bad CSV file.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, Optional, Tuple

from bulk_csv import add_common_arguments, derive_key, print_failures, read_rows, record_failure
from talent_client import Client, Conflict, TalentConnectionError, TalentError

REQUIRED = ("full_name", "birth_date", "source")
OPTIONAL = ("referred_by", "employer", "overseas_vietnamese", "residence_country", "note")
SOURCES = ("domestic", "overseas", "referral")


def check(row: Dict[str, str]) -> Optional[str]:
    if row["source"] not in SOURCES:
        return f"source must be one of {', '.join(SOURCES)}, not {row['source']}"
    if row["source"] == "referral" and not row["referred_by"]:
        return "source referral needs referred_by"
    return None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Submit applications to a campaign in bulk from a CSV (full_name,birth_date,source[,referred_by,"
                    "employer,overseas_vietnamese,residence_country,note]); reruns create no duplicates.",
        epilog="example: TALENT_PRINCIPAL=agent.most TALENT_TOKEN=... %(prog)s --campaign MOST-LE-2026 candidates.csv")
    parser.add_argument("--campaign", required=True, help="the campaign's code")
    add_common_arguments(parser, key_prefix="bulk-apply")
    args = parser.parse_args(argv)

    try:
        rows = read_rows(args.csv, args.encoding, REQUIRED, OPTIONAL, check)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 64
    if args.dry_run:
        print(f"{len(rows)} row(s) look fine")
        return 0

    summary: Dict[str, Any] = {"rows": len(rows), "submitted": 0, "already_submitted": 0, "failed": 0,
                               "failures_by_reason": {}, "application_ids": []}

    try:
        with Client(args.socket) as client:
            # Phase 1: find or register each distinct candidate.
            people: Dict[Tuple[str, str], Optional[int]] = {}
            first_row: Dict[Tuple[str, str], Dict[str, str]] = {}
            for row in rows:
                who = (row["full_name"], row["birth_date"])
                people.setdefault(who, None)
                first_row.setdefault(who, row)
            order = list(people)
            calls = []
            for who in order:
                row = first_row[who]
                params: Dict[str, Any] = {"full_name": who[0], "birth_date": who[1], "if_duplicate": "return_existing",
                                          "idempotency_key": derive_key(args.key_prefix, "person", *who)}
                if row["employer"]:
                    params["employer"] = row["employer"]
                if row["residence_country"]:
                    params["residence_country"] = row["residence_country"].upper()
                if row["overseas_vietnamese"]:
                    params["overseas_vietnamese"] = row["overseas_vietnamese"].lower() in ("1", "true", "yes", "y")
                calls.append(("person.create", params))
            person_errors: Dict[Tuple[str, str], BaseException] = {}
            for who, outcome in zip(order, client.pipeline(calls)):
                if isinstance(outcome, BaseException):
                    person_errors[who] = outcome
                else:
                    people[who] = outcome["person"]["id"]

            # Phase 2: one application per row whose person exists.
            jobs: List[Tuple[int, Tuple[str, Any]]] = []
            ids: Dict[int, Any] = {}
            for row in rows:
                line = int(row["line"])
                who = (row["full_name"], row["birth_date"])
                if who in person_errors:
                    record_failure(summary, line, person_errors[who])
                    continue
                params = {"campaign": args.campaign, "person_id": people[who], "source": row["source"],
                          "idempotency_key": derive_key(args.key_prefix, "apply", args.campaign, *who)}
                for name in ("referred_by", "note"):
                    if row[name]:
                        params[name] = row[name]
                jobs.append((line, ("application.submit", params)))
            for (line, _), outcome in zip(jobs, client.pipeline(call for _, call in jobs)):
                if isinstance(outcome, Conflict) and outcome.data.get("application_id"):
                    summary["already_submitted"] += 1  # submitted by an earlier run whose key has expired
                    ids[line] = outcome.data["application_id"]
                elif isinstance(outcome, BaseException):
                    record_failure(summary, line, outcome)
                else:
                    summary["submitted"] += 1
                    ids[line] = outcome["id"]
            summary["application_ids"] = [ids.get(int(row["line"])) for row in rows]
    except TalentConnectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except TalentError as exc:  # e.g. the login was refused
        print(exc, file=sys.stderr)
        return 1

    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"{summary['rows']} row(s): {summary['submitted']} submitted, {summary['already_submitted']} already submitted, "
              f"{summary['failed']} failed")
        print_failures(summary)
    return 0 if summary["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
