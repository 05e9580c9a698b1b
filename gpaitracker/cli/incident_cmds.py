"""incident add|report|resolve|assign|list: serious incidents (COP-SS-9) and their reports."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gpaitracker.cli import output
from gpaitracker.cli.request_cmds import file_evidence, owner_of, record_id

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace


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
        owner_id=owner_of(ws, args.owner),
    )
    row = ws.read(incidents.get, incident_id=changes.created_id(Entity.INCIDENT))
    assert row.next_due is not None
    print(f"Added {row.label} on {row.model}: initial report due {row.next_due.isoformat()}")
    return 0


def cmd_incident_report(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker import parse
    from gpaitracker.enums import ReportKind
    from gpaitracker.services import incidents

    incident_id = record_id(args.incident, "incident id")
    kind = parse.choice(ReportKind, args.kind, "report kind")
    day = parse.date(args.sent_on, "sent date")
    ws.read(incidents.check_report, incident_id=incident_id, kind=kind, sent_on=day)
    evidence_id = None
    if args.file:
        item = ws.read(incidents.report_item, incident_id=incident_id)
        evidence_id = file_evidence(ws, item, args.file)
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

    incident_id = record_id(args.incident, "incident id")
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


def cmd_incident_assign(ws: Workspace, args: argparse.Namespace) -> int:
    from gpaitracker.services import incidents

    incident_id = record_id(args.incident, "incident id")
    ws.write(incidents.assign, incident_id=incident_id, owner_id=owner_of(ws, args.owner))
    row = ws.read(incidents.get, incident_id=incident_id)
    print(f"{row.label} is now with {row.owner or 'nobody'}")
    return 0


def cmd_incident_list(ws: Workspace, args: argparse.Namespace) -> int:
    print_incidents(ws, args.format, args.overdue)
    return 0


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
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
    p = inc_sub.add_parser("assign", parents=[common], help="give an incident to someone")
    p.add_argument("incident", help="incident id")
    p.add_argument("--owner", metavar="EMAIL", help="who handles it (left out: nobody)")
    p.set_defaults(func=cmd_incident_assign)
    p = inc_sub.add_parser("list", parents=[common], help="incidents and the report owed next")
    p.add_argument("--overdue", action="store_true", help="only incidents with a report overdue")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_incident_list)
