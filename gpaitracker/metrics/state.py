"""The register's items as the figures need them: one small tuple per item, read in one query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, select, type_coerce
from sqlalchemy.orm import Session

from gpaitracker.models import AIModel, CatalogueEntry, Person, Requirement

# Chapters the board reads, by code prefix (final Code, third draft, AI Act). The first
# matching prefix wins, so the longer ones come first.
CHAPTERS: tuple[tuple[str, str], ...] = (
    ("AIA-", "AI Act articles"),
    ("COP-T-", "Transparency"),
    ("COP-C-", "Copyright"),
    ("COP-SS-", "Safety and Security"),
    ("COP3-I.1", "Transparency"),
    ("COP3-I.2", "Copyright"),
    ("COP3-II", "Safety and Security"),
)
CHAPTER_ORDER = ("AI Act articles", "Transparency", "Copyright", "Safety and Security", "Other")


def chapter_of(code: str) -> str:
    for prefix, name in CHAPTERS:
        if code.startswith(prefix):
            return name
    return "Other"


@dataclass(slots=True)
class Item:
    """One item's tracked state; mutable so that the trail can be played back over it."""

    id: int
    model_id: int
    entry_id: int
    code: str
    occurrence: int
    status: str
    due: dt.date | None
    owner_id: int | None
    applicable: bool
    withdrawn: bool
    exists: bool = True  # False once playback passes the item's creation


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    slug: str
    retired: bool


@dataclass(slots=True)
class Register:
    """Everything the figures read: items by id, and the small tables that name them."""

    items: dict[int, Item]
    models: dict[int, ModelInfo]
    titles: dict[int, str]  # catalogue entry id -> title
    people: dict[int, tuple[str, str]]  # person id -> (name, email)
    retired: dict[int, bool]  # model id -> retired (played back with the items)

    def active(self, item: Item) -> bool:
        """Counted in the figures (metrics.figures._Tally.count inlines this test)."""
        return (
            item.exists
            and item.applicable
            and not item.withdrawn
            and not self.retired.get(item.model_id, False)
        )

    def key(self, item: Item) -> str:
        slug = self.models[item.model_id].slug
        return f"{slug}/{item.code}" + ("" if item.occurrence == 1 else f"#{item.occurrence}")

    def owner(self, owner_id: int | None) -> str | None:
        person = self.people.get(owner_id)  # type: ignore[arg-type]
        return person[0] if person else None


def _raw_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """All rows of a query as the driver returns them (its values are bound as literals)."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def load(session: Session, model_ids: tuple[int, ...] | None = None) -> Register:
    """The current register (optionally some models only), in four queries."""
    r = Requirement.__table__.c  # type: ignore[attr-defined]
    # Plain values, no result processors (they cost more than the query at 50,000 rows):
    # text for the enum, and the date as the driver gives it (text on SQLite), parsed once
    # per distinct day. The rows come straight from the driver's cursor: SQLAlchemy's row
    # objects cost 40 ms more at 50,000 rows.
    query = select(
        r.id,
        r.model_id,
        r.entry_id,
        r.code,
        r.occurrence,
        type_coerce(r.status, String),
        type_coerce(r.due_date, String),
        r.owner_id,
        type_coerce(r.applicable, Integer),
        type_coerce(r.withdrawn, Integer),
    )
    if model_ids is not None:
        query = query.where(r.model_id.in_(model_ids))
    days: dict[object, dt.date | None] = {None: None}
    items: dict[int, Item] = {}
    for rid, mid, eid, code, occ, status, due, owner, applicable, withdrawn in _raw_rows(
        session, query
    ):
        day = days.get(due)
        if day is None and due is not None:
            day = days[due] = due if isinstance(due, dt.date) else dt.date.fromisoformat(due)
        items[rid] = Item(
            rid, mid, eid, code, occ, status, day, owner, bool(applicable), bool(withdrawn)
        )
    m = AIModel.__table__.c  # type: ignore[attr-defined]
    models = {
        row.id: ModelInfo(row.name, row.slug, bool(row.retired))
        for row in session.execute(select(m.id, m.name, m.slug, m.retired))
    }
    e = CatalogueEntry.__table__.c  # type: ignore[attr-defined]
    titles: dict[int, str] = dict(session.execute(select(e.id, e.title)).all())
    p = Person.__table__.c  # type: ignore[attr-defined]
    people = {
        row.id: (row.name, row.email) for row in session.execute(select(p.id, p.name, p.email))
    }
    return Register(
        items=items,
        models=models,
        titles=titles,
        people=people,
        retired={k: v.retired for k, v in models.items()},
    )
