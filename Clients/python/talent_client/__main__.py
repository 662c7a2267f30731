"""Command line: ``python -m talent_client [--socket PATH] call METHOD [PARAMS]``.

Prints the result as JSON on stdout. Exit status: 0 on success; 1 when the daemon answered an
error (``reason: message`` on stderr); 3 when the daemon cannot be reached; 64 on a usage
error (such as PARAMS that are not a JSON object). Credentials come from
``$TALENT_PRINCIPAL`` with ``$TALENT_SECRET`` or ``$TALENT_TOKEN``, else peer credentials.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from .client import Client
from .errors import InvalidParams, TalentConnectionError, TalentError

EXIT_OK, EXIT_ERROR, EXIT_UNREACHABLE, EXIT_USAGE = 0, 1, 3, 64


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> "None":  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--socket", default=argparse.SUPPRESS, metavar="PATH",
                        help="daemon socket (default: $TALENT_SOCKET, else ./var/talentd.sock)")
    common.add_argument("--timeout", type=float, default=argparse.SUPPRESS, metavar="S",
                        help="seconds to wait for the daemon (default 30)")
    common.add_argument("--tries", type=int, default=argparse.SUPPRESS, metavar="N",
                        help="connection attempts while the daemon restarts (default 3)")
    parser = _Parser(prog="python -m talent_client", parents=[common],
                     description="Call talentd from shell scripts.",
                     epilog="example: python -m talent_client call system.ping '{}'")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    call = commands.add_parser("call", parents=[common], help="call one method and print its result as JSON",
                               description="Call METHOD with PARAMS (a JSON object; '-' reads it from stdin).")
    call.add_argument("method", metavar="METHOD")
    call.add_argument("params", metavar="PARAMS", nargs="?", default=None)
    commands.add_parser("methods", parents=[common], help="list the daemon's methods (from rpc.discover)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    params = {}
    if args.command == "call" and args.params is not None:
        text = sys.stdin.read() if args.params == "-" else args.params
        try:
            params = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            parser.error(f"PARAMS is not valid JSON: {exc}")
        if not isinstance(params, dict):
            parser.error("PARAMS must be a JSON object")
    client = Client(getattr(args, "socket", None), timeout=getattr(args, "timeout", 30.0),
                    max_tries=max(1, getattr(args, "tries", 3)))
    try:
        with client:
            if args.command == "methods":
                result = sorted(client.methods())
            else:
                result = client.call(args.method, params)
    except TalentConnectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except TalentError as exc:
        text = f"{exc.reason or 'error'}: {exc.message}"
        if isinstance(exc, InvalidParams) and exc.field:
            text += f" (field: {exc.field})"
        print(text, file=sys.stderr)
        return EXIT_ERROR
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
