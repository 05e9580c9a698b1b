"""Playing the audit trail backwards over the current register: the register as it stood.

Every change to an item's status, due date, applicability or existence, and every model
retirement, is an event holding the old value. Undoing the events newer than a moment, newest
first, leaves each item as it was at that moment. Events are appended in time order, so the
events after a moment are those after one id, found by a binary search on the primary key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from gpaitracker.metrics.state import Register
from gpaitracker.models import AuditEvent

ITEM_FIELDS = ("status", "due_date", "applicable", "withdrawn", "merged_into")


def first_event_at_or_after(session: Session, moment: dt.datetime) -> int | None:
    """The id of the oldest event at or after moment (naive UTC), or None if there is none."""
    a = AuditEvent.__table__.c  # type: ignore[attr-defined]
    bounds: Any = session.execute(select(func.min(a.id), func.max(a.id))).one()
    lo, hi = bounds
    if lo is None:
        return None

    def at_or_after(event_id: int) -> tuple[int, dt.datetime] | None:
        row: Any = session.execute(
            select(a.id, a.at).where(a.id >= event_id).order_by(a.id).limit(1)
        ).first()
        return None if row is None else (int(row[0]), naive_utc(row[1]))

    last = at_or_after(hi)
    if last is None or last[1] < moment:
        return None
    best: int = hi  # an event at or after moment; look for an older one in [lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        found = at_or_after(mid)
        if found is None or found[0] >= hi:
            hi = mid  # no event between mid and hi
        elif found[1] >= moment:
            best, hi = found[0], mid  # ids from mid to found[0] do not exist
        else:
            lo = found[0] + 1
    return best


def rewind(
    session: Session,
    reg: Register,
    moments: list[dt.datetime],
    visit: Callable[[dt.datetime], None],
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Undo events newest first; at each moment (newest first) call visit with the register
    as it stood then. The register is left as it stood at the oldest moment."""
    if not moments:
        return
    moments = sorted(moments, reverse=True)
    start = first_event_at_or_after(session, naive_utc(moments[-1]))
    pending = list(moments)
    if start is not None:
        a = AuditEvent.__table__.c  # type: ignore[attr-defined]
        query = (
            select(a.id, a.at, a.entity, a.row_id, a.action, a.field, a.old_value)
            .where(
                a.id >= start,
                or_(
                    and_(
                        a.entity == "requirement",
                        or_(a.action == "create", a.field.in_(ITEM_FIELDS)),
                    ),
                    and_(a.entity == "model", a.field == "retired"),
                ),
            )
            .order_by(a.id.desc())
        )
        rows: Any = session.execute(query)
        for n, (_id, at, entity, row_id, action, field, old) in enumerate(rows):
            at = naive_utc(at)
            while pending and at < naive_utc(pending[0]):
                visit(pending.pop(0))
            if n % 20_000 == 0 and cancelled is not None and cancelled():
                from gpaitracker.errors import Cancelled

                raise Cancelled("cancelled")
            _undo(reg, entity, row_id, action, field, old)
    for moment in pending:
        visit(moment)


def _undo(
    reg: Register, entity: str, row_id: int | None, action: str, field: str, old: str | None
) -> None:
    if row_id is None:
        return
    if entity == "model":
        reg.retired[row_id] = old == "true"
        return
    item = reg.items.get(row_id)
    if item is None:  # another model's item (figures for some models only) or deleted
        return
    if action == "create":
        item.exists = False
    elif field == "status":
        item.status = old or "not_started"
    elif field == "due_date":
        item.due = dt.date.fromisoformat(old) if old else None
    elif field == "applicable":
        item.applicable = old != "false"
    elif field == "withdrawn":
        item.withdrawn = old == "true"
    elif field == "merged_into":
        item.withdrawn = False


def naive_utc(at: dt.datetime) -> dt.datetime:
    """Event times are stored as naive UTC; compare like with like."""
    if at.tzinfo is not None:
        return at.astimezone(dt.UTC).replace(tzinfo=None)
    return at
