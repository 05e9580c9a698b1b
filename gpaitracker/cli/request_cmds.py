"""request add|answer|assign|list: the Art. 52(1) notification and requests received."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace


def record_id(text: str, field: str) -> int:
    from gpaitracker import parse

    return parse.row_id(text.strip().lstrip("#"), field)


def owner_of(ws: Workspace, email: str | None) -> int | None:
    from gpaitracker.services import lookup

    return ws.read(lookup.person_id, email=email) if email else None


def file_evidence(ws: Workspace, item_id: int, path: str | None) -> int | None:
    """Copy the file sent into the evidence store, on the item it is evidence for."""
    if path is None:
        return None
    from gpaitracker.enums import Entity
    from gpaitracker.services import evidence_import

    changes, _ = evidence_import.import_file(ws, requirement_id=item_id, path=path)
    return changes.created_id(Entity.EVIDENCE)


def cmd_request_add(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.enums import Entity, RequestKind
    from gpaitracker.services import lookup, requests_register

    kind = parse.choice(RequestKind, args.kind, "request kind")
    changes = ws.write(
        requests_register.add_request,
        kind=kind,
        subject=args.subject,
        received=parse.date(args.received, "received date"),
        model_id=ws.read(lookup.model_id, ref=args.model) if args.model else None,
        requester=args.requester or "",
        deadline=parse.optional_date(args.deadline, "deadline"),
        owner_id=owner_of(ws, args.owner),
    )
    row = ws.read(requests_register.get, request_id=changes.created_id(Entity.REQUEST))
    due = row.deadline.isoformat() if row.deadline else "no fixed deadline"
    print(f"Added {row.label} ({requests_register.KIND_TEXT[row.kind]}), due {due}")
    return 0


def cmd_request_answer(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import requests_register

    request_id = record_id(args.request, "request id")
    day = parse.date(args.on, "answered date")
    ws.read(requests_register.check_answer, request_id=request_id, answered_on=day)
    evidence_id = parse.row_id(args.evidence, "evidence id") if args.evidence else None
    if args.file:
        item = ws.read(requests_register.answer_item, request_id=request_id)
        evidence_id = file_evidence(ws, item, args.file)
    ws.write(
        requests_register.answer_request,
        request_id=request_id,
        answered_on=day,
        evidence_id=evidence_id,
    )
    row = ws.read(requests_register.get, request_id=request_id)
    late = row.deadline is not None and day > row.deadline
    print(f"Answered {row.label} on {day.isoformat()}" + (" (after its deadline)" if late else ""))
    return 0


def print_requests(ws: Workspace, fmt: str, overdue: bool) -> int:
    from gpaitracker.services import requests_register

    rows = ws.read(requests_register.list_requests, overdue=overdue)
    if fmt == "json":
        output.as_json([r.as_dict() for r in rows])
        return len(rows)
    headers = ["id", "kind", "model", "subject", "received", "deadline", "owner", "status", "late"]
    output.emit(
        fmt,
        headers,
        [
            [
                r.id,
                r.kind.value,
                r.model,
                r.subject,
                r.received,
                r.deadline,
                r.owner,
                r.status.value,
                f"{r.days}d" if r.overdue else "",
            ]
            for r in rows
        ],
    )
    return len(rows)


def cmd_request_assign(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import requests_register

    request_id = record_id(args.request, "request id")
    ws.write(requests_register.assign, request_id=request_id, owner_id=owner_of(ws, args.owner))
    row = ws.read(requests_register.get, request_id=request_id)
    print(f"{row.label} is now with {row.owner or 'nobody'}")
    return 0


def cmd_request_list(ws: Workspace, args: argparse.Namespace) -> int:
    print_requests(ws, args.format, args.overdue)
    return 0


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    req = sub.add_parser("request", parents=[common], help="the notification and requests register")
    req_sub = req.add_subparsers(dest="request_command", required=True, metavar="COMMAND")
    p = req_sub.add_parser(
        "add", parents=[common], help="record a notification to send or a request received"
    )
    p.add_argument("kind", help="notification, aio, downstream or complaint")
    p.add_argument("--model", help="the model it is about (slug or name)")
    p.add_argument("--subject", required=True, help="what is asked, in one line")
    p.add_argument(
        "--received",
        required=True,
        metavar="DATE",
        help="day received (notification: day the 1e25 FLOP threshold was met or foreseen)",
    )
    p.add_argument(
        "--deadline", metavar="DATE", help="AI Office: its stated deadline; complaint: your target"
    )
    p.add_argument("--requester", help="who asked")
    p.add_argument("--owner", metavar="EMAIL", help="who answers it")
    p.set_defaults(func=cmd_request_add)
    p = req_sub.add_parser(
        "answer", parents=[common], help="record the answer (or the notification sent)"
    )
    p.add_argument("request", help="request id")
    p.add_argument("--on", required=True, metavar="DATE", help="day answered or sent")
    p.add_argument("--file", help="what was sent: filed as evidence on the model's item")
    p.add_argument("--evidence", metavar="ID", help="what was sent: evidence already filed")
    p.set_defaults(func=cmd_request_answer)
    p = req_sub.add_parser("assign", parents=[common], help="give a request to someone")
    p.add_argument("request", help="request id")
    p.add_argument("--owner", metavar="EMAIL", help="who answers it (left out: nobody)")
    p.set_defaults(func=cmd_request_assign)
    p = req_sub.add_parser("list", parents=[common], help="list requests, open ones by deadline")
    p.add_argument("--overdue", action="store_true", help="only open requests past their deadline")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_request_list)
