"""The requests register: the Art. 52(1) notification and requests received, with deadlines.

Each row is one notification to send or one request to answer: the AI Office's (Art. 91, by
the deadline it states), a downstream provider's (14 days, COP-T-1.2) or a copyright
complaint (COP-C-1.5, a target the officer sets). Answering records the day and, if given,
the evidence sent, which is filed on the register item the request belongs to.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gpaitracker import audit, deadlines, rules
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity, RequestKind, RequestStatus
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import AIModel, RegisterRequest
from gpaitracker.services import catalogues, organisation, scope
from gpaitracker.services.gpai_records import (
    check_day,
    check_evidence,
    evidence_item,
    person,
    reassign,
    text,
)
from gpaitracker.services.register import check_version
from gpaitracker.services.request_reads import KIND_TEXT as KIND_TEXT
from gpaitracker.services.request_reads import RequestRow as RequestRow
from gpaitracker.services.request_reads import get as get
from gpaitracker.services.request_reads import label
from gpaitracker.services.request_reads import list_requests as list_requests

REQ = Entity.REQUEST
# The register item whose evidence an answer is, by kind (first one the model has).
ITEM_CODES = {
    RequestKind.NOTIFICATION: ("AIA-52-1",),
    RequestKind.AIO: ("COP-T-1.2", "AIA-53-3"),
    RequestKind.DOWNSTREAM: ("COP-T-1.2", "AIA-53-1-b", "AIA-53-3"),
    RequestKind.COMPLAINT: ("COP-C-1.5", "AIA-53-1-c"),
}


def _load(session: Session, request_id: int) -> RegisterRequest:
    req = session.get(RegisterRequest, request_id)
    if req is None:
        raise NotFoundError(f"{label(request_id)} is not in the register")
    return req


def _check_kind_and_model(
    session: Session, kind: RequestKind, model_id: int | None
) -> AIModel | None:
    if not isinstance(kind, RequestKind):
        known = ", ".join(k.value for k in RequestKind)
        raise ValidationError(f"request kind {kind!r} is unknown (known: {known})")
    model = session.get(AIModel, model_id) if model_id is not None else None
    if model_id is not None and model is None:
        raise NotFoundError(f"model id {model_id} is not in the register")
    if model is None and kind in (RequestKind.NOTIFICATION, RequestKind.DOWNSTREAM):
        raise ValidationError(f"a {KIND_TEXT[kind]} is about a model: give the model")
    if kind == RequestKind.NOTIFICATION and model is not None:
        facts = catalogues.facts_for(organisation.load(session), model)
        if not facts.compute_presumption:
            raise ValidationError(
                f"model {model.slug} is not recorded as trained with more than 1e25 FLOP: "
                "nothing to notify under Art. 52(1)"
            )
    return model


def _deadline(kind: RequestKind, received: dt.date, stated: dt.date | None) -> dt.date | None:
    if stated is not None:
        stated = check_day(
            stated, "deadline", future_ok=True, not_before=(received, "the received date")
        )
        if kind in deadlines.REQUEST_DAYS:
            raise ValidationError(
                f"deadline {stated.isoformat()}: a {KIND_TEXT[kind]} is due "
                f"{deadlines.REQUEST_DAYS[kind]} days after it arises, by rule"
            )
    if kind == RequestKind.AIO and stated is None:
        raise ValidationError("deadline is missing: give the deadline the AI Office stated")
    return deadlines.request_deadline(kind, received, stated)


@write_service(Permission.EDIT)
def add_request(
    *,
    session: Session,
    actor: Actor,
    kind: RequestKind,
    subject: str,
    received: dt.date,
    model_id: int | None = None,
    requester: str = "",
    deadline: dt.date | None = None,
    owner_id: int | None = None,
    notes: str = "",
    today: dt.date | None = None,
) -> Changes:
    """Record a notification to send or a request received; its deadline follows the rule.

    received: for the notification, the day the threshold was met or foreseen.
    deadline: the AI Office's stated deadline (required), or a complaint's target.
    """
    model = _check_kind_and_model(session, kind, model_id)
    day = check_day(received, "received date", today=today)
    req = RegisterRequest(
        kind=kind,
        model_id=model.id if model else None,
        subject=text(subject, "subject", required=True),
        requester=text(requester, "requester", max_chars=200),
        received=day,
        stated_deadline=deadline,
        deadline=_deadline(kind, day, deadline),
        owner_id=person(session, owner_id, "owner"),
        notes=text(notes, "notes", max_chars=20_000),
    )
    session.add(req)
    session.flush()
    name = label(req.id)
    fields = ("kind", "model_id", "subject", "requester", "received", "deadline", "owner_id")
    audit.record(
        session,
        actor,
        [Change("create", REQ, req.id, name, f, None, getattr(req, f)) for f in fields],
    )
    return audit.change_set(session)


def _notified(session: Session, actor: Actor, model: AIModel, before: rules.Facts) -> None:
    """The Framework's clock (4 weeks after the notification) now runs from the day sent:
    open items still on their default due date move (COP-SS-1.1)."""
    after = catalogues.facts_for(organisation.load(session), model)
    plan = scope.plan(session=session, model=model, facts=after, old_facts=before)
    if plan.due_moves:
        only_dates = scope.ScopePlan(model=plan.model, due_moves=plan.due_moves)
        scope.apply(session=session, actor=actor, model=model, facts=after, scope=only_dates)


def answer_item(*, session: Session, request_id: int) -> int:
    """The register item an answer to this request is filed on as evidence."""
    req = _load(session, request_id)
    if req.model_id is None:
        raise ValidationError(
            f"{label(req.id)} is about no model: its answer cannot be filed on a register item"
        )
    return evidence_item(session, req.model_id, ITEM_CODES[req.kind], label(req.id))


def check_answer(
    *, session: Session, request_id: int, answered_on: dt.date, today: dt.date | None = None
) -> None:
    """Refuse a bad answer before any file is copied."""
    req = _load(session, request_id)
    if req.status == RequestStatus.ANSWERED:
        raise ValidationError(f"{label(req.id)} was already answered on {req.answered_on}")
    check_day(answered_on, "answered date", today=today, not_before=(req.received, "received"))


@write_service(Permission.EDIT)
def answer_request(
    *,
    session: Session,
    actor: Actor,
    request_id: int,
    answered_on: dt.date,
    evidence_id: int | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Changes:
    """Record that the notification was sent or the request answered (with what was sent)."""
    check_answer(session=session, request_id=request_id, answered_on=answered_on, today=today)
    req = _load(session, request_id)
    assert req.id is not None
    check_version(session, REQ, req.id, label(req.id), req.row_version, expected_version)
    model = session.get(AIModel, req.model_id) if req.model_id is not None else None
    before = catalogues.facts_for(organisation.load(session), model) if model else None
    old = (req.status, req.answered_on, req.evidence_id)
    req.status, req.answered_on, req.evidence_id = (
        RequestStatus.ANSWERED,
        answered_on,
        check_evidence(session, evidence_id),
    )
    session.add(req)
    session.flush()
    if req.kind == RequestKind.NOTIFICATION and model is not None and before is not None:
        _notified(session, actor, model, before)
    name = label(req.id)
    audit.record(
        session,
        actor,
        [
            Change("answer", REQ, req.id, name, "status", old[0], req.status),
            Change("answer", REQ, req.id, name, "answered_on", old[1], answered_on),
            Change("answer", REQ, req.id, name, "evidence_id", old[2], evidence_id),
        ],
    )
    return audit.change_set(session)


@write_service(Permission.EDIT)
def assign(
    *,
    session: Session,
    actor: Actor,
    request_id: int,
    owner_id: int | None,
    expected_version: int | None = None,
) -> Changes:
    """Give the request to someone to answer (None: nobody)."""
    req = _load(session, request_id)
    assert req.id is not None
    return reassign(session, actor, REQ, req, label(req.id), owner_id, expected_version)
