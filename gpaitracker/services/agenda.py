"""What needs attention: the reminders list of the side panel and of `gpaitracker agenda`.

Overdue items, items due within a few days, evidence about to expire and reviews waiting for
the person; everyone's, or one person's (items they own, reviews they are named for).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpaitracker.enums import Status
from gpaitracker.metrics import evidence as evidence_figures
from gpaitracker.metrics.figures import CLOSED
from gpaitracker.metrics.state import Item, load
from gpaitracker.models import Requirement
from gpaitracker.services import records_owed

KINDS = (
    "overdue",
    "late_report",
    "late_request",
    "review",
    "due",
    "report",
    "request",
    "evidence",
)
CAPTIONS = {
    "overdue": "overdue",
    "late_report": "incident report overdue",
    "late_request": "request overdue",
    "review": "waiting for your review",
    "due": "due soon",
    "report": "incident report due",
    "request": "request due",
    "evidence": "evidence expires",
}
LATE = frozenset({"overdue", "late_report", "late_request"})


class Entry(NamedTuple):
    kind: str  # one of KINDS
    key: str  # the item's key, the evidence title, "incident #2" or "request #3"
    title: str
    due: dt.date | None  # due date, or the day the evidence expires
    days: int  # days late (overdue) or days left
    requirement_id: int | None
    evidence_id: int | None

    def as_dict(self) -> dict[str, object]:
        data = self._asdict()
        data["due"] = self.due.isoformat() if self.due else None
        return data


def agenda(
    *,
    session: Session,
    person_id: int | None = None,
    days: int = 7,
    today: dt.date | None = None,
    records: bool = False,
) -> list[Entry]:
    """Everything needing attention within days, most urgent first (one person's if given).

    records: also incident reports and requests owed (late_report, report, late_request,
    request entries).
    """
    today = today or dt.date.today()
    until = today + dt.timedelta(days=days)
    reg = load(session)
    mine = person_id is None
    entries: list[Entry] = []

    def entry(kind: str, item: Item, days_: int) -> Entry:
        title = reg.titles.get(item.entry_id, "")
        return Entry(kind, reg.key(item), title, item.due, days_, item.id, None)

    reviewing = _waiting_for(session, person_id) if person_id is not None else set()
    for item in reg.items.values():
        if not reg.active(item) or item.status in CLOSED:
            continue
        if item.id in reviewing:
            entries.append(entry("review", item, (item.due - today).days if item.due else 0))
        if not (mine or item.owner_id == person_id) or item.due is None:
            continue
        if item.due < today:
            entries.append(entry("overdue", item, (today - item.due).days))
        elif item.due <= until:
            entries.append(entry("due", item, (item.due - today).days))

    def in_scope(item_id: int) -> bool:
        item = reg.items.get(item_id)
        return item is not None and reg.active(item) and (mine or item.owner_id == person_id)

    for ev in evidence_figures.expiring(session, today, in_scope, days=max(days, 30)):
        left = (ev.valid_until - today).days
        entries.append(Entry("evidence", ev.title, "", ev.valid_until, left, None, ev.evidence_id))
    if records:
        entries += _records(session, person_id, today, until)
    order = {k: n for n, k in enumerate(KINDS)}
    return sorted(
        entries,
        key=lambda e: (order[e.kind], -e.days if e.kind in LATE else e.days, e.key),
    )


def _waiting_for(session: Session, person_id: int) -> set[int]:
    r = Requirement.__table__.c  # type: ignore[attr-defined]
    query = select(r.id).where(r.reviewer_id == person_id, r.status == Status.IN_REVIEW)
    return set(session.scalars(query))


def _records(
    session: Session, person_id: int | None, today: dt.date, until: dt.date
) -> list[Entry]:
    """Incident reports and requests owed by `until` (late ones first), one person's if given."""
    out: list[Entry] = []
    for o in records_owed.owed(session=session, today=today, until=until, person_id=person_id):
        title = f"{o.title} ({o.model})" if o.kind == "report" and o.model else o.title
        kind = ("late_" if o.late else "") + o.kind
        out.append(Entry(kind, o.label, title, o.due, o.days, None, None))
    return out
