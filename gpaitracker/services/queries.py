"""Read side of the register: plain rows for tables, lists and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from gpaitracker import workflow
from gpaitracker.models import AIModel, CatalogueEntry, Person, Requirement, Status
from gpaitracker.services.catalogues import requirement_key


@dataclass(frozen=True)
class RequirementRow:
    id: int
    key: str
    code: str
    title: str
    reference: str
    model: str
    model_slug: str
    status: str
    owner: str | None
    reviewer: str | None
    due: dt.date | None
    priority: str
    rag: str
    applicable: bool
    withdrawn: bool
    version: int

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["due"] = self.due.isoformat() if self.due else None
        return data


@dataclass(frozen=True)
class Filters:
    model: str | None = None
    status: str | None = None
    owner: str | None = None
    overdue: bool = False
    due_before: dt.date | None = None
    text: str | None = None
    include_inactive: bool = False
    requirement_id: int | None = None


def list_rows(
    *, session: Session, filters: Filters | None = None, today: dt.date | None = None
) -> list[RequirementRow]:
    f = filters or Filters()
    today = today or dt.date.today()
    owner, reviewer = aliased(Person), aliased(Person)
    query = (
        select(
            col(Requirement.id),
            col(Requirement.code),
            col(Requirement.occurrence),
            col(Requirement.status),
            col(Requirement.due_date),
            col(Requirement.priority),
            col(Requirement.applicable),
            col(Requirement.withdrawn),
            col(Requirement.version),
            col(CatalogueEntry.title),
            col(CatalogueEntry.reference),
            col(AIModel.name),
            col(AIModel.slug),
            col(owner.email),
            col(reviewer.email),
        )
        .join(AIModel, col(AIModel.id) == Requirement.model_id)
        .join(CatalogueEntry, col(CatalogueEntry.id) == Requirement.entry_id)
        .outerjoin(owner, col(owner.id) == Requirement.owner_id)
        .outerjoin(reviewer, col(reviewer.id) == Requirement.reviewer_id)
    )
    if not f.include_inactive:
        query = query.where(
            col(Requirement.applicable) == True,  # noqa: E712
            col(Requirement.withdrawn) == False,  # noqa: E712
        )
    if f.requirement_id is not None:
        query = query.where(col(Requirement.id) == f.requirement_id)
    if f.model:
        ref = f.model.strip()
        query = query.where(or_(col(AIModel.slug) == ref.lower(), col(AIModel.name) == ref))
    if f.status:
        query = query.where(col(Requirement.status) == workflow.parse_status(f.status).value)
    if f.owner:
        query = query.where(col(owner.email) == f.owner.strip().lower())
    if f.overdue:
        query = query.where(
            and_(
                col(Requirement.due_date) < today,
                col(Requirement.status).not_in([s.value for s in workflow.CLOSED]),
            )
        )
    if f.due_before:
        query = query.where(col(Requirement.due_date) < f.due_before)
    if f.text:
        needle = f"%{f.text.strip()}%"
        query = query.where(
            or_(col(CatalogueEntry.title).ilike(needle), col(Requirement.code).ilike(needle))
        )
    query = query.order_by(
        col(Requirement.due_date).is_(None),
        col(Requirement.due_date),
        col(AIModel.slug),
        col(Requirement.code),
    )
    rows = []
    for r in session.execute(query):
        rows.append(
            RequirementRow(
                id=r[0],
                key=requirement_key(r[12], r[1], r[2]),
                code=r[1],
                title=r[9],
                reference=r[10],
                model=r[11],
                model_slug=r[12],
                status=r[3],
                owner=r[13],
                reviewer=r[14],
                due=r[4],
                priority=r[5],
                rag=workflow.rag(r[3], r[4], today),
                applicable=r[6],
                withdrawn=r[7],
                version=r[8],
            )
        )
    return rows


def status_counts(rows: list[RequirementRow]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for row in rows:
        counts[row.status] += 1
    return counts
