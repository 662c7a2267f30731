#!/usr/bin/env python3
"""Propose chief-engineer (and other) appointments in bulk from a CSV file.

The CSV has a header row with the columns

    org,post,full_name,birth_date,term_start,equivalent_rank[,program]

(UTF-8, an Excel byte-order mark is fine; cells are trimmed). For every distinct person
(full_name + birth_date) the script calls ``person.create``, then it proposes every row's
appointment with ``appointment.propose``; both phases are pipelined.

Safe to rerun, e.g. from cron after a failure: every request carries an idempotency key derived
from the row (the person's name and birth date; the org, post, person and term start of the
appointment), so a rerun gets the stored answers back instead of creating duplicates. A row that
was changed since it was first submitted (another rank, say) is reported as
``idempotency_mismatch``: withdraw the old proposal first, or change ``--key-prefix``.

Connection and login: ``--socket`` or ``$TALENT_SOCKET``; credentials from ``$TALENT_PRINCIPAL``
with ``$TALENT_SECRET`` or ``$TALENT_TOKEN``, else the daemon's peer-credential login.

Exit status: 0 when every row was proposed, 1 when some row failed, 3 when the daemon cannot
be reached, 64 on a bad CSV file.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, Optional, Tuple

from bulk_csv import add_common_arguments, derive_key, print_failures, read_rows, record_failure
from talent_client import Client, TalentConnectionError, TalentError

REQUIRED = ("org", "post", "full_name", "birth_date", "term_start", "equivalent_rank")
OPTIONAL = ("program",)


def coerce(value: str, schema: Dict[str, Any]) -> Any:
    """Turn a CSV string into the JSON type the param's schema wants (integer, number, boolean)."""
    kind = schema.get("type")
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return value.lower() in ("1", "true", "yes", "y")
    return value


def param_schemas(client: Client, method: str) -> Dict[str, Dict[str, Any]]:
    """Param name -> JSON schema of ``method``, from rpc.discover (``$ref`` left unresolved)."""
    spec = client.methods().get(method, {})
    return {p["name"]: p.get("schema", {}) for p in spec.get("params", []) if isinstance(p, dict)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Propose appointments in bulk from a CSV (org,post,full_name,birth_date,term_start,"
                    "equivalent_rank[,program]); reruns create no duplicates.",
        epilog="example: TALENT_PRINCIPAL=hr.most TALENT_SECRET=... %(prog)s proposals.csv")
    add_common_arguments(parser, key_prefix="bulk-propose")
    args = parser.parse_args(argv)

    try:
        rows = read_rows(args.csv, args.encoding, REQUIRED, OPTIONAL)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 64
    if args.dry_run:
        print(f"{len(rows)} row(s) look fine")
        return 0

    summary: Dict[str, Any] = {"rows": len(rows), "persons": 0, "proposed": 0, "failed": 0,
                               "failures_by_reason": {}, "appointment_ids": []}

    try:
        with Client(args.socket) as client:
            person_params = param_schemas(client, "person.create")
            propose_params = param_schemas(client, "appointment.propose")

            # Phase 1: one person.create per distinct (full_name, birth_date).
            people: Dict[Tuple[str, str], Optional[int]] = {}
            for row in rows:
                people.setdefault((row["full_name"], row["birth_date"]), None)
            order = list(people)
            calls = []
            for name, born in order:
                params: Dict[str, Any] = {"full_name": name, "idempotency_key": derive_key(args.key_prefix, "person", name, born)}
                if "birth_date" in person_params:
                    params["birth_date"] = born
                if "if_duplicate" in person_params:
                    # Rerun after the idempotency keys expired (24 h): the person registered by the
                    # first run is answered, not registered a second time.
                    params["if_duplicate"] = "return_existing"
                calls.append(("person.create", params))
            person_errors: Dict[Tuple[str, str], BaseException] = {}
            for who, outcome in zip(order, client.pipeline(calls)):
                if isinstance(outcome, BaseException):
                    person_errors[who] = outcome
                    continue
                people[who] = outcome["person"]["id"]
                for warning in outcome.get("warnings") or []:
                    print(f"{who[0]} ({who[1]}): warning: {json.dumps(warning, ensure_ascii=False)}", file=sys.stderr)
            summary["persons"] = sum(1 for v in people.values() if v is not None)

            # Phase 2: propose every row whose person exists.
            jobs: List[Tuple[int, Tuple[str, Any]]] = []
            for row in rows:
                line = int(row["line"])
                who = (row["full_name"], row["birth_date"])
                if who in person_errors:
                    record_failure(summary, line, person_errors[who])
                    summary["appointment_ids"].append(None)
                    continue
                params = {
                    "org": row["org"], "post": row["post"], "person_id": people[who],
                    "term_start": row["term_start"],
                    "equivalent_rank": coerce(row["equivalent_rank"], propose_params.get("equivalent_rank", {})),
                    "idempotency_key": derive_key(args.key_prefix, "propose", row["org"], row["post"],
                                                  row["full_name"], row["birth_date"], row["term_start"]),
                }
                if row.get("program"):
                    params["program"] = coerce(row["program"], propose_params.get("program", {}))
                jobs.append((line, ("appointment.propose", params)))
            ids: Dict[int, Any] = {}
            for (line, _), outcome in zip(jobs, client.pipeline(call for _, call in jobs)):
                if isinstance(outcome, BaseException):
                    record_failure(summary, line, outcome)
                    ids[line] = None
                else:
                    summary["proposed"] += 1
                    ids[line] = outcome.get("id")
            summary["appointment_ids"] = [ids.get(int(row["line"])) for row in rows]
    except TalentConnectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except TalentError as exc:  # e.g. the login was refused
        print(exc, file=sys.stderr)
        return 1

    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"{summary['rows']} row(s): {summary['persons']} person(s), {summary['proposed']} proposed, "
              f"{summary['failed']} failed")
        print_failures(summary)
    return 0 if summary["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
