"""Evidence expiry: done items whose evidence has all expired, and reopening them."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from gpaitracker import audit, validation
from gpaitracker.audit import Change
from gpaitracker.models import (
    AIModel,
    Evidence,
    EvidenceLink,
    Meta,
    Person,
    Requirement,
    Status,
)
from gpaitracker.services import register

REOPEN_SETTING = "evidence.reopen_on_expiry"


def reopen_on_expiry(*, session: Session) -> bool:
    row = session.get(Meta, REOPEN_SETTING)
    return row is not None and row.value == "true"


def set_reopen_on_expiry(*, session: Session, actor: Person, enabled: bool) -> None:
    validation.require_admin(actor)
    old = reopen_on_expiry(session=session)
    if old == enabled:
        return
    session.merge(Meta(key=REOPEN_SETTING, value="true" if enabled else "false"))
    session.flush()
    audit.record(session, actor.email,
                 [Change("update", "setting", REOPEN_SETTING, "value", old, enabled)])  # fmt: skip


def done_with_only_expired(*, session: Session, today: dt.date | None = None) -> list[str]:
    """Keys of done items that have evidence, all of it expired."""
    today = today or dt.date.today()
    query = (
        select(Requirement, AIModel, col(Evidence.valid_until))
        .join(EvidenceLink, col(EvidenceLink.requirement_id) == Requirement.id)
        .join(Evidence, col(Evidence.id) == EvidenceLink.evidence_id)
        .join(AIModel, col(AIModel.id) == Requirement.model_id)
        .where(Requirement.status == Status.DONE)
    )
    state: dict[str, bool] = {}
    for item, model, until in session.exec(query):
        key = register.key_of(item, model)
        state[key] = state.get(key, True) and until is not None and until < today
    return sorted(k for k, all_expired in state.items() if all_expired)


def reopen_expired(*, session: Session, actor: Person, today: dt.date | None = None) -> list[str]:
    """When the setting is on, move done items whose evidence all expired back to in_progress."""
    if not reopen_on_expiry(session=session):
        return []
    keys = done_with_only_expired(session=session, today=today)
    for key in keys:
        register.change_status(session=session, actor=actor, key=key, status=Status.IN_PROGRESS,
                               note="reopened: all its evidence has expired")  # fmt: skip
    return keys
