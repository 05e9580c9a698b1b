"""Incident reports and request answers owed: one list for the reminders, the dashboard and the
board report, so that all three count the same records the same way."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy.orm import Session

from gpaitracker.enums import RequestStatus
from gpaitracker.services.incident_reads import list_incidents
from gpaitracker.services.request_reads import KIND_TEXT, list_requests


class Owed(NamedTuple):
    kind: str  # "report" (an incident report) or "request" (an answer or the notification)
    label: str  # "incident #2", "request #3"
    title: str  # what is owed, in words
    model: str | None  # the model's slug
    owner: str | None
    owner_id: int | None
    due: dt.date
    late: bool
    days: int  # days late when late, else days left


def owed(
    *,
    session: Session,
    today: dt.date | None = None,
    until: dt.date | None = None,
    person_id: int | None = None,
) -> list[Owed]:
    """Every incident report and request answer owed by `until` (all when None), on `today`:
    the late ones first, most days late first, then the soonest; one person's if given."""
    today = today or dt.date.today()
    out: list[Owed] = []
    for inc in list_incidents(session=session, today=today):
        if inc.next_due is None or inc.next_report is None:
            continue
        if (until is not None and inc.next_due > until) or person_id not in (None, inc.owner_id):
            continue
        title = f"{inc.next_report.value} report: {inc.title}"
        out.append(
            Owed(
                "report",
                inc.label,
                title,
                inc.model,
                inc.owner,
                inc.owner_id,
                inc.next_due,
                inc.overdue,
                inc.days,
            )
        )
    for req in list_requests(session=session, today=today):
        if req.deadline is None or req.status != RequestStatus.OPEN:
            continue
        if (until is not None and req.deadline > until) or person_id not in (None, req.owner_id):
            continue
        out.append(
            Owed(
                "request",
                req.label,
                f"{KIND_TEXT[req.kind]}: {req.subject}",
                req.model,
                req.owner,
                req.owner_id,
                req.deadline,
                req.overdue,
                req.days,
            )
        )
    return sorted(out, key=lambda o: (not o.late, -o.days if o.late else o.days, o.label))
