"""Checks shared by the requests register, serious incidents and the documentation form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker import audit, parse, validation
from gpaitracker.audit import Change
from gpaitracker.authz import Actor
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import Evidence, Incident, Person, RegisterRequest, Requirement
from gpaitracker.services.register import check_version


def text(value: object, field: str, *, max_chars: int = 300, required: bool = False) -> str:
    """One line of text (a subject, a title): no control characters at all."""
    clean = validation.text(value, field, max_chars=max_chars, required=required)
    if max_chars <= 300 and any(ord(c) < 32 or ord(c) == 127 for c in clean):
        raise ValidationError(f"{field} {parse.show(clean)} contains a control character")
    return clean


def check_day(
    value: object,
    field: str,
    *,
    today: dt.date | None = None,
    future_ok: bool = False,
    not_before: tuple[dt.date, str] | None = None,
) -> dt.date:
    """A date in the register's range; a day something happened is not in the future."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError(f"{field} {parse.show(value)} is not a date")
    day = parse.date_in_range(value, field)
    today = today or dt.date.today()
    if not future_ok and day > today:
        raise ValidationError(f"{field} {day.isoformat()} is in the future")
    if not_before is not None and day < not_before[0]:
        raise ValidationError(
            f"{field} {day.isoformat()} is before {not_before[1]} {not_before[0].isoformat()}"
        )
    return day


def person(session: Session, person_id: int | None, field: str) -> int | None:
    """An active person's id (an owner), or None."""
    if person_id is None:
        return None
    found = session.get(Person, person_id)
    if found is None:
        raise NotFoundError(f"{field} person id {person_id} is not in the register")
    if not found.active:
        raise ValidationError(f"{field} {found.email} is inactive")
    return person_id


def evidence_item(session: Session, model_id: int, codes: Sequence[str], what: str) -> int:
    """The model's first applicable item among these codes: where a record's file goes."""
    for code in codes:
        found = session.execute(
            select(col(Requirement.id))
            .where(
                col(Requirement.model_id) == model_id,
                col(Requirement.code) == code,
                col(Requirement.applicable).is_(True),
                col(Requirement.withdrawn).is_(False),
            )
            .order_by(col(Requirement.occurrence).desc())
            .limit(1)
        ).first()
        if found is not None and found[0] is not None:
            return int(found[0])
    raise ValidationError(
        f"{what}: the model has none of the items {', '.join(codes)} to file evidence on"
    )


def reassign(
    session: Session,
    actor: Actor,
    entity: Entity,
    row: RegisterRequest | Incident,
    label: str,
    owner_id: int | None,
    expected_version: int | None,
) -> Changes:
    """Give a request or an incident to an active person (None: nobody), audited; refused when
    someone changed the record since expected_version was read."""
    assert row.id is not None
    check_version(session, entity, row.id, label, row.row_version, expected_version)
    new = person(session, owner_id, "owner")
    old = row.owner_id
    if new != old:
        row.owner_id = new
        session.add(row)
        session.flush()
        audit.record(
            session, actor, [Change("update", entity, row.id, label, "owner_id", old, new)]
        )
    return audit.change_set(session)


def check_evidence(session: Session, evidence_id: int | None) -> int | None:
    """An evidence id that exists, or None."""
    if evidence_id is not None and session.get(Evidence, evidence_id) is None:
        raise NotFoundError(f"evidence id {evidence_id} is not in the register")
    return evidence_id
