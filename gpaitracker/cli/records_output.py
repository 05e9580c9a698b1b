"""Overdue incident reports and requests, shown with the overdue items of `list --overdue`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gpaitracker.cli import output

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace


def note_overdue(ws: Workspace, args: argparse.Namespace) -> None:
    """JSON and CSV stay item rows; overdue records are named on stderr for scripts."""
    if not args.overdue or args.model or args.owner:
        return
    import sys

    from gpaitracker.services import incidents, requests_register

    late = len(ws.read(incidents.list_incidents, overdue=True))
    asked = len(ws.read(requests_register.list_requests, overdue=True))
    if late or asked:
        print(
            f"note: also overdue: {late} incident report(s), {asked} request(s) "
            "(gpaitracker incident list --overdue, gpaitracker request list --overdue)",
            file=sys.stderr,
        )


def print_overdue(ws: Workspace) -> None:
    """Overdue incident reports and requests, below the overdue items."""
    from gpaitracker.services import incidents, requests_register

    late_incidents = ws.read(incidents.list_incidents, overdue=True)
    late_requests = ws.read(requests_register.list_requests, overdue=True)
    if late_incidents:
        print("\nOverdue incident reports")
        output.table(
            ["incident", "model", "report", "due", "late", "title"],
            [[i.label, i.model, i.next_report.value if i.next_report else "", i.next_due,
              f"{i.days}d", i.title] for i in late_incidents],
        )  # fmt: skip
    if late_requests:
        print("\nOverdue requests")
        output.table(
            ["request", "kind", "model", "deadline", "late", "subject"],
            [[r.label, r.kind.value, r.model, r.deadline, f"{r.days}d", r.subject]
             for r in late_requests],
        )  # fmt: skip
