"""Reading serious incidents: each with the report owed next, its deadline and retention."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from gpaitracker import deadlines
from gpaitracker.enums import IncidentCategory, ReportKind
from gpaitracker.errors import NotFoundError
from gpaitracker.models import AIModel, Incident, IncidentReport, Person


def label(incident_id: int | None) -> str:
    return f"incident #{incident_id}"


class ReportRow(NamedTuple):
    kind: ReportKind
    sent_on: dt.date
    evidence_id: int | None
    note: str


class IncidentRow(NamedTuple):
    id: int
    label: str  # "incident #2"
    model: str  # slug
    title: str
    category: IncidentCategory
    aware_on: dt.date
    occurred_on: dt.date | None
    owner: str | None
    owner_id: int | None
    resolved_on: dt.date | None
    next_report: ReportKind | None
    next_due: dt.date | None
    overdue: bool
    days: int  # days late if overdue, else days left (0 when nothing is owed)
    keep_until: dt.date
    reports: tuple[ReportRow, ...]
    row_version: int

    def as_dict(self) -> dict[str, object]:
        data = self._asdict()
        for name in ("aware_on", "occurred_on", "resolved_on", "next_due", "keep_until"):
            value = data[name]
            data[name] = value.isoformat() if value else None
        data["category"] = self.category.value
        data["next_report"] = self.next_report.value if self.next_report else None
        data["reports"] = [
            {"kind": r.kind.value, "sent_on": r.sent_on.isoformat(), "evidence_id": r.evidence_id}
            for r in self.reports
        ]
        return data


def _reports(session: Session, incident_id: int) -> tuple[ReportRow, ...]:
    query = (
        select(IncidentReport)
        .where(col(IncidentReport.incident_id) == incident_id)
        .order_by(col(IncidentReport.sent_on), col(IncidentReport.id))
    )
    return tuple(
        ReportRow(r.kind, r.sent_on, r.evidence_id, r.note) for r in session.scalars(query)
    )


def _row(
    session: Session, inc: Incident, slug: str, owner: str | None, today: dt.date
) -> IncidentRow:
    assert inc.id is not None
    reports = _reports(session, inc.id)
    sent = [deadlines.Sent(r.kind, r.sent_on) for r in reports]
    owed = deadlines.next_report(inc.category, inc.aware_on, sent, inc.resolved_on)
    overdue = owed is not None and owed.due < today
    days = 0 if owed is None else abs((owed.due - today).days)
    return IncidentRow(
        inc.id,
        label(inc.id),
        slug,
        inc.title,
        inc.category,
        inc.aware_on,
        inc.occurred_on,
        owner,
        inc.owner_id,
        inc.resolved_on,
        owed.kind if owed else None,
        owed.due if owed else None,
        overdue,
        days,
        deadlines.keep_until(inc.aware_on, [r.sent_on for r in reports]),
        reports,
        inc.row_version,
    )


def list_incidents(
    *, session: Session, overdue: bool = False, today: dt.date | None = None
) -> list[IncidentRow]:
    """Every incident, the next report owed first; only overdue ones if asked."""
    today = today or dt.date.today()
    owner = aliased(Person)
    query = (
        select(Incident, col(AIModel.slug), col(owner.email))
        .join(AIModel, col(AIModel.id) == Incident.model_id)
        .outerjoin(owner, col(owner.id) == Incident.owner_id)
        .order_by(col(Incident.id))
    )
    rows = [_row(session, r[0], r[1], r[2], today) for r in session.execute(query)]
    rows.sort(key=lambda r: (r.next_due is None, r.next_due or today, r.id))
    return [r for r in rows if r.overdue] if overdue else rows


def get(*, session: Session, incident_id: int, today: dt.date | None = None) -> IncidentRow:
    inc = session.get(Incident, incident_id)
    if inc is None:
        raise NotFoundError(f"{label(incident_id)} is not in the register")
    model = session.get(AIModel, inc.model_id)
    owner = session.get(Person, inc.owner_id) if inc.owner_id else None
    assert model is not None
    return _row(session, inc, model.slug, owner.email if owner else None, today or dt.date.today())
