"""request and incident commands: the requests register and serious incidents."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace


def _id(text: str, field: str) -> int:
    from gpaitracker import parse

    return parse.row_id(text.strip().lstrip("#"), field)


def _owner(ws: Workspace, email: str | None) -> int | None:
    from gpaitracker.services import lookup

    return ws.read(lookup.person_id, email=email) if email else None


def _file_evidence(ws: Workspace, item_id: int, path: str | None) -> int | None:
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
        owner_id=_owner(ws, args.owner),
    )
    row = ws.read(requests_register.get, request_id=changes.created_id(Entity.REQUEST))
    due = row.deadline.isoformat() if row.deadline else "no fixed deadline"
    print(f"Added {row.label} ({requests_register.KIND_TEXT[row.kind]}), due {due}")
    return 0


def cmd_request_answer(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import requests_register

    request_id = _id(args.request, "request id")
    day = parse.date(args.on, "answered date")
    ws.read(requests_register.check_answer, request_id=request_id, answered_on=day)
    evidence_id = parse.row_id(args.evidence, "evidence id") if args.evidence else None
    if args.file:
        item = ws.read(requests_register.answer_item, request_id=request_id)
        evidence_id = _file_evidence(ws, item, args.file)
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


def cmd_request_list(ws: Workspace, args: argparse.Namespace) -> int:
    print_requests(ws, args.format, args.overdue)
    return 0


def cmd_incident_add(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.enums import Entity, IncidentCategory
    from gpaitracker.services import incidents, lookup

    category = (
        parse.choice(IncidentCategory, args.category, "incident category")
        if args.category
        else None
    )
    changes = ws.write(
        incidents.add_incident,
        model_id=ws.read(lookup.model_id, ref=args.model),
        title=args.title,
        category=category,
        aware_on=parse.date(args.aware_on, "awareness date"),
        occurred_on=parse.optional_date(args.occurred_on, "incident date"),
        owner_id=_owner(ws, args.owner),
    )
    row = ws.read(incidents.get, incident_id=changes.created_id(Entity.INCIDENT))
    assert row.next_due is not None
    print(f"Added {row.label} on {row.model}: initial report due {row.next_due.isoformat()}")
    return 0


def cmd_incident_report(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.enums import ReportKind
    from gpaitracker.services import incidents

    incident_id = _id(args.incident, "incident id")
    kind = parse.choice(ReportKind, args.kind, "report kind")
    day = parse.date(args.sent_on, "sent date")
    ws.read(incidents.check_report, incident_id=incident_id, kind=kind, sent_on=day)
    evidence_id = None
    if args.file:
        item = ws.read(incidents.report_item, incident_id=incident_id)
        evidence_id = _file_evidence(ws, item, args.file)
    ws.write(
        incidents.add_report,
        incident_id=incident_id,
        kind=kind,
        sent_on=day,
        evidence_id=evidence_id,
        note=args.note or "",
    )
    _print_next(ws, incident_id, f"Recorded the {kind.value} report of")
    return 0


def _print_next(ws: Workspace, incident_id: int, done: str) -> None:
    from gpaitracker.services import incidents

    row = ws.read(incidents.get, incident_id=incident_id)
    if row.next_report is None or row.next_due is None:
        print(f"{done} {row.label}; no report owed; keep its records until {row.keep_until}")
    else:
        print(f"{done} {row.label}; next: {row.next_report.value} report due {row.next_due}")


def cmd_incident_resolve(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.services import incidents

    incident_id = _id(args.incident, "incident id")
    ws.write(
        incidents.resolve,
        incident_id=incident_id,
        resolved_on=parse.date(args.on, "resolution date"),
    )
    _print_next(ws, incident_id, "Resolved")
    return 0


def print_incidents(ws: Workspace, fmt: str, overdue: bool) -> int:
    from gpaitracker.services import incidents

    rows = ws.read(incidents.list_incidents, overdue=overdue)
    if fmt == "json":
        output.as_json([r.as_dict() for r in rows])
        return len(rows)
    headers = [
        "id",
        "model",
        "title",
        "category",
        "aware_on",
        "resolved_on",
        "next_report",
        "due",
        "late",
        "keep_until",
    ]
    output.emit(
        fmt,
        headers,
        [
            [
                r.id,
                r.model,
                r.title,
                r.category.value,
                r.aware_on,
                r.resolved_on,
                r.next_report.value if r.next_report else "",
                r.next_due,
                f"{r.days}d" if r.overdue else "",
                r.keep_until,
            ]
            for r in rows
        ],
    )
    return len(rows)


def cmd_incident_list(ws: Workspace, args: argparse.Namespace) -> int:
    print_incidents(ws, args.format, args.overdue)
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
    p = req_sub.add_parser("list", parents=[common], help="list requests, open ones by deadline")
    p.add_argument("--overdue", action="store_true", help="only open requests past their deadline")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_request_list)

    inc = sub.add_parser("incident", parents=[common], help="serious incidents (COP-SS-9)")
    inc_sub = inc.add_subparsers(dest="incident_command", required=True, metavar="COMMAND")
    p = inc_sub.add_parser("add", parents=[common], help="record a serious incident")
    p.add_argument("model", help="model slug or name")
    p.add_argument("--title", required=True)
    p.add_argument(
        "--category", help="infrastructure (2 days), cybersecurity (5), death (10), harm (15)"
    )
    p.add_argument("--aware-on", required=True, metavar="DATE", help="day you became aware of it")
    p.add_argument("--occurred-on", metavar="DATE", help="day it happened, if known")
    p.add_argument("--owner", metavar="EMAIL")
    p.set_defaults(func=cmd_incident_add)
    p = inc_sub.add_parser("report", parents=[common], help="record a report sent to the AI Office")
    p.add_argument("incident", help="incident id")
    p.add_argument("--kind", required=True, help="initial, intermediate or final")
    p.add_argument("--sent-on", required=True, metavar="DATE")
    p.add_argument("--file", help="the report sent: filed as evidence on the model's item")
    p.add_argument("--note")
    p.set_defaults(func=cmd_incident_report)
    p = inc_sub.add_parser("resolve", parents=[common], help="record the day it was resolved")
    p.add_argument("incident", help="incident id")
    p.add_argument("--on", required=True, metavar="DATE")
    p.set_defaults(func=cmd_incident_resolve)
    p = inc_sub.add_parser("list", parents=[common], help="incidents and the report owed next")
    p.add_argument("--overdue", action="store_true", help="only incidents with a report overdue")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_incident_list)
