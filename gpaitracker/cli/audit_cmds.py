"""audit and check: read the trail, prove it and the register intact."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace

EXIT_PROBLEM = 3


def cmd_audit(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import checks, parse
    from gpaitracker.services import audit_trail

    if args.action == "head":
        head = ws.read(audit_trail.head)
        if head is None:
            print("the audit trail is empty")
            return 0
        if args.format == "json":
            output.as_json({"id": head.id, "hash": head.hash, "count": head.count})
        else:
            print(f"head {head.id}:{head.hash} ({head.count} events)")
            print(
                "Keep this line elsewhere; 'audit --verify --head ID:HASH' proves the trail "
                "still holds it."
            )
        return 0
    if args.verify or args.head:
        anchors = tuple(audit_trail.parse_head(h) for h in args.head or ())
        report = audit_trail.verify(ws.register, anchors=anchors)
        problems = [*report.problems, *checks.report_anchors(ws.register)]
        for problem in problems:
            print(f"audit trail broken: {output.safe(problem)}", file=sys.stderr)
        if problems:
            return EXIT_PROBLEM
        held = f"; holds {len(anchors)} head(s) given" if anchors else ""
        count = report.head.count if report.head else 0
        print(f"audit trail intact ({count} events{held})")
        return 0
    limit = parse.integer(args.limit, "limit", minimum=1, maximum=1_000_000)
    events = ws.read(audit_trail.events, ref=args.entity, limit=limit)
    headers = ["id", "at", "actor", "action", "entity", "entity_id", "field", "old", "new"]
    rows = [
        [
            e.id,
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            e.entity,
            e.label,
            e.field,
            e.old,
            e.new,
        ]
        for e in events
    ]
    if args.format == "json":
        output.as_json(
            [
                dict(zip(headers, r, strict=True)) | {"row_id": e.row_id}
                for r, e in zip(rows, events, strict=True)
            ]
        )
    else:
        output.table(headers, rows)
    return 0


def cmd_check(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import checks
    from gpaitracker.services import audit_trail

    if args.gc:
        minutes = args.gc_min_age
        min_age = minutes * 60 if minutes is not None else checks.GC_MIN_AGE_S
        for path in checks.collect_garbage(ws.register, min_age):
            print(f"removed unused evidence file {output.safe(str(path))}")
    report = audit_trail.check(ws.register, full=args.full)
    for note in report.notes:
        print(output.safe(note))
    for problem in report.problems:
        print(f"PROBLEM: {output.safe(problem)}", file=sys.stderr)
    for line in report.summary():
        print(line, file=sys.stderr)
    if not report.ok:
        print(f"{report.count} problem(s) found", file=sys.stderr)
        return EXIT_PROBLEM
    print("register OK")
    return 0


def _minutes(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not math.isfinite(value) or not 0 <= value <= 525_600:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 525600 minutes")
    return value


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("audit", parents=[common], help="show or verify the audit trail")
    p.add_argument(
        "action",
        nargs="?",
        choices=["head"],
        help="head: print the newest event's id and hash, to keep elsewhere",
    )
    p.add_argument("--verify", action="store_true", help="check the hash chain (exit 3 if broken)")
    p.add_argument(
        "--head",
        action="append",
        metavar="ID:HASH",
        help="with --verify: the trail must still hold this head (repeatable)",
    )
    p.add_argument(
        "--entity",
        metavar="REF",
        help="the whole history of one item key, email, model slug, evidence id or "
        "catalogue id@version",
    )
    p.add_argument("--limit", default="50", help="newest events to show (default 50)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser(
        "check", parents=[common], help="verify database, audit trail and evidence files"
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="verify the whole audit trail, not only what was added since the last check",
    )
    p.add_argument(
        "--gc",
        action="store_true",
        help="first remove unused evidence files and unfinished imports",
    )
    p.add_argument(
        "--gc-min-age",
        type=_minutes,
        metavar="MINUTES",
        help="--gc keeps leftovers younger than this, which may belong to an import "
        f"still running (default {15})",
    )
    p.set_defaults(func=cmd_check)
