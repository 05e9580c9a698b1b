"""Which status steps to offer for an item, and how to say them: workflow.plan, asked ahead.

No widgets here: given an item's detail and the acting person, offers() says for each legal
target whether it is offered, what its button says and why it may be disabled. The service
still decides; these are only what the panel shows before the user asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from gpaitracker import workflow
from gpaitracker.enums import Status
from gpaitracker.errors import UserError
from gpaitracker.services.item_detail import ItemDetail

NEEDS_NOTE = frozenset({Status.BLOCKED, Status.NOT_APPLICABLE})
_PLACEHOLDER_NOTE = "-"  # lets plan() judge a step before the note is written

STATUS_NAMES: dict[Status, str] = {
    Status.NOT_STARTED: str(QT_TRANSLATE_NOOP("status", "Not started")),
    Status.IN_PROGRESS: str(QT_TRANSLATE_NOOP("status", "In progress")),
    Status.IN_REVIEW: str(QT_TRANSLATE_NOOP("status", "In review")),
    Status.DONE: str(QT_TRANSLATE_NOOP("status", "Done")),
    Status.BLOCKED: str(QT_TRANSLATE_NOOP("status", "Blocked")),
    Status.NOT_APPLICABLE: str(QT_TRANSLATE_NOOP("status", "Not applicable")),
}


def status_text(status: Status | str) -> str:
    """A status as the user reads it, translated."""
    return QCoreApplication.translate("status", STATUS_NAMES[Status(status)])


def _tr(text: str) -> str:
    return QCoreApplication.translate("StatusBox", text)


def button_text(current: Status, target: Status) -> str:
    """What asking for target from current does, as a button says it."""
    if current == Status.IN_REVIEW:
        return {
            Status.DONE: _tr("Approve as done"),
            Status.NOT_APPLICABLE: _tr("Approve as not applicable"),
            Status.IN_PROGRESS: _tr("Send back"),
            Status.BLOCKED: _tr("Blocked"),
        }[target]
    if current in workflow.CLOSED:
        return _tr("Reopen (in progress)") if target == Status.IN_PROGRESS else _tr("Reopen")
    return {
        Status.NOT_STARTED: _tr("Not started"),
        Status.IN_PROGRESS: _tr("Start work") if current == Status.NOT_STARTED else _tr("Resume"),
        Status.IN_REVIEW: _tr("Submit for review"),
        Status.BLOCKED: _tr("Blocked"),
        Status.NOT_APPLICABLE: _tr("Not applicable"),
    }[target]


@dataclass(frozen=True)
class Offer:
    text: str
    enabled: bool
    tooltip: str


@dataclass(frozen=True)
class Actor:
    """Who is asking, as the workflow judges them."""

    id: int
    is_admin: bool
    person_ids: dict[str, int]  # email -> id, to match the submitter shown by email


def outcome_of(detail: ItemDetail) -> Status:
    """What approving the item leads to (done unless it was submitted as not applicable)."""
    return Status(detail.review_outcome) if detail.review_outcome else Status.DONE


def has_valid_evidence(detail: ItemDetail) -> bool:
    """Whether any linked evidence is valid today (expiring soon still counts)."""
    return any(e.state() in ("valid", "expiring") for e in detail.evidence)


def _state(detail: ItemDetail, actor: Actor) -> workflow.ItemState:
    row = detail.row
    outcome = Status(detail.review_outcome) if detail.review_outcome else None
    return workflow.ItemState(
        status=row.status,
        owner_id=row.owner_id,
        reviewer_id=row.reviewer_id,
        review_outcome=outcome,
        submitted_by=actor.person_ids.get(detail.submitted_by or ""),
        # The detail does not carry earlier owners of this cycle; the service checks them.
        cycle_owner_ids=(row.owner_id,) if row.owner_id is not None else (),
    )


def refusal(detail: ItemDetail, actor: Actor, target: Status, override: bool = False) -> str:
    """Why the actor may not ask for target now ("" if they may)."""
    try:
        workflow.plan(
            _state(detail, actor),
            target,
            actor_id=actor.id,
            actor_is_admin=actor.is_admin,
            note=_PLACEHOLDER_NOTE,
            override=override,
        )
    except UserError as exc:
        return str(exc)
    return ""


def offers(detail: ItemDetail, actor: Actor) -> dict[Status, Offer]:
    """The steps to show for the item: only legal targets, each enabled or saying why not."""
    current = detail.row.status
    out = {}
    for target in workflow.TRANSITIONS[current]:
        other_outcome = target in workflow.OUTCOMES and target != outcome_of(detail)
        if current == Status.IN_REVIEW and other_outcome:
            continue  # approving as the other outcome needs a send-back first
        why = refusal(detail, actor, target)
        if why:
            tip = why
        elif current == Status.IN_REVIEW and target == Status.DONE:
            tip = (
                _tr("Approve: the item is done")
                if has_valid_evidence(detail)
                else _tr("No valid evidence is attached; the approval will record that")
            )
        elif target in NEEDS_NOTE and current != Status.IN_REVIEW:
            tip = _tr("Write the reason in the note field first")
        else:
            tip = _tr("Move the item to {status}").format(status=status_text(target).lower())
        out[target] = Offer(button_text(current, target), not why, tip)
    return out


def override_offer(detail: ItemDetail, actor: Actor) -> Offer | None:
    """An admin's "approve in place of the named reviewer", when it applies."""
    row = detail.row
    if not (
        actor.is_admin
        and row.status == Status.IN_REVIEW
        and row.reviewer_id is not None
        and row.reviewer_id != actor.id
    ):
        return None
    why = refusal(detail, actor, outcome_of(detail), override=True)
    tip = why or _tr("Approve although another reviewer is named; recorded and flagged")
    return Offer(_tr("Approve in place of reviewer…"), not why, tip)


def reverse(detail: ItemDetail) -> tuple[Status, str]:
    """The request that would bring the item back to where it is now, and its note."""
    status = detail.row.status
    if status == Status.IN_REVIEW and detail.review_outcome == Status.NOT_APPLICABLE:
        return Status.NOT_APPLICABLE, detail.na_justification
    if status == Status.BLOCKED:
        return status, _tr("Back to blocked (undo of a status change)")
    return status, ""
