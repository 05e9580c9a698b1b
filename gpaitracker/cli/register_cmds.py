"""Working the register: list, show, assign, due, priority, note, status."""

from __future__ import annotations

import argparse
import json

from gpaitracker import rules
from gpaitracker.cli import output
from gpaitracker.cli.context import Context
from gpaitracker.db import session_scope
from gpaitracker.models import CatalogueEntry
from gpaitracker.services import people, queries, register

LIST_KEYS = ["key", "code", "title", "model", "status", "owner", "reviewer", "due", "rag",
             "priority"]  # fmt: skip


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    filters = queries.Filters(
        model=args.model,
        status=args.status,
        owner=args.owner,
        overdue=args.overdue,
        due_before=rules.parse_date(args.due_before, "due-before date")
        if args.due_before
        else None,
        text=args.search,
        include_inactive=args.all,
    )
    with session_scope(ctx.register) as s:
        rows = queries.list_rows(session=s, filters=filters)
    if args.format == "json":
        output.as_json([{k: r.as_dict()[k] for k in LIST_KEYS} for r in rows])
        return 0
    cells = [[getattr(r, k) for k in LIST_KEYS] for r in rows]
    if args.format == "csv":
        output.as_csv(LIST_KEYS, cells)
    else:
        output.table(["key", "status", "rag", "due", "owner", "title"],
                     [[r.key, r.status, r.rag, r.due, r.owner, r.title] for r in rows])  # fmt: skip
        print(f"{len(rows)} items")
    return 0


def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register) as s:
        item, _ = register.get_by_key(session=s, key=args.key)
        entry = s.get(CatalogueEntry, item.entry_id)
        assert entry is not None
        only = queries.Filters(requirement_id=item.id, include_inactive=True)
        (row,) = queries.list_rows(session=s, filters=only)
        expected: list[str] = json.loads(entry.evidence)
        data = row.as_dict() | {
            "summary": entry.summary,
            "evidence_expected": expected,
            "notes": item.notes,
            "na_justification": item.na_justification,
            "occurrence": item.occurrence,
            "updated_at": item.updated_at.isoformat(),
        }
        if item.owner_id:
            data["owner_name"] = people.get(session=s, person_id=item.owner_id).name
    if args.format == "json":
        output.as_json(data)
        return 0
    for k in ("key", "title", "reference", "model", "status", "rag", "priority", "due",
              "owner", "reviewer", "summary"):  # fmt: skip
        print(f"{k:10} {output._cell(data[k])}")
    if expected:
        print("evidence   " + "; ".join(expected))
    if data["na_justification"]:
        print(f"n/a why    {data['na_justification']}")
    if data["notes"]:
        print("notes")
        for line in str(data["notes"]).splitlines():
            print(f"  {line}")
    return 0


def cmd_assign(ctx: Context, args: argparse.Namespace) -> int:
    if args.owner is None and args.reviewer is None:
        raise SystemExit(_usage("assign needs --owner and/or --reviewer"))
    with session_scope(ctx.register, write=True) as s:
        register.assign(
            session=s, actor=ctx.actor(s), key=args.key, owner=args.owner, reviewer=args.reviewer
        )
    print(f"{args.key}: assigned")
    return 0


def cmd_due(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register, write=True) as s:
        item = register.set_due(session=s, actor=ctx.actor(s), key=args.key, due=args.date)
        print(f"{args.key}: due {item.due_date.isoformat() if item.due_date else '-'}")
    return 0


def cmd_priority(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register, write=True) as s:
        item = register.set_priority(
            session=s, actor=ctx.actor(s), key=args.key, priority=args.priority
        )
        print(f"{args.key}: priority {item.priority}")
    return 0


def cmd_note(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register, write=True) as s:
        register.set_notes(session=s, actor=ctx.actor(s), key=args.key, notes=args.text)
    print(f"{args.key}: notes saved")
    return 0


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    with session_scope(ctx.register, write=True) as s:
        item = register.change_status(
            session=s, actor=ctx.actor(s), key=args.key, status=args.status, note=args.note or ""
        )
        print(f"{args.key}: {item.status}")
    return 0


def _usage(message: str) -> int:
    import sys

    print(f"gpaitracker: error: {message}", file=sys.stderr)
    return 2


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("list", parents=[common], help="list register items")
    p.add_argument("--model", help="model slug or name")
    p.add_argument("--status", help="not_started, in_progress, in_review, done, blocked, ...")
    p.add_argument("--owner", metavar="EMAIL")
    p.add_argument("--overdue", action="store_true", help="only items past their due date")
    p.add_argument("--due-before", metavar="DATE")
    p.add_argument("--search", metavar="TEXT", help="text in the code or title")
    p.add_argument("--all", action="store_true", help="include items no longer applicable")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one register item")
    p.add_argument("key", help="e.g. atlas-2/AIA-53-1-a")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("assign", parents=[common], help="set an item's owner and reviewer")
    p.add_argument("key")
    p.add_argument("--owner", metavar="EMAIL")
    p.add_argument("--reviewer", metavar="EMAIL")
    p.set_defaults(func=cmd_assign)

    p = sub.add_parser("due", parents=[common], help="set an item's due date")
    p.add_argument("key")
    p.add_argument("date", help="YYYY-MM-DD")
    p.set_defaults(func=cmd_due)

    p = sub.add_parser("priority", parents=[common], help="set an item's priority")
    p.add_argument("key")
    p.add_argument("priority", help="low, medium, high or critical")
    p.set_defaults(func=cmd_priority)

    p = sub.add_parser("note", parents=[common], help="replace an item's notes")
    p.add_argument("key")
    p.add_argument("text")
    p.set_defaults(func=cmd_note)

    p = sub.add_parser("status", parents=[common], help="move an item through the workflow")
    p.add_argument("key")
    p.add_argument("status", help="in_progress, in_review, done, blocked, not_applicable, ...")
    p.add_argument("--note", help="comment; required as justification for not_applicable")
    p.set_defaults(func=cmd_status)
