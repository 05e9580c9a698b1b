"""Status workflow rules and the red/amber/green view of a register item.

Outcomes go through review: asking for `done` or `not_applicable` puts the item in review
(`in_review`, with the outcome asked for); a second person then approves it. The approver
is never the person who submitted it, nor anyone who owned the item since it was last
reopened; when a reviewer is named, only that reviewer approves, unless an admin overrides,
which is recorded and flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from gpaitracker.enums import Status
from gpaitracker.errors import PermissionDenied, ValidationError

OPEN = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.IN_REVIEW})
CLOSED = frozenset({Status.DONE, Status.NOT_APPLICABLE})
WORKING = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED})
OUTCOMES = frozenset({Status.DONE, Status.NOT_APPLICABLE})
AMBER_DAYS = 30

# What a user may ask for from each status (asking for an outcome while working submits it).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NOT_STARTED: frozenset(
        {Status.IN_PROGRESS, Status.BLOCKED, Status.IN_REVIEW, Status.NOT_APPLICABLE}
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.NOT_STARTED, Status.IN_REVIEW, Status.BLOCKED, Status.NOT_APPLICABLE}
    ),
    Status.IN_REVIEW: frozenset(
        {Status.DONE, Status.NOT_APPLICABLE, Status.IN_PROGRESS, Status.BLOCKED}
    ),
    Status.BLOCKED: frozenset(
        {Status.NOT_STARTED, Status.IN_PROGRESS, Status.IN_REVIEW, Status.NOT_APPLICABLE}
    ),
    Status.DONE: frozenset({Status.IN_PROGRESS}),
    Status.NOT_APPLICABLE: frozenset({Status.NOT_STARTED, Status.IN_PROGRESS}),
}


@dataclass(frozen=True)
class ItemState:
    """What the workflow rules look at for one item."""

    status: Status
    owner_id: int | None = None
    reviewer_id: int | None = None
    review_outcome: Status | None = None  # while in review: what approval leads to
    submitted_by: int | None = None
    cycle_owner_ids: Collection[int] = ()  # everyone who owned it since it was last reopened


@dataclass(frozen=True)
class Step:
    """The result of one request: the new status and what kind of step it was."""

    status: Status
    kind: str  # "move", "submit", "approve", "send_back", "reopen"
    outcome: Status | None = None  # for submit: the outcome under review
    override: bool = False  # an admin approved in place of the named reviewer


def plan(
    item: ItemState,
    target: Status,
    *,
    actor_id: int,
    actor_is_admin: bool = False,
    note: str = "",
    override: bool = False,
) -> Step:
    """Check a request to move item to target for this actor; raise a user error if refused."""
    current = item.status
    if current == target and not (current == Status.IN_REVIEW and target in OUTCOMES):
        raise ValidationError(f"status is already {target.value}")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current]))
        raise ValidationError(
            f"status cannot move from {current.value} to {target.value} (allowed: {allowed})"
        )
    if target == Status.BLOCKED and not note.strip():
        raise ValidationError("status blocked needs a reason (a note saying what it waits for)")
    if current == Status.IN_REVIEW and target in OUTCOMES:
        return _approve(item, target, actor_id, actor_is_admin, override)
    if target in (Status.IN_REVIEW, Status.NOT_APPLICABLE):
        return _submit(item, target, note)
    if current in CLOSED:
        return Step(target, "reopen")
    if current == Status.IN_REVIEW:
        return Step(target, "send_back")
    return Step(target, "move")


def _submit(item: ItemState, target: Status, note: str) -> Step:
    outcome = Status.NOT_APPLICABLE if target == Status.NOT_APPLICABLE else Status.DONE
    if outcome == Status.NOT_APPLICABLE and not note.strip():
        raise ValidationError("status not_applicable needs a written justification (--note)")
    if item.owner_id is None:
        raise ValidationError("an item needs an owner before it goes to review")
    return Step(Status.IN_REVIEW, "submit", outcome)


def _approve(
    item: ItemState, target: Status, actor_id: int, actor_is_admin: bool, override: bool
) -> Step:
    outcome = item.review_outcome or Status.DONE
    if target != outcome:
        raise ValidationError(
            f"the item is in review for {outcome.value}, not {target.value}; send it back "
            "to in_progress to change that"
        )
    rule = "(four-eyes rule)"
    if actor_id == item.submitted_by:
        raise PermissionDenied(
            f"status {target.value} must be approved by someone other than "
            f"the person who submitted it {rule}"
        )
    owners = set(item.cycle_owner_ids) | ({item.owner_id} if item.owner_id else set())
    if actor_id in owners:
        raise PermissionDenied(
            f"status {target.value} must be approved by someone other than "
            f"the owner or anyone who owned it since it was reopened {rule}"
        )
    flagged = False
    if item.reviewer_id is not None and actor_id != item.reviewer_id:
        if not (override and actor_is_admin):
            raise PermissionDenied(
                f"only the named reviewer may approve this item {rule}; an admin may override "
                "explicitly, which is recorded"
            )
        flagged = True
    return Step(target, "approve", outcome, override=flagged)


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
