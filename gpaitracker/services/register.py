"""Register items: owners, deadlines, priority, notes and the status workflow."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import Session, col, select

from gpaitracker import audit, rules, validation, workflow
from gpaitracker.audit import Change
from gpaitracker.errors import ConflictError, NotFoundError, ValidationError
from gpaitracker.models import (
    AIModel,
    CatalogueEntry,
    Person,
    Priority,
    Requirement,
    Role,
    Status,
    utcnow,
)
from gpaitracker.services import catalogues, people

_KEY = re.compile(r"^(?P<slug>[a-z0-9-]+)/(?P<code>[A-Za-z0-9._-]+?)(?:#(?P<occ>\d+))?$")
OWNER_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.REVIEWER})


def get_by_key(*, session: Session, key: str) -> tuple[Requirement, AIModel]:
    """Resolve '<model-slug>/<code>' (latest occurrence) or '<slug>/<code>#<n>'."""
    match = _KEY.match(key.strip())
    if not match:
        raise ValidationError(f"key {key!r} is not like 'model-slug/CODE'")
    model = session.exec(select(AIModel).where(AIModel.slug == match["slug"])).first()
    if model is None:
        raise NotFoundError(f"key {key!r}: model {match['slug']!r} is not in the register")
    query = select(Requirement).where(
        Requirement.model_id == model.id, Requirement.code == match["code"]
    )
    if match["occ"]:
        query = query.where(Requirement.occurrence == int(match["occ"]))
    item = session.exec(query.order_by(col(Requirement.occurrence).desc())).first()
    if item is None:
        raise NotFoundError(f"key {key!r} is not in the register")
    return item, model


def key_of(item: Requirement, model: AIModel) -> str:
    return catalogues.requirement_key(model.slug, item.code, item.occurrence)


def _for_write(
    session: Session, actor: Person, key: str, expected_version: int | None
) -> tuple[Requirement, str]:
    validation.require_writer(actor)
    item, model = get_by_key(session=session, key=key)
    if expected_version is not None and item.version != expected_version:
        raise ConflictError(
            f"item {key_of(item, model)} was changed by someone else (version {item.version}, "
            f"you had {expected_version}); reload and try again"
        )
    return item, key_of(item, model)


def _save(session: Session, actor: Person, item: Requirement, changes: list[Change]) -> None:
    if not changes:
        return
    item.version += 1
    item.updated_at = utcnow()
    session.add(item)
    session.flush()
    audit.record(session, actor.email, changes)


def _person_for(session: Session, email: str, field: str) -> Person:
    person = people.get_by_email(session=session, email=validation.email(email, field))
    if not person.active:
        raise ValidationError(f"{field} {person.email} is inactive")
    if person.role not in OWNER_ROLES:
        raise ValidationError(
            f"{field} {person.email} has role {person.role} and cannot take items"
        )
    return person


def assign(
    *,
    session: Session,
    actor: Person,
    key: str,
    owner: str | None = None,
    reviewer: str | None = None,
    expected_version: int | None = None,
) -> Requirement:
    """Set the owner and/or reviewer by email; an empty string clears the field."""
    item, ref = _for_write(session, actor, key, expected_version)
    changes: list[Change] = []
    for field, email in (("owner", owner), ("reviewer", reviewer)):
        if email is None:
            continue
        attr = f"{field}_id"
        old_id = getattr(item, attr)
        old_email = people.get(session=session, person_id=old_id).email if old_id else None
        new = _person_for(session, email, field) if email.strip() else None
        new_id = new.id if new else None
        if new_id != old_id:
            setattr(item, attr, new_id)
            changes.append(
                Change("update", "requirement", ref, field, old_email, new.email if new else None)
            )
    if item.owner_id is not None and item.owner_id == item.reviewer_id:
        raise ValidationError("reviewer must be someone other than the owner (four-eyes rule)")
    _save(session, actor, item, changes)
    return item


def set_due(
    *,
    session: Session,
    actor: Person,
    key: str,
    due: dt.date | str | None,
    expected_version: int | None = None,
) -> Requirement:
    item, ref = _for_write(session, actor, key, expected_version)
    value = rules.parse_date(due, "due date") if due not in (None, "") else None
    if value is not None and not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise ValidationError(f"due date {value.isoformat()} is outside 2000-2100")
    changes = []
    if value != item.due_date:
        changes.append(Change("update", "requirement", ref, "due_date", item.due_date, value))
        item.due_date = value
    _save(session, actor, item, changes)
    return item


def set_priority(
    *,
    session: Session,
    actor: Person,
    key: str,
    priority: str,
    expected_version: int | None = None,
) -> Requirement:
    item, ref = _for_write(session, actor, key, expected_version)
    try:
        value = Priority(priority.strip().lower())
    except ValueError:
        allowed = ", ".join(p.value for p in Priority)
        raise ValidationError(f"priority {priority!r} is not one of: {allowed}") from None
    changes = []
    if value != item.priority:
        changes.append(Change("update", "requirement", ref, "priority", item.priority, value.value))
        item.priority = value.value
    _save(session, actor, item, changes)
    return item


def set_notes(
    *,
    session: Session,
    actor: Person,
    key: str,
    notes: str,
    expected_version: int | None = None,
) -> Requirement:
    item, ref = _for_write(session, actor, key, expected_version)
    value = validation.text(notes, "notes", max_chars=validation.MAX_NOTE_CHARS)
    changes = []
    if value != item.notes:
        changes.append(Change("update", "requirement", ref, "notes", item.notes, value))
        item.notes = value
    _save(session, actor, item, changes)
    return item


def change_status(
    *,
    session: Session,
    actor: Person,
    key: str,
    status: str,
    note: str = "",
    expected_version: int | None = None,
) -> Requirement:
    """Move an item through the workflow; a done recurring item creates its next occurrence."""
    item, ref = _for_write(session, actor, key, expected_version)
    target = workflow.parse_status(status)
    note = validation.text(note, "note", max_chars=validation.MAX_NOTE_CHARS)
    workflow.check_transition(
        Status(item.status),
        target,
        actor_id=actor.id or 0,
        owner_id=item.owner_id,
        justification=note,
    )
    changes = [Change("status", "requirement", ref, "status", item.status, target.value)]
    if target == Status.NOT_APPLICABLE:
        changes.append(
            Change("update", "requirement", ref, "na_justification", item.na_justification, note)
        )
        item.na_justification = note
    elif note:
        stamped = f"{dt.date.today().isoformat()} {actor.email}: {note}"
        value = f"{item.notes}\n{stamped}".strip()
        validation.text(value, "notes", max_chars=validation.MAX_NOTE_CHARS)
        changes.append(Change("update", "requirement", ref, "notes", item.notes, value))
        item.notes = value
    item.status = target.value
    item.completed_at = utcnow() if target == Status.DONE else None
    _save(session, actor, item, changes)
    if target == Status.DONE:
        _schedule_next(session, actor, item)
    return item


def _schedule_next(session: Session, actor: Person, item: Requirement) -> Requirement | None:
    entry = session.get(CatalogueEntry, item.entry_id)
    if entry is None or not entry.recurrence_months:
        return None
    later = session.exec(
        select(Requirement.id).where(
            Requirement.model_id == item.model_id,
            Requirement.code == item.code,
            Requirement.occurrence > item.occurrence,
        )
    ).first()
    if later is not None:
        return None
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
    model = session.get(AIModel, item.model_id)
    assert model is not None
    audit.record(
        session,
        actor.email,
        [Change("recur", "requirement", key_of(nxt, model), "due_date", None, nxt.due_date)],
    )
    return nxt
