"""Register items: owners, deadlines, priority, notes and the status workflow.

Every write takes the item's row id and typed values, checks the version the caller read
(optimistic locking), changes the row and records audit events in the same transaction, and
returns the change set.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpaitracker import audit, parse, rules, validation, workflow
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.db import changed_by_message, last_change
from gpaitracker.enums import Entity, Priority, Role, Status
from gpaitracker.errors import ConflictError, NotFoundError, ValidationError
from gpaitracker.models import AIModel, CatalogueEntry, Person, Requirement, utcnow

OWNER_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.REVIEWER})
REQ = Entity.REQUIREMENT


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()  # "leave this field as it is"


def requirement_key(slug: str, code: str, occurrence: int = 1) -> str:
    return f"{slug}/{code}" if occurrence == 1 else f"{slug}/{code}#{occurrence}"


def key_of(session: Session, item: Requirement) -> str:
    model = session.get(AIModel, item.model_id)
    assert model is not None
    return requirement_key(model.slug, item.code, item.occurrence)


def get_item(session: Session, requirement_id: int) -> Requirement:
    item = session.get(Requirement, requirement_id)
    if item is None:
        raise NotFoundError(f"register item id {requirement_id} is not in the register")
    return item


def check_version(
    session: Session, entity: Entity, row_id: int, label: str, current: int, expected: int | None
) -> None:
    """Refuse a write based on a stale read, naming who changed the row and when."""
    if expected is None or expected == current:
        return
    found = last_change(session, entity.value, row_id)
    if found is not None:
        raise ConflictError(changed_by_message(label, found[1], found[2]))
    raise ConflictError(
        f"{label} was changed since you read it (version {current}, you had {expected}); "
        "reload and try again"
    )


def _for_write(
    session: Session, requirement_id: int, expected_version: int | None
) -> tuple[Requirement, str]:
    item = get_item(session, requirement_id)
    label = key_of(session, item)
    assert item.id is not None
    check_version(session, REQ, item.id, label, item.row_version, expected_version)
    return item, label


def _save(session: Session, actor: Actor, item: Requirement, changes: list[Change]) -> Changes:
    if changes:
        session.add(item)
        session.flush()  # the version counter refuses a row changed since it was read
        audit.record(session, actor, changes)
    return audit.change_set(session)


def _assignee(session: Session, person_id: int, field: str) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"{field} id {person_id} is not in the register")
    if not person.active:
        raise ValidationError(f"{field} {person.email} is inactive")
    if person.role not in OWNER_ROLES:
        raise ValidationError(
            f"{field} {person.email} has role {person.role.value} and cannot take items"
        )
    return person


def _email(session: Session, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    return person.email if person is not None else f"person {person_id}"


@write_service(Permission.EDIT)
def assign(
    *,
    session: Session,
    actor: Actor,
    requirement_id: int,
    owner_id: int | None | _Keep = KEEP,
    reviewer_id: int | None | _Keep = KEEP,
    expected_version: int | None = None,
) -> Changes:
    """Set the owner and/or the reviewer; None clears the field, KEEP leaves it."""
    item, label = _for_write(session, requirement_id, expected_version)
    changes: list[Change] = []
    for field, wanted in (("owner", owner_id), ("reviewer", reviewer_id)):
        if isinstance(wanted, _Keep):
            continue
        attr = f"{field}_id"
        old_id = getattr(item, attr)
        if wanted is not None:
            _assignee(session, wanted, field)
        if wanted != old_id:
            changes.append(Change("update", REQ, item.id, label, field,
                                  _email(session, old_id), _email(session, wanted)))  # fmt: skip
            setattr(item, attr, wanted)
    if item.owner_id is not None and item.owner_id == item.reviewer_id:
        raise ValidationError("reviewer must be someone other than the owner (four-eyes rule)")
    return _save(session, actor, item, changes)


@write_service(Permission.EDIT)
def set_due(
    *,
    session: Session,
    actor: Actor,
    requirement_id: int,
    due: dt.date | None,
    expected_version: int | None = None,
) -> Changes:
    item, label = _for_write(session, requirement_id, expected_version)
    value = parse.date_in_range(due, "due date") if due is not None else None
    changes = []
    if value != item.due_date:
        changes.append(Change("update", REQ, item.id, label, "due_date", item.due_date, value))
        item.due_date = value
    return _save(session, actor, item, changes)


@write_service(Permission.EDIT)
def set_priority(
    *,
    session: Session,
    actor: Actor,
    requirement_id: int,
    priority: Priority,
    expected_version: int | None = None,
) -> Changes:
    item, label = _for_write(session, requirement_id, expected_version)
    value = Priority(priority)
    changes = []
    if value != item.priority:
        changes.append(Change("update", REQ, item.id, label, "priority", item.priority, value))
        item.priority = value
    return _save(session, actor, item, changes)


@write_service(Permission.EDIT)
def set_notes(
    *,
    session: Session,
    actor: Actor,
    requirement_id: int,
    notes: str,
    expected_version: int | None = None,
) -> Changes:
    item, label = _for_write(session, requirement_id, expected_version)
    value = validation.text(notes, "notes", max_chars=validation.MAX_NOTE_CHARS)
    changes = []
    if value != item.notes:
        changes.append(Change("update", REQ, item.id, label, "notes", item.notes, value))
        item.notes = value
    return _save(session, actor, item, changes)


@write_service(Permission.EDIT)
def change_status(
    *,
    session: Session,
    actor: Actor,
    requirement_id: int,
    status: Status,
    note: str = "",
    expected_version: int | None = None,
) -> Changes:
    """Move an item through the workflow; a done recurring item creates its next occurrence."""
    item, label = _for_write(session, requirement_id, expected_version)
    target = Status(status)
    note = validation.text(note, "note", max_chars=validation.MAX_NOTE_CHARS)
    workflow.check_transition(
        Status(item.status), target, actor_id=actor.id, owner_id=item.owner_id,
        justification=note,
    )  # fmt: skip
    changes = [Change("status", REQ, item.id, label, "status", item.status, target)]
    if target == Status.NOT_APPLICABLE:
        changes.append(Change("update", REQ, item.id, label, "na_justification",
                              item.na_justification, note))  # fmt: skip
        item.na_justification = note
    elif note:
        stamped = f"{dt.date.today().isoformat()} {actor.email}: {note}"
        value = f"{item.notes}\n{stamped}".strip()
        validation.text(value, "notes", max_chars=validation.MAX_NOTE_CHARS)
        changes.append(Change("update", REQ, item.id, label, "notes", item.notes, value))
        item.notes = value
    item.status = target
    item.completed_at = utcnow() if target == Status.DONE else None
    result = _save(session, actor, item, changes)
    if target == Status.DONE:
        _schedule_next(session, actor, item)
        result = audit.change_set(session)
    return result


def _schedule_next(session: Session, actor: Actor, item: Requirement) -> None:
    entry = session.get(CatalogueEntry, item.entry_id)
    if entry is None or not entry.recurrence_months:
        return
    later = session.execute(
        select(Requirement.id).where(
            Requirement.model_id == item.model_id,
            Requirement.code == item.code,
            Requirement.occurrence > item.occurrence,  # type: ignore[operator]
        )
    ).first()
    if later is not None:
        return
    base = item.due_date or dt.date.today()
    nxt = Requirement(
        model_id=item.model_id,
        entry_id=item.entry_id,
        code=item.code,
        occurrence=item.occurrence + 1,
        owner_id=item.owner_id,
        reviewer_id=item.reviewer_id,
        priority=item.priority,
        due_date=rules.add_months(base, entry.recurrence_months),
    )
    session.add(nxt)
    session.flush()
    audit.record(session, actor, [
        Change("create", REQ, nxt.id, key_of(session, nxt), "due_date", None, nxt.due_date),
    ])  # fmt: skip
