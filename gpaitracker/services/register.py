"""Register items: owners, deadlines, priority, notes and the status workflow.

Every write takes the item's row id and typed values, checks the version the caller read
(optimistic locking), changes the row and records audit events in the same transaction, and
returns the change set.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy import or_
from sqlalchemy.orm import Session
from sqlmodel import select

from gpaitracker import audit, parse, rules, validation, workflow
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.db import changed_by_message, last_change
from gpaitracker.enums import Entity, Priority, Role, Status
from gpaitracker.errors import ConflictError, NotFoundError, ValidationError
from gpaitracker.models import (
    AIModel,
    CatalogueEntry,
    Comment,
    Evidence,
    EvidenceLink,
    Person,
    Requirement,
    utcnow,
)

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
    session: Session,
    entity: Entity,
    row_id: int,
    label: str,
    current: int,
    expected: int | None,
    values: tuple[str, object, object] | None = None,
) -> None:
    """Refuse a write based on a stale read, naming who changed the row and when.

    values is (field, value now saved, value the caller wanted): the message shows both.
    """
    if expected is None or expected == current:
        return
    found = last_change(session, entity.value, row_id)
    if found is not None:
        message = changed_by_message(label, found[1], found[2])
        if values is not None:
            field, theirs, yours = values
            message = message.replace(
                "since you read it;",
                f"since you read it: {field} is now {_shown(theirs)} (yours: {_shown(yours)});",
            )
        raise ConflictError(message)
    raise ConflictError(
        f"{label} was changed since you read it (version {current}, you had {expected}); "
        "reload and try again"
    )


def _shown(value: object) -> str:
    if value is None:
        return "(none)"
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return parse.show(text) if any(ord(c) < 32 for c in text) else text


def _for_write(
    session: Session,
    requirement_id: int,
    expected_version: int | None,
    field: str = "",
    yours: object = None,
) -> tuple[Requirement, str]:
    """The item to change, if the caller's read is current; field/yours name the change."""
    item = get_item(session, requirement_id)
    label = key_of(session, item)
    assert item.id is not None
    values = None
    if field:
        theirs = getattr(item, field)
        if field in ("owner_id", "reviewer_id"):
            theirs, yours = _email(session, theirs), _email(session, yours)  # type: ignore[arg-type]
        values = (field.removesuffix("_id").replace("_", " "), theirs, yours)
    check_version(session, REQ, item.id, label, item.row_version, expected_version, values)
    return item, label


def _refuse_if_closed(item: Requirement, label: str, what: str) -> None:
    if item.status in workflow.CLOSED:
        raise ValidationError(
            f"{label} is {Status(item.status).value}; reopen it (status in_progress) to change "
            f"its {what}"
        )


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
    owner_id: int | _Keep | None = KEEP,
    reviewer_id: int | _Keep | None = KEEP,
    expected_version: int | None = None,
) -> Changes:
    """Set the owner and/or the reviewer; None clears the field, KEEP leaves it."""
    field, yours = ("owner_id", owner_id) if not isinstance(owner_id, _Keep) else ("", None)
    if not field and not isinstance(reviewer_id, _Keep):
        field, yours = "reviewer_id", reviewer_id
    item, label = _for_write(session, requirement_id, expected_version, field, yours)
    _refuse_if_closed(item, label, "owner or reviewer")
    changes: list[Change] = []
    new: dict[str, int | None] = {}
    # Read everything first: a query between two attribute changes would flush the row twice.
    for field, wanted in (("owner", owner_id), ("reviewer", reviewer_id)):
        if isinstance(wanted, _Keep) or wanted == getattr(item, f"{field}_id"):
            continue
        if wanted is not None:
            _assignee(session, wanted, field)
        new[field] = wanted
        changes.append(
            Change(
                "update",
                REQ,
                item.id,
                label,
                field,
                _email(session, getattr(item, f"{field}_id")),
                _email(session, wanted),
            )
        )
    owner = new.get("owner", item.owner_id)
    if owner is not None and owner == new.get("reviewer", item.reviewer_id):
        raise ValidationError("reviewer must be someone other than the owner (four-eyes rule)")
    for field, wanted in new.items():
        setattr(item, f"{field}_id", wanted)
    if "owner" in new and owner is not None and owner not in item.cycle_owner_ids:
        item.cycle_owner_ids = [*item.cycle_owner_ids, owner]
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
    item, label = _for_write(session, requirement_id, expected_version, "due_date", due)
    _refuse_if_closed(item, label, "due date")
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
    item, label = _for_write(session, requirement_id, expected_version, "priority", priority)
    value = Priority(priority)
    changes = []
    if value != item.priority:
        changes.append(Change("update", REQ, item.id, label, "priority", item.priority, value))
        item.priority = value
    return _save(session, actor, item, changes)


@write_service(Permission.EDIT)
def add_comment(
    *, session: Session, actor: Actor, requirement_id: int, text: str, kind: str = "comment"
) -> Changes:
    """Append to the item's comment thread; comments are never edited or removed."""
    item = get_item(session, requirement_id)
    _comment(session, actor, item, key_of(session, item), text, kind)
    return audit.change_set(session)


def _comment(
    session: Session, actor: Actor, item: Requirement, label: str, text: str, kind: str
) -> None:
    body = validation.text(text, "comment", max_chars=validation.MAX_NOTE_CHARS, required=True)
    assert item.id is not None
    session.add(Comment(requirement_id=item.id, author_id=actor.id, kind=kind, text=body))
    audit.record(session, actor, [Change("comment", REQ, item.id, label, "comment", None, body)])


