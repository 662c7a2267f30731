#!/usr/bin/env python3
"""Export the chief-engineer coverage report (``coverage.report``) as CSV.

One row per organization: its code, kind and name, then for each of the two chief-engineer
posts (science-technology-innovation ``sti`` and operations ``ops``) the appointment id, person
id and full name of the holder (empty when the post is vacant), and ``fully_covered``. The
summary (orgs, fully covered, missing sti, missing ops) goes to stderr. A cell a spreadsheet would
run as a formula is prefixed with ``'`` (see :func:`neutralized`).

Connection and login: ``--socket`` or ``$TALENT_SOCKET``; credentials from ``$TALENT_PRINCIPAL``
with ``$TALENT_SECRET`` or ``$TALENT_TOKEN``, else the daemon's peer-credential login.
Exit status: 0 on success, 1 when the daemon answered an error, 3 when it cannot be reached.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from typing import Any, Dict, List, Optional

from talent_client import Client, TalentConnectionError, TalentError

POSTS = ("sti", "ops")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
COLUMNS = ["code", "kind", "name"] + [f"{post}_{field}" for post in POSTS
                                      for field in ("appointment_id", "person_id", "full_name")] + ["fully_covered"]


def neutralized(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula (leading =, +, -, @, tab or CR) gets a leading
    ``'``, as OWASP's CSV-injection guidance says. Plain numbers (``-5``, ``+3.5``) are data and
    stay as they are, like talentctl's ``-o csv``."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def flatten(org: Dict[str, Any]) -> Dict[str, Any]:
    """One CSV row for one organization of the report."""
    row: Dict[str, Any] = {"code": org.get("code"), "kind": org.get("kind"), "name": org.get("name")}
    for post in POSTS:
        holder = org.get(f"chief_engineer_{post}") or {}
        for field in ("appointment_id", "person_id", "full_name"):
            row[f"{post}_{field}"] = holder.get(field, "")
    row["fully_covered"] = "yes" if all(org.get(f"chief_engineer_{p}") for p in POSTS) else "no"
    return row


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Write coverage.report as CSV (to stdout or a file).",
                                     epilog="example: %(prog)s --kind ministry -o coverage.csv")
    parser.add_argument("--socket", help="daemon socket (default: $TALENT_SOCKET, else ./var/talentd.sock)")
    parser.add_argument("--at", metavar="YYYY-MM-DD", help="coverage on this date (default: today)")
    parser.add_argument("--kind", help="only organizations of this kind (e.g. ministry, province)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--excel", action="store_true", help="start the file with a UTF-8 byte-order mark for Excel")
    args = parser.parse_args(argv)

    params = {k: v for k, v in (("at", args.at), ("kind", args.kind)) if v}
    try:
        with Client(args.socket) as client:
            report = client.call("coverage.report", params)
    except TalentConnectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except TalentError as exc:
        print(str(exc), file=sys.stderr)
        return 1

    out = open(args.output, "w", newline="", encoding="utf-8-sig" if args.excel else "utf-8") if args.output else sys.stdout
    try:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for org in report.get("orgs", []):
            writer.writerow({k: neutralized(v) for k, v in flatten(org).items()})
    finally:
        if out is not sys.stdout:
            out.close()
    s = report.get("summary", {})
    print(f"coverage at {report.get('at')}: {s.get('orgs')} org(s), {s.get('fully_covered')} fully covered, "
          f"{s.get('missing_sti')} missing sti, {s.get('missing_ops')} missing ops", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
