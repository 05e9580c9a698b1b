"""Everything the detail panel and `show` need about one register item, in one read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker.enums import Entity
from gpaitracker.models import CatalogueEntry, Person, Requirement
from gpaitracker.services import evidence, queries
from gpaitracker.services.register import get_item, key_of


@dataclass(frozen=True)
class ItemDetail:
    row: queries.RegisterRow
    summary: str
    evidence_expected: tuple[str, ...]
    comments: tuple[queries.CommentRow, ...]
    na_justification: str
    occurrence: int
    updated_at: dt.datetime
    owner_name: str | None
    reviewer_name: str | None
    submitted_by: str | None
    submitted_by_id: int | None
    cycle_owner_ids: tuple[int, ...]  # who owned it since it was last reopened (four-eyes)
    approved_by: str | None
    approved_at: dt.datetime | None
    approval_override: bool
    review_outcome: str | None
    evidence: tuple[evidence.EvidenceRow, ...]
    history: tuple[queries.AuditRow, ...]
    covered_by: str | None = None  # the provider-level item that holds this one
    covers: tuple[str, ...] = ()  # the other models' items this one holds

    def as_dict(self, today: dt.date | None = None) -> dict[str, object]:
        return self.row.as_dict() | {
            "summary": self.summary,
            "evidence_expected": list(self.evidence_expected),
            "comments": [
                {"at": c.at.isoformat(), "author": c.author, "kind": c.kind, "text": c.text}
                for c in self.comments
            ],
            "submitted_by": self.submitted_by,
            "approved_by": self.approved_by,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "approval_override": self.approval_override,
            "review_outcome": self.review_outcome,
            "na_justification": self.na_justification,
            "occurrence": self.occurrence,
            "updated_at": self.updated_at.isoformat(),
            "owner_name": self.owner_name,
            "reviewer_name": self.reviewer_name,
            "covered_by": self.covered_by,
            "covers": list(self.covers),
            "evidence": [e.as_dict(today) for e in self.evidence],
            "history": [
                {
                    "id": h.id,
                    "at": h.at.isoformat(),
                    "actor": h.actor,
                    "action": h.action,
                    "field": h.field,
                    "old": h.old,
                    "new": h.new,
                }
                for h in self.history
            ],
        }


def _name(session: Session, person_id: int | None) -> str | None:
    person = session.get(Person, person_id) if person_id is not None else None
    return person.name if person is not None else None


def _email(session: Session, person_id: int | None) -> str | None:
    person = session.get(Person, person_id) if person_id is not None else None
    return person.email if person is not None else None


def _coverage(session: Session, item: Requirement) -> tuple[str | None, tuple[str, ...]]:
    holder = session.get(Requirement, item.covered_by_id) if item.covered_by_id else None
    held = session.scalars(
        select(Requirement)
        .where(col(Requirement.covered_by_id) == item.id)
        .order_by(col(Requirement.id))
    ).all()
    return (
        key_of(session, holder) if holder is not None else None,
        tuple(key_of(session, other) for other in held),
    )


def detail(*, session: Session, requirement_id: int, history_limit: int = 200) -> ItemDetail:
    item = get_item(session, requirement_id)
    entry = session.get(CatalogueEntry, item.entry_id)
    assert entry is not None
    covered_by, covers = _coverage(session, item)
    return ItemDetail(
        covered_by=covered_by,
        covers=covers,
        row=queries.row(session=session, requirement_id=requirement_id),
        summary=entry.summary,
        evidence_expected=tuple(entry.evidence),
        comments=tuple(queries.comments(session=session, requirement_id=requirement_id)),
        na_justification=item.na_justification,
        occurrence=item.occurrence,
        updated_at=item.updated_at,
        owner_name=_name(session, item.owner_id),
        reviewer_name=_name(session, item.reviewer_id),
        submitted_by=_email(session, item.submitted_by),
        submitted_by_id=item.submitted_by,
        cycle_owner_ids=tuple(item.cycle_owner_ids or ()),
        approved_by=_email(session, item.approved_by),
        approved_at=item.approved_at,
        approval_override=item.approval_override,
        review_outcome=item.review_outcome.value if item.review_outcome else None,
        evidence=tuple(evidence.list_evidence(session=session, requirement_id=requirement_id)),
        history=tuple(
            queries.audit_rows(
                session=session,
                entity=Entity.REQUIREMENT.value,
                row_id=requirement_id,
                limit=history_limit,
            )
        ),
    )
