"""Evidence expiry: done items whose evidence has all expired, and reopening them."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpaitracker import audit
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity, Status
from gpaitracker.models import AIModel, Evidence, EvidenceLink, Meta, Requirement
from gpaitracker.services import register
from gpaitracker.services.register import requirement_key

REOPEN_SETTING = "evidence.reopen_on_expiry"
REOPEN_NOTE = "reopened: all its evidence has expired"


class ExpiredItem(NamedTuple):
    """A done item whose evidence has all expired."""

    requirement_id: int
    key: str


def reopen_on_expiry(*, session: Session) -> bool:
    row = session.get(Meta, REOPEN_SETTING)
    return row is not None and row.value == "true"


@write_service(Permission.ADMIN)
def set_reopen_on_expiry(*, session: Session, actor: Actor, enabled: bool) -> Changes:
    """Whether done items whose evidence has all expired are reopened automatically."""
    old = reopen_on_expiry(session=session)
    if old != enabled:
        session.merge(Meta(key=REOPEN_SETTING, value="true" if enabled else "false"))
        session.flush()
        audit.record(
            session,
            actor,
            [
                Change("update", Entity.SETTING, None, REOPEN_SETTING, "value", old, enabled),
            ],
        )
    return audit.change_set(session)


def done_with_only_expired(*, session: Session, today: dt.date | None = None) -> list[ExpiredItem]:
    """Done items that have evidence, all of it expired, by key (retired models left out)."""
    today = today or dt.date.today()
    r, m = Requirement.__table__.c, AIModel.__table__.c  # type: ignore[attr-defined]
    e, link = Evidence.__table__.c, EvidenceLink.__table__.c  # type: ignore[attr-defined]
    query = (
        select(r.id, m.slug, r.code, r.occurrence, e.valid_until)
        .select_from(Requirement)
        .join(EvidenceLink, link.requirement_id == r.id)
        .join(Evidence, e.id == link.evidence_id)
        .join(AIModel, m.id == r.model_id)
        .where(r.status == Status.DONE, m.retired.is_(False))
    )
    state: dict[ExpiredItem, bool] = {}
    for row in session.execute(query):
        item = ExpiredItem(row.id, requirement_key(row.slug, row.code, row.occurrence))
        until = row.valid_until
        state[item] = state.get(item, True) and until is not None and until < today
    return sorted((i for i, all_expired in state.items() if all_expired), key=lambda i: i.key)


@write_service(Permission.EDIT)
def reopen_expired(*, session: Session, actor: Actor, today: dt.date | None = None) -> Changes:
    """When the setting is on, move done items whose evidence all expired back to in_progress."""
    if reopen_on_expiry(session=session):
        for item in done_with_only_expired(session=session, today=today):
            register.change_status(
                session=session,
                actor=actor,
                requirement_id=item.requirement_id,
                status=Status.IN_PROGRESS,
                note=REOPEN_NOTE,
            )
    return audit.change_set(session)
