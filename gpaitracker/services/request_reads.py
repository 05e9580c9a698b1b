"""Reading the requests register: each request with its deadline and whether it is late."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from gpaitracker.enums import RequestKind, RequestStatus
from gpaitracker.errors import NotFoundError
from gpaitracker.models import AIModel, Person, RegisterRequest

KIND_TEXT = {
    RequestKind.NOTIFICATION: "Art. 52(1) notification",
    RequestKind.AIO: "AI Office request",
    RequestKind.DOWNSTREAM: "downstream provider request",
    RequestKind.COMPLAINT: "copyright complaint",
}


class RequestRow(NamedTuple):
    id: int
    label: str  # "request #3"
    kind: RequestKind
    model: str | None  # slug
    subject: str
    requester: str
    received: dt.date
    deadline: dt.date | None
    owner: str | None  # email
    owner_id: int | None
    status: RequestStatus
    answered_on: dt.date | None
    evidence_id: int | None
    overdue: bool
    days: int  # days late if overdue, else days left (0 without a deadline)
    row_version: int

    def as_dict(self) -> dict[str, object]:
        data = self._asdict()
        for name in ("received", "deadline", "answered_on"):
            value = data[name]
            data[name] = value.isoformat() if value else None
        data["kind"], data["status"] = self.kind.value, self.status.value
        return data


def label(request_id: int | None) -> str:
    return f"request #{request_id}"


def _row(req: RegisterRequest, slug: str | None, owner: str | None, today: dt.date) -> RequestRow:
    assert req.id is not None
    open_ = req.status == RequestStatus.OPEN
    overdue = open_ and req.deadline is not None and req.deadline < today
    days = 0
    if req.deadline is not None and open_:
        days = (today - req.deadline).days if overdue else (req.deadline - today).days
    return RequestRow(
        req.id,
        label(req.id),
        req.kind,
        slug,
        req.subject,
        req.requester,
        req.received,
        req.deadline,
        owner,
        req.owner_id,
        req.status,
        req.answered_on,
        req.evidence_id,
        overdue,
        days,
        req.row_version,
    )


def list_requests(
    *, session: Session, overdue: bool = False, today: dt.date | None = None
) -> list[RequestRow]:
    """Every request, open ones by deadline first; only overdue ones if asked."""
    today = today or dt.date.today()
    owner = aliased(Person)
    query = (
        select(RegisterRequest, col(AIModel.slug), col(owner.email))
        .outerjoin(AIModel, col(AIModel.id) == RegisterRequest.model_id)
        .outerjoin(owner, col(owner.id) == RegisterRequest.owner_id)
        .order_by(
            col(RegisterRequest.status) != RequestStatus.OPEN,
            col(RegisterRequest.deadline).is_(None),
            col(RegisterRequest.deadline),
            col(RegisterRequest.id),
        )
    )
    rows = [_row(r[0], r[1], r[2], today) for r in session.execute(query)]
    return [r for r in rows if r.overdue] if overdue else rows


def get(*, session: Session, request_id: int, today: dt.date | None = None) -> RequestRow:
    for row in list_requests(session=session, today=today):
        if row.id == request_id:
            return row
    raise NotFoundError(f"{label(request_id)} is not in the register")
