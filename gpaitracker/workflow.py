"""Status workflow rules and the red/amber/green view of a register item."""

from __future__ import annotations

import datetime as dt

from gpaitracker.errors import PermissionDenied, ValidationError
from gpaitracker.models import Status

OPEN = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.IN_REVIEW})
CLOSED = frozenset({Status.DONE, Status.NOT_APPLICABLE})
AMBER_DAYS = 30

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NOT_STARTED: frozenset({Status.IN_PROGRESS, Status.BLOCKED, Status.NOT_APPLICABLE}),
    Status.IN_PROGRESS: frozenset(
        {Status.NOT_STARTED, Status.IN_REVIEW, Status.BLOCKED, Status.NOT_APPLICABLE}
    ),
    Status.IN_REVIEW: frozenset(
        {Status.DONE, Status.IN_PROGRESS, Status.BLOCKED, Status.NOT_APPLICABLE}
    ),
    Status.BLOCKED: OPEN | {Status.NOT_APPLICABLE},
    Status.DONE: frozenset({Status.IN_PROGRESS}),
    Status.NOT_APPLICABLE: frozenset({Status.NOT_STARTED}),
}


def parse_status(value: str) -> Status:
    try:
        return Status(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise ValidationError(f"status {value!r} is not one of: {allowed}") from None


def check_transition(
    current: Status,
    target: Status,
    *,
    actor_id: int,
    owner_id: int | None,
    justification: str = "",
) -> None:
    """Raise a user error when moving current -> target is not allowed for this actor."""
    if current == target:
        raise ValidationError(f"status is already {target.value}")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current]))
        raise ValidationError(
            f"status cannot move from {current.value} to {target.value} (allowed: {allowed})"
        )
    if target == Status.DONE and owner_id is not None and actor_id == owner_id:
        raise PermissionDenied(
            "status done must be approved by someone other than the owner (four-eyes rule)"
        )
    if target == Status.NOT_APPLICABLE and not justification.strip():
        raise ValidationError("status not_applicable needs a written justification (--note)")


def rag(status: str, due: dt.date | None, today: dt.date | None = None) -> str:
    """red = overdue or blocked; amber = due within 30 days and not in review/done."""
    today = today or dt.date.today()
    if status == Status.BLOCKED:
        return "red"
    if status in CLOSED:
        return "green"
    if due is None:
        return "green"
    if due < today:
        return "red"
    if status != Status.IN_REVIEW and (due - today).days <= AMBER_DAYS:
        return "amber"
    return "green"


def is_overdue(status: str, due: dt.date | None, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    return due is not None and due < today and status not in CLOSED
