"""What an export or an import reads: the register as plain rows, in one read transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpaitracker.models import Comment, Organisation
from gpaitracker.services import evidence, people, queries
from gpaitracker.services.evidence import EvidenceRow
from gpaitracker.services.people import PersonRow
from gpaitracker.services.queries import RegisterRow


@dataclass(frozen=True)
class Snapshot:
    """Items (every one, applicable or not), their newest comment, people and evidence."""

    items: list[RegisterRow]
    notes: dict[int, str]
    people: list[PersonRow]
    evidence: list[EvidenceRow]
    register_id: str
    organisation: str


def latest_notes(*, session: Session) -> dict[int, str]:
    """Each item's newest comment, which the spreadsheets show in their note column."""
    c = Comment.__table__.c  # type: ignore[attr-defined]
    newest = select(func.max(c.id)).group_by(c.requirement_id)
    rows = session.execute(select(c.requirement_id, c.text).where(c.id.in_(newest)))
    return {int(r.requirement_id): str(r.text) for r in rows}


def register_identity(*, session: Session) -> tuple[str, str]:
    """A stable id of this register (kept by backups and restores) and its organisation name."""
    o = Organisation.__table__.c  # type: ignore[attr-defined]
    org = session.execute(select(o.id, o.name, o.created_at).order_by(o.id)).first()
    if org is None:
        return "register", ""
    seed = f"{org.id}/{org.created_at.isoformat() if org.created_at else ''}/{org.name}"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16], str(org.name)


def snapshot(
    *, session: Session, with_evidence: bool = True, today: dt.date | None = None
) -> Snapshot:
    items = queries.list_rows(
        session=session, filters=queries.Filters(include_inactive=True), today=today
    )
    reg_id, org = register_identity(session=session)
    return Snapshot(
        items=items,
        notes=latest_notes(session=session),
        people=people.list_people(session=session),
        evidence=evidence.list_evidence(session=session) if with_evidence else [],
        register_id=reg_id,
        organisation=org,
    )
