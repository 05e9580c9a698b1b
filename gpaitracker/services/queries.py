"""Read side of the register: plain rows for tables, lists and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

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


def list_rows(
    *, session: Session, filters: Filters | None = None, today: dt.date | None = None
) -> list[RequirementRow]:
    f = filters or Filters()
    today = today or dt.date.today()
    owner, reviewer = aliased(Person), aliased(Person)
    query = (
        select(
            Requirement.id,
            Requirement.code,
            Requirement.occurrence,
            Requirement.status,
            Requirement.due_date,
            Requirement.priority,
            Requirement.applicable,
            Requirement.withdrawn,
            Requirement.version,
            CatalogueEntry.title,
            CatalogueEntry.reference,
            AIModel.name,
            AIModel.slug,
            owner.email,
            reviewer.email,
        )
        .join(AIModel, AIModel.id == Requirement.model_id)
        .join(CatalogueEntry, CatalogueEntry.id == Requirement.entry_id)
        .outerjoin(owner, owner.id == Requirement.owner_id)
        .outerjoin(reviewer, reviewer.id == Requirement.reviewer_id)
    )
    if not f.include_inactive:
        query = query.where(Requirement.applicable == True, Requirement.withdrawn == False)  # noqa: E712
    if f.model:
        ref = f.model.strip()
        query = query.where(or_(AIModel.slug == ref.lower(), AIModel.name == ref))
    if f.status:
        query = query.where(Requirement.status == workflow.parse_status(f.status).value)
    if f.owner:
        query = query.where(owner.email == f.owner.strip().lower())
    if f.overdue:
        query = query.where(
            and_(
                Requirement.due_date < today,
                Requirement.status.not_in([s.value for s in workflow.CLOSED]),  # type: ignore[attr-defined]
            )
        )
    if f.due_before:
        query = query.where(Requirement.due_date < f.due_before)
    if f.text:
        needle = f"%{f.text.strip()}%"
        query = query.where(
            or_(CatalogueEntry.title.ilike(needle), Requirement.code.ilike(needle))  # type: ignore[attr-defined]
        )
    query = query.order_by(
        Requirement.due_date.is_(None), Requirement.due_date, AIModel.slug, Requirement.code
    )  # type: ignore[union-attr]
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
