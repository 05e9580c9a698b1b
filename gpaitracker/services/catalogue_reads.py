"""Catalogues as the doors show them: loaded versions and single entries, as plain rows."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpaitracker import catalogue as catalogue_files
from gpaitracker.errors import NotFoundError
from gpaitracker.models import Catalogue, CatalogueEntry


class CatalogueRow(NamedTuple):
    id: int
    catalogue_id: str
    version: str
    published: dt.date
    active: bool
    entries: int
    tracked: int  # entries that become register items
    title: str


class EntryRow(NamedTuple):
    code: str
    catalogue: str  # "id@version"
    kind: str
    parent: str | None
    title: str
    reference: str
    summary: str
    applies: tuple[str, ...]
    due: str
    recurrence_months: int | None
    evidence: tuple[str, ...]
    kpis: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        data = self._asdict()
        for name in ("applies", "evidence", "kpis"):
            data[name] = list(data[name])
        return data


def _tracked(kind: str, applies: list[str]) -> bool:
    return kind in catalogue_files.TRACKED_KINDS and "informational" not in applies


def catalogue_summaries(*, session: Session, include_inactive: bool = False) -> list[CatalogueRow]:
    """Loaded catalogue versions (only those in use unless include_inactive), with counts."""
    c, e = Catalogue.__table__.c, CatalogueEntry.__table__.c  # type: ignore[attr-defined]
    query = select(c.id, c.catalogue_id, c.version, c.published, c.active, c.title)
    if not include_inactive:
        query = query.where(c.active.is_(True))
    cats = session.execute(query.order_by(c.catalogue_id, c.published, c.version)).all()
    counts: dict[int, list[int]] = {cat.id: [0, 0] for cat in cats}
    for row in session.execute(
        select(e.catalogue_pk, e.kind, e.applies).where(e.catalogue_pk.in_(list(counts)))
    ):
        counts[row.catalogue_pk][0] += 1
        counts[row.catalogue_pk][1] += _tracked(row.kind, row.applies)
    return [
        CatalogueRow(
            cat.id,
            cat.catalogue_id,
            cat.version,
            cat.published,
            cat.active,
            counts[cat.id][0],
            counts[cat.id][1],
            cat.title,
        )
        for cat in cats
    ]


def entry(*, session: Session, code: str) -> EntryRow:
    """The entry with this code in the catalogues in use."""
    c, e = Catalogue.__table__.c, CatalogueEntry.__table__.c  # type: ignore[attr-defined]
    found = (
        session.execute(
            select(
                c.catalogue_id,
                c.version,
                e.code,
                e.kind,
                e.parent_code,
                e.title,
                e.reference,
                e.summary,
                e.applies,
                e.due_rule,
                e.recurrence_months,
                e.evidence,
                e.kpis,
            )
            .select_from(CatalogueEntry)
            .join(Catalogue, c.id == e.catalogue_pk)
            .where(c.active.is_(True), e.code == code)
            .order_by(c.catalogue_id)
            .limit(1)
        )
        .mappings()
        .first()
    )
    if found is None:
        raise NotFoundError(f"catalogue code {code!r} is not in any catalogue in use")
    return EntryRow(
        code=found["code"],
        catalogue=f"{found['catalogue_id']}@{found['version']}",
        kind=found["kind"],
        parent=found["parent_code"],
        title=found["title"],
        reference=found["reference"],
        summary=found["summary"],
        applies=tuple(found["applies"]),
        due=found["due_rule"],
        recurrence_months=found["recurrence_months"],
        evidence=tuple(found["evidence"]),
        kpis=tuple(found["kpis"]),
    )
