"""Working the register: list, show, assign, due, priority, note, status."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from gpaitracker.cli import output, records_output

if TYPE_CHECKING:
    from gpaitracker.services.item_detail import ItemDetail
    from gpaitracker.services.queries import RegisterRow
    from gpaitracker.services.workspace import Workspace

LIST_KEYS = (
    "key",
    "code",
    "title",
    "model",
    "status",
    "owner",
    "reviewer",
    "due",
    "rag",
    "priority",
)


def cmd_list(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import lookup, queries

    filters = queries.Filters(
        model_id=ws.read(lookup.model_id, ref=args.model) if args.model else None,
        status=parse.status(args.status) if args.status else None,
        owner_id=ws.read(lookup.person_id, email=args.owner) if args.owner else None,
        overdue=args.overdue,
        due_before=parse.date(args.due_before, "due-before date") if args.due_before else None,
        text=args.search,
        include_inactive=args.all,
    )
    rows = ws.read(queries.list_rows, filters=filters)
    if args.format == "json":
        output.as_json([
            {"key": r.key, "code": r.code, "title": r.title, "model": r.model,
             "status": r.status.value, "owner": r.owner, "reviewer": r.reviewer,
             "due": r.due.isoformat() if r.due else None, "rag": r.rag,
             "priority": r.priority.value}
            for r in rows
        ])  # fmt: skip
        records_output.note_overdue(ws, args)
        return 0
    if args.format == "csv":
        output.as_csv(LIST_KEYS, [[getattr(r, k) for k in LIST_KEYS] for r in rows])
        records_output.note_overdue(ws, args)
        return 0
    output.table(
        ["key", "status", "rag", "due", "owner", "title"],
        [[r.key, _status_text(r), r.rag, r.due, r.owner, r.title] for r in rows],
    )
    inactive = sum(1 for r in rows if r.rag == "grey")
    print(f"{len(rows)} items" + (f" ({inactive} no longer apply)" if inactive else ""))
    if args.overdue and not args.model and not args.owner:
        records_output.print_overdue(ws)
    return 0


def _status_text(row: RegisterRow) -> str:
    if row.withdrawn:
        return f"{row.status.value} (withdrawn)"
    if not row.applicable:
        return f"{row.status.value} (no longer applies)"
    if row.model_retired:
        return f"{row.status.value} (model retired)"
    return row.status.value


def _print_review(detail: ItemDetail) -> None:
    """Expected evidence, why it does not apply, and where its review stands."""
    from gpaitracker.services import queries

    if detail.evidence_expected:
        print("expected   " + output.safe("; ".join(detail.evidence_expected)))
    if detail.na_justification:
        print(f"n/a why    {output.safe(detail.na_justification)}")
    reason = queries.inactive_reason(detail.row)
    if detail.covered_by and not detail.row.withdrawn:
        print(f"applies    held by the provider-level item {detail.covered_by}")
    elif reason:
        print(f"applies    no: {reason}")
    if detail.covers:
        print("covers     " + ", ".join(detail.covers))
    if detail.review_outcome:
        print(f"in review  for {detail.review_outcome}, submitted by {detail.submitted_by}")
    if detail.approved_by:
        flagged = " (admin override of the named reviewer)" if detail.approval_override else ""
        when = f"{detail.approved_at:%Y-%m-%d %H:%M} UTC" if detail.approved_at else "-"
        print(f"approved   by {detail.approved_by} on {when}{flagged}")


def _print_thread(detail: ItemDetail) -> None:
    """The evidence attached and the comment thread."""
    if detail.evidence:
        print("evidence")
        for ev in detail.evidence:
            print(f"  {ev.id:>5}  {ev.state():13}  {output.safe(ev.title)}")
    elif detail.row.status not in ("not_applicable",):
        print("evidence   none attached")
    if detail.comments:
        print("comments")
        for c in detail.comments:
            who = c.author or "GPAI Tracker"
            print(f"  {c.at:%Y-%m-%d %H:%M}  {output.safe(who)}: {output.safe(c.text)}")


def cmd_show(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import item_detail, lookup

    item_id = ws.read(lookup.requirement_id, key=args.key)
    detail = ws.read(item_detail.detail, requirement_id=item_id)
    if args.format == "json":
        output.as_json(detail.as_dict())
        return 0
    row = detail.row
    fields = {
        "key": row.key,
        "title": row.title,
        "reference": row.reference,
        "model": row.model,
        "status": row.status,
        "rag": row.rag,
        "priority": row.priority,
        "due": row.due,
        "owner": row.owner,
        "reviewer": row.reviewer,
        "summary": detail.summary,
    }
    for name, value in fields.items():
        print(f"{name:10} {output.cell(value)}")
    _print_review(detail)
    _print_thread(detail)
    return 0


def _item(ws: Workspace, key: str) -> int:
    from gpaitracker.services import lookup

    return ws.read(lookup.requirement_id, key=key)


def cmd_assign(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import lookup, register

    if args.owner is None and args.reviewer is None:
        return _usage("assign needs --owner and/or --reviewer")
    item_id = _item(ws, args.key)
    people: dict[str, object] = {}
    for field in ("owner", "reviewer"):
        email = getattr(args, field)
        if email is not None:
            # An empty value clears the field.
            people[f"{field}_id"] = (
                ws.read(lookup.person_id, email=email) if email.strip() else None
            )
    ws.write(register.assign, requirement_id=item_id, **people)
    print(f"{output.safe(args.key)}: assigned")
    return 0


def cmd_due(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import register

    due = parse.optional_date(args.date, "due date")
    ws.write(register.set_due, requirement_id=_item(ws, args.key), due=due)
    print(f"{output.safe(args.key)}: due {due.isoformat() if due else '-'}")
    return 0


def cmd_priority(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import register

    value = parse.priority(args.priority)
    ws.write(register.set_priority, requirement_id=_item(ws, args.key), priority=value)
    print(f"{output.safe(args.key)}: priority {value.value}")
    return 0


def cmd_note(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import register

    ws.write(register.add_comment, requirement_id=_item(ws, args.key), text=args.text)
    print(f"{output.safe(args.key)}: comment added")
    return 0


def cmd_status(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import queries, register

    item_id = _item(ws, args.key)
    changes = ws.write(
        register.change_status,
        requirement_id=item_id,
        status=parse.status(args.status),
        note=args.note or "",
        override=args.override,
    )
    row = ws.read(queries.row, requirement_id=item_id)
    for warning in changes.notes:
        print(f"warning: {output.safe(warning)}", file=sys.stderr)
    shown = row.status.value
    if shown == "in_review":
        from gpaitracker.services import item_detail

        outcome = ws.read(item_detail.detail, requirement_id=item_id).review_outcome
        shown = f"in_review (submitted for {outcome}; another person approves it)"
    print(f"{output.safe(args.key)}: {shown}")
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
    p.add_argument("--search", metavar="TEXT", help="text in the code, title, summary or comments")
    p.add_argument("--all", action="store_true", help="include items no longer applicable")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one register item")
    p.add_argument("key", help="e.g. atlas-2/AIA-53-1-a")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("assign", parents=[common], help="set an item's owner and reviewer")
    p.add_argument("key")
    p.add_argument("--owner", metavar="EMAIL", help="'' clears the owner")
    p.add_argument("--reviewer", metavar="EMAIL", help="'' clears the reviewer")
    p.set_defaults(func=cmd_assign)

    p = sub.add_parser("due", parents=[common], help="set an item's due date")
    p.add_argument("key")
    p.add_argument("date", help="YYYY-MM-DD, or - to clear")
    p.set_defaults(func=cmd_due)

    p = sub.add_parser("priority", parents=[common], help="set an item's priority")
    p.add_argument("key")
    p.add_argument("priority", help="low, medium, high or critical")
    p.set_defaults(func=cmd_priority)

    p = sub.add_parser(
        "note",
        parents=[common],
        help="add a comment to an item's thread (comments are never overwritten)",
    )
    p.add_argument("key")
    p.add_argument("text")
    p.set_defaults(func=cmd_note)

    p = sub.add_parser("status", parents=[common], help="move an item through the workflow")
    p.add_argument("key")
    p.add_argument("status", help="in_progress, in_review, done, blocked, not_applicable, ...")
    p.add_argument(
        "--note",
        help="comment; required as justification for not_applicable and as the reason for blocked",
    )
    p.add_argument(
        "--override",
        action="store_true",
        help="admins: approve in place of the named reviewer (recorded and flagged)",
    )
    p.set_defaults(func=cmd_status)
