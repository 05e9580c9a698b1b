"""Evidence figures: which items have valid evidence on a day, and what expires soon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gpaitracker.metrics.figures import ExpiringEvidence
from gpaitracker.models import Evidence, EvidenceLink

EXPIRY_DAYS = 30


def _valid_on(day: dt.date) -> tuple[Any, Any]:
    ev = Evidence.__table__.c  # type: ignore[attr-defined]
    return (
        or_(ev.valid_from.is_(None), ev.valid_from <= day),
        or_(ev.valid_until.is_(None), ev.valid_until >= day),
    )


def valid_items(session: Session, day: dt.date) -> set[int]:
    """Ids of items with at least one linked evidence valid on the day."""
    ev, link = Evidence.__table__.c, EvidenceLink.__table__.c  # type: ignore[attr-defined]
    query = (
        select(link.requirement_id)
        .distinct()
        .join_from(EvidenceLink, Evidence, ev.id == link.evidence_id)
        .where(*_valid_on(day))
    )
    return set(session.scalars(query))


def expiring(
    session: Session, day: dt.date, in_scope: Callable[[int], bool], days: int = EXPIRY_DAYS
) -> list[ExpiringEvidence]:
    """Evidence valid on the day that expires within days, linked to one of the items."""
    ev, link = Evidence.__table__.c, EvidenceLink.__table__.c  # type: ignore[attr-defined]
    query = (
        select(ev.id, ev.title, ev.valid_until, link.requirement_id)
        .join_from(Evidence, EvidenceLink, ev.id == link.evidence_id)
        .where(*_valid_on(day), ev.valid_until <= day + dt.timedelta(days))
        .order_by(ev.valid_until, ev.id)
    )
    found: dict[int, ExpiringEvidence] = {}
    rows: Any = session.execute(query)
    for eid, title, until, rid in rows:
        if in_scope(rid):
            seen = found.get(eid) or ExpiringEvidence(eid, title, until, 0)
            found[eid] = seen._replace(items=seen.items + 1)
    return list(found.values())
