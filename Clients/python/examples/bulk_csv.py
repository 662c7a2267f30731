"""What the bulk-loading examples share: reading and checking a CSV, stable idempotency keys derived
from a row, the common command-line options, and counting failures by reason.

Each example (bulk_propose.py, bulk_submit_applications.py, submit_nominations.py) imports it
from this folder; copy it along with the example you start from.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import unicodedata
from typing import Any, Callable, Dict, List, Optional, Sequence


def clean(text: Optional[str]) -> str:
    """Trim a CSV cell and normalize it to Unicode NFC (as the daemon stores text)."""
    return unicodedata.normalize("NFC", (text or "").strip())


def derive_key(prefix: str, *parts: str) -> str:
    """A stable idempotency key (printable ASCII, at most 128 characters) for these parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:48]
    return f"{prefix}-{digest}"[:128]


def read_rows(path: str, encoding: str, required: Sequence[str], optional: Sequence[str] = (),
              check: Optional[Callable[[Dict[str, str]], Optional[str]]] = None,
              may_be_empty: Callable[[Dict[str, str], str], bool] = lambda row, column: False) -> List[Dict[str, str]]:
    """The CSV's rows, cells cleaned, each with its `line`; raises ValueError naming the line of a
    bad row: a required cell empty (unless `may_be_empty` says so), or what `check` answers."""
    with open(path, newline="", encoding=encoding) as f:
        reader = csv.DictReader(f)
        header = [clean(h) for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            columns = ",".join(required) + "".join(f"[,{c}]" for c in optional)
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; need {columns}")
        reader.fieldnames = header
        rows = []
        for row in reader:
            values = {k: clean(row.get(k)) for k in (*required, *optional)}
            empty = [k for k in required if not values[k] and not may_be_empty(values, k)]
            if empty:
                raise ValueError(f"{path}:{reader.line_num}: empty {', '.join(empty)}")
            problem = check(values) if check else None
            if problem:
                raise ValueError(f"{path}:{reader.line_num}: {problem}")
            values["line"] = str(reader.line_num)
            rows.append(values)
    return rows


def add_common_arguments(parser: argparse.ArgumentParser, key_prefix: str) -> None:
    parser.add_argument("csv", help="the CSV file")
    parser.add_argument("--socket", help="daemon socket (default: $TALENT_SOCKET, else ./var/talentd.sock)")
    parser.add_argument("--key-prefix", default=key_prefix,
                        help="namespace of the derived idempotency keys (default: %(default)s)")
    parser.add_argument("--encoding", default="utf-8-sig", help="CSV encoding (default: %(default)s)")
    parser.add_argument("--dry-run", action="store_true", help="check the CSV only; send nothing")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def record_failure(summary: Dict[str, Any], line: Any, error: BaseException) -> None:
    """Counts a failed row by its reason (`connection` when the daemon gave none) and says why on stderr."""
    summary["failed"] += 1
    reason = getattr(error, "reason", None) or "connection"
    summary["failures_by_reason"][reason] = summary["failures_by_reason"].get(reason, 0) + 1
    print(f"row {line}: {error}", file=sys.stderr)


def print_failures(summary: Dict[str, Any]) -> None:
    for reason, count in sorted(summary["failures_by_reason"].items()):
        print(f"  {reason}: {count}")
