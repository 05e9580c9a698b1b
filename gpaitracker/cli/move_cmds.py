"""migrate --from --to: move a register to a server, or take a server's register offline."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace


def cmd_migrate(_ws: Workspace | None, args: argparse.Namespace) -> int:
    from gpaitracker.services import register_move

    def progress(what: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{what}: {done}/{total}   ", end="", file=sys.stderr, flush=True)

    result = register_move.move_register(
        args.source, args.target, getattr(args, "as_user", None), progress
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Copied {output.safe(result.source)} to {output.safe(result.target)}:")
    for table, count in result.rows.items():
        mark = "" if result.target_rows.get(table) == count else "  (target differs!)"
        print(f"  {table}: {count}{mark}")
    print(f"  evidence files: {result.objects}")
    print(f"  audit head: {result.audit_head or '(empty trail)'}")
    ok = True
    for side, report in (("source", result.source_check), ("target", result.target_check)):
        print(f"check of the {side}: {'OK' if report.ok else 'PROBLEMS'}")
        for problem in report.problems:
            ok = False
            print(f"  {output.safe(problem)}")
    return 0 if ok and result.rows == result.target_rows else 3


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "migrate",
        parents=[common],
        help="copy a whole register (rows, evidence, audit trail) to a new, empty database",
    )
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="PATH|URL",
        help="the register to copy: a register folder or SQLite file, or a database URL",
    )
    p.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="PATH|URL",
        help="where to: a new folder or SQLite file, or an empty database URL",
    )
    p.set_defaults(func=cmd_migrate, no_workspace=True)
