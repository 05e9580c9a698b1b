"""audit and check: read the trail, prove it and the register intact."""

from __future__ import annotations

import argparse
import sys

from sqlmodel import col, select

from gpaitracker import audit, checks
from gpaitracker.cli import output
from gpaitracker.cli.context import Context
from gpaitracker.db import session_scope
from gpaitracker.models import AuditEvent
from gpaitracker.services import catalogue_upgrade

EXIT_PROBLEM = 3


def cmd_audit(ctx: Context, args: argparse.Namespace) -> int:
    if args.verify:
        with ctx.register.engine.connect() as conn:
            problem = audit.verify_chain(conn)
        if problem is not None:
            print(f"audit trail broken: {problem}", file=sys.stderr)
            return EXIT_PROBLEM
        print("audit trail intact")
        return 0
    with session_scope(ctx.register) as s:
        query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(args.limit)
        if args.entity:
            # An item renamed by a catalogue upgrade keeps the history of its former keys.
            keys = catalogue_upgrade.history_keys(session=s, key=args.entity)
            query = query.where(col(AuditEvent.entity_id).in_(keys))
        events = list(reversed(s.exec(query).all()))
    headers = ["id", "at", "actor", "action", "entity", "entity_id", "field", "old", "new"]
    rows = [
        [
            e.id,
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            e.entity,
            e.entity_id,
            e.field,
            e.old_value,
            e.new_value,
        ]  # fmt: skip
        for e in events
    ]
    if args.format == "json":
        output.as_json([dict(zip(headers, r, strict=True)) for r in rows])
    else:
        output.table(headers, rows)
    return 0


def cmd_check(ctx: Context, args: argparse.Namespace) -> int:
    if args.gc:
        min_age = args.gc_min_age * 60 if args.gc_min_age is not None else checks.GC_MIN_AGE_S
        for path in checks.collect_garbage(ctx.register, min_age):
            print(f"removed unused evidence file {path}")
    report = checks.run_checks(ctx.register)
    for note in report.notes:
        print(note)
    for problem in report.problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    if not report.ok:
        print(f"{len(report.problems)} problem(s) found", file=sys.stderr)
        return EXIT_PROBLEM
    print("register OK")
    return 0


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("audit", parents=[common], help="show or verify the audit trail")
    p.add_argument("--verify", action="store_true", help="check the hash chain (exit 3 if broken)")
    p.add_argument("--entity", metavar="ID",
                   help="only events of this key (and its former keys), email or slug")  # fmt: skip
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("check", parents=[common],
                       help="verify database, audit trail and evidence files")  # fmt: skip
    p.add_argument("--gc", action="store_true",
                   help="first remove unused evidence files and unfinished imports")  # fmt: skip
    p.add_argument("--gc-min-age", type=float, metavar="MINUTES",
                   help="--gc keeps leftovers younger than this, which may belong to an import "
                   f"still running (default {checks.GC_MIN_AGE_S // 60})")  # fmt: skip
    p.set_defaults(func=cmd_check)
