"""Retiring a model: it leaves the register list with its items; nothing is deleted.

A model withdrawn from the market keeps its register for the record (Art. 53(1) documentation
is kept for ten years), but its open items are no longer work to do. Retiring is reversible.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpaitracker import audit, workflow
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import AIModel, Requirement
from gpaitracker.services.register import check_version


class RetirePlan(NamedTuple):
    """What retiring (or bringing back) a model changes in the register list."""

    model_id: int
    slug: str
    name: str
    retired: bool  # now
    open_items: int  # applicable, not withdrawn, not done or not applicable
    overdue: int  # of those, past their due date

    def lines(self, retire: bool = True) -> list[str]:
        if retire:
            return [
                f"{self.slug}: retire model {self.name}; its {self.open_items} open item(s) "
                f"({self.overdue} overdue) leave the register list",
                "  its items, evidence and history are kept",
            ]
        return [
            f"{self.slug}: bring model {self.name} back; its {self.open_items} open "
            "item(s) return to the register list"
        ]


def _model(session: Session, model_id: int) -> AIModel:
    model = session.get(AIModel, model_id)
    if model is None:
        raise NotFoundError(f"model id {model_id} is not in the register")
    return model


def preview(*, session: Session, model_id: int, today: dt.date | None = None) -> RetirePlan:
    """How many open items retiring the model takes out of the register list."""
    model = _model(session, model_id)
    assert model.id is not None
    today = today or dt.date.today()
    r = Requirement.__table__.c  # type: ignore[attr-defined]
    closed = [s.value for s in workflow.CLOSED]
    open_items = (
        r.model_id == model.id,
        r.applicable.is_(True),
        r.withdrawn.is_(False),
        r.status.not_in(closed),
    )
    count, overdue = session.execute(
        select(func.count(), func.count().filter(r.due_date < today)).where(*open_items)
    ).one()
    return RetirePlan(model.id, model.slug, model.name, model.retired, count, overdue)


@write_service(Permission.EDIT)
def retire_model(
    *,
    session: Session,
    actor: Actor,
    model_id: int,
    retired: bool = True,
    expected_version: int | None = None,
) -> Changes:
    """Retire a model (retired=False brings it back); its items stay, out of the default list."""
    model = _model(session, model_id)
    assert model.id is not None
    check_version(session, Entity.MODEL, model.id, model.slug, model.row_version, expected_version)
    if model.retired == retired:
        state = "already retired" if retired else "not retired"
        raise ValidationError(f"model {model.slug} is {state}")
    model.retired = retired
    session.add(model)
    session.flush()
    action = "retire" if retired else "unretire"
    audit.record(
        session,
        actor,
        [Change(action, Entity.MODEL, model.id, model.slug, "retired", not retired, retired)],
    )
    return audit.change_set(session)