def _state(item: Requirement) -> workflow.ItemState:
    return workflow.ItemState(
        status=Status(item.status),
        owner_id=item.owner_id,
        reviewer_id=item.reviewer_id,
        review_outcome=Status(item.review_outcome) if item.review_outcome else None,
        submitted_by=item.submitted_by,
        cycle_owner_ids=tuple(item.cycle_owner_ids or ()),
    )


@write_service(Permission.EDIT)
def change_status(
    *,
    session: Session,
    actor: Actor,
    requirement_id: int,
    status: Status,
    note: str = "",
    override: bool = False,
    expected_version: int | None = None,
) -> Changes:
    """Move an item through the workflow (see workflow.py); the note becomes a comment.

    Asking for done or not_applicable while working submits the item for review; asking
    for it while in review approves it. A done recurring item creates its next occurrence.
    """
    item, label = _for_write(session, requirement_id, expected_version, "status", status)
    note = validation.text(note, "note", max_chars=validation.MAX_NOTE_CHARS)
    step = workflow.plan(
        _state(item),
        Status(status),
        actor_id=actor.id,
        actor_is_admin=actor.role == Role.ADMIN,
        note=note,
        override=override,
    )
    with session.no_autoflush:  # one UPDATE of the row, however many lookups happen
        changes = [Change("status", REQ, item.id, label, "status", item.status, step.status)]
        warnings: list[str] = []
        now = utcnow()
        if step.kind == "submit":
            item.review_outcome, item.submitted_by, item.submitted_at = step.outcome, actor.id, now
            item.approved_by, item.approved_at, item.approval_override = None, None, False
            changes.append(
                Change("submit", REQ, item.id, label, "review_outcome", None, step.outcome)
            )
            if step.outcome == Status.NOT_APPLICABLE:
                changes.append(
                    Change(
                        "update",
                        REQ,
                        item.id,
                        label,
                        "na_justification",
                        item.na_justification,
                        note,
                    )
                )
                item.na_justification = note
        elif step.kind == "approve":
            item.approved_by, item.approved_at, item.approval_override = (
                actor.id,
                now,
                step.override,
            )
            changes.append(Change("approve", REQ, item.id, label, "approved_by", None, actor.email))
            if step.override:
                changes.append(
                    Change(
                        "override",
                        REQ,
                        item.id,
                        label,
                        "reviewer",
                        _email(session, item.reviewer_id),
                        actor.email,
                    )
                )
            if step.status == Status.DONE and not _has_valid_evidence(session, item):
                warnings.append(f"{label} was approved with no valid evidence attached")
                changes.append(
                    Change("approve", REQ, item.id, label, "evidence", None, "none valid")
                )
            item.review_outcome = None
        else:  # move, send back or reopen: any submission or approval is over
            item.review_outcome, item.submitted_by, item.submitted_at = None, None, None
            if step.kind == "reopen":
                item.approved_by, item.approved_at, item.approval_override = None, None, False
                item.cycle_owner_ids = [item.owner_id] if item.owner_id is not None else []
        item.status = step.status
        item.completed_at = now if step.status == Status.DONE else None
    session.add(item)
    session.flush()
    audit.record(session, actor, changes)
    if note and step.outcome != Status.NOT_APPLICABLE:
        _comment(session, actor, item, label, note, "status")
    if step.status == Status.DONE:
        _schedule_next(session, actor, item)
    result = audit.change_set(session)
    return Changes(result.rows, result.created, tuple(warnings))


def _has_valid_evidence(session: Session, item: Requirement, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    ev = Evidence.__table__.c  # type: ignore[attr-defined]
    link = EvidenceLink.__table__.c  # type: ignore[attr-defined]
    found = session.execute(
        select(ev.id)
        .select_from(Evidence)
        .join(EvidenceLink, link.evidence_id == ev.id)
        .where(link.requirement_id == item.id)
        .where(or_(ev.valid_until.is_(None), ev.valid_until >= today))
        .where(or_(ev.valid_from.is_(None), ev.valid_from <= today))
        .limit(1)
    ).first()
    return found is not None


def _schedule_next(session: Session, actor: Actor, item: Requirement) -> None:
    entry = session.get(CatalogueEntry, item.entry_id)
    if entry is None or not entry.recurrence_months:
        return
    later = session.execute(
        select(Requirement.id).where(
            Requirement.model_id == item.model_id,
            Requirement.code == item.code,
            Requirement.occurrence > item.occurrence,
        )
    ).first()
    if later is not None:
        return
    due = rules.next_due(item.due_date or dt.date.today(), entry.recurrence_months)
    if due is None:
        return  # the next occurrence would fall after 2100, beyond what the register holds
    nxt = Requirement(
        model_id=item.model_id,
        entry_id=item.entry_id,
        code=item.code,
        occurrence=item.occurrence + 1,
        owner_id=item.owner_id,
        reviewer_id=item.reviewer_id,
        priority=item.priority,
        due_date=due,
        cycle_owner_ids=[item.owner_id] if item.owner_id is not None else [],
    )
    session.add(nxt)
    session.flush()
    label = key_of(session, nxt)
    audit.record(
        session,
        actor,
        [
            Change("create", REQ, nxt.id, label, "due_date", None, nxt.due_date),
            Change("create", REQ, nxt.id, label, "owner", None, _email(session, nxt.owner_id)),
            Change(
                "create", REQ, nxt.id, label, "reviewer", None, _email(session, nxt.reviewer_id)
            ),
            Change("create", REQ, nxt.id, label, "priority", None, nxt.priority),
        ],
    )
