"""Read side of the register: plain, frozen rows for tables, lists, detail views and exports.

The register list is built in SQL (key, RAG colour and evidence count included) and each
result row becomes a RegisterRow by column name, so listing 50,000 items costs little more
than the query itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from gpaitracker import workflow
from gpaitracker.enums import Priority, Status
from gpaitracker.errors import StorageError
from gpaitracker.models import (
    AIModel,
    AuditEvent,
    CatalogueEntry,
    Comment,
    EvidenceLink,
    Person,
    Requirement,
)


class RegisterRow(NamedTuple):
    """One register item as a table shows it."""

    id: int
    key: str
    code: str
    title: str
    reference: str
    chapter: str | None
    model: str
    model_slug: str
    model_id: int
    status: Status
    owner: str | None
    reviewer: str | None
    owner_id: int | None
    reviewer_id: int | None
    due: dt.date | None
    priority: Priority
    rag: str
    applicable: bool
    withdrawn: bool
    model_retired: bool
    evidence_count: int
    version: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: enums as their values, dates as YYYY-MM-DD."""
        data = self._asdict()
        data["status"] = self.status.value
        data["priority"] = self.priority.value
        data["due"] = self.due.isoformat() if self.due else None
        return data


@dataclass(frozen=True)
class Filters:
    model_id: int | None = None
    status: Status | None = None
    owner_id: int | None = None
    overdue: bool = False
    due_before: dt.date | None = None
    text: str | None = None  # in the code, title, summary or comments
    include_inactive: bool = False  # items no longer applicable or withdrawn
    requirement_ids: tuple[int, ...] | None = None
    limit: int | None = None
    offset: int = 0


def _key_expr(slug: Any, code: Any, occurrence: Any) -> Any:
    suffix = case((occurrence == 1, literal("")), else_="#" + cast(occurrence, String))
    return slug + literal("/") + code + suffix


def _rag_expr(status: Any, due: Any, today: dt.date, active: Any) -> Any:
    """The same rule as workflow.rag, in SQL; items that no longer apply are grey."""
    amber_until = today + dt.timedelta(days=workflow.AMBER_DAYS)
    closed = [s.value for s in workflow.CLOSED]
    return case(
        (~active, literal("grey")),
        (status == Status.BLOCKED.value, literal("red")),
        (status.in_(closed), literal("green")),
        (due.is_(None), literal("green")),
        (due < today, literal("red")),
        (and_(status != Status.IN_REVIEW.value, due <= amber_until), literal("amber")),
        else_=literal("green"),
    )


def _comment_matches(text: str, needle: str, indexed: bool) -> Select[Any]:
    """Ids of items with a comment containing text (the trigram index answers on SQLite)."""
    c = Comment.__table__.c  # type: ignore[attr-defined]
    plain = not any(ch in text for ch in "%_\\")
    if indexed and plain and len(text) >= 3:  # the index needs three characters to help
        # A quoted phrase of trigrams matches the text anywhere, ignoring case, like LIKE.
        phrase = '"' + text.replace('"', '""') + '"'
        return (
            select(column("requirement_id"))
            .select_from(table("comment_search"))
            .where(literal_column("comment_search").op("MATCH")(phrase))
        )
    return select(c.requirement_id).where(c.text.ilike(needle, escape="\\"))


def register_query(
    filters: Filters | None = None, today: dt.date | None = None, *, indexed: bool = False
) -> Select[Any]:
    """The SELECT behind list_rows; its columns are named exactly like RegisterRow's fields."""
    f = filters or Filters()
    today = today or dt.date.today()
    r, m, e = Requirement.__table__.c, AIModel.__table__.c, CatalogueEntry.__table__.c  # type: ignore[attr-defined]
    owner, reviewer = aliased(Person), aliased(Person)
    active = and_(r.applicable.is_(True), r.withdrawn.is_(False), m.retired.is_(False))
    evidence_count = (
        select(func.count())
        .where(EvidenceLink.__table__.c.requirement_id == r.id)  # type: ignore[attr-defined]
        .scalar_subquery()
    )
    columns = {
        "id": r.id,
        "key": _key_expr(m.slug, r.code, r.occurrence),
        "code": r.code,
        "title": e.title,
        "reference": e.reference,
        "chapter": e.parent_code,
        "model": m.name,
        "model_slug": m.slug,
        "model_id": r.model_id,
        "status": type_coerce(r.status, String),  # made a Status below, by dict lookup
        "owner": owner.email,
        "reviewer": reviewer.email,
        "owner_id": r.owner_id,
        "reviewer_id": r.reviewer_id,
        "due": r.due_date,
        "priority": type_coerce(r.priority, String),
        "rag": _rag_expr(r.status, r.due_date, today, active),
        "applicable": r.applicable,
        "withdrawn": r.withdrawn,
        "model_retired": m.retired,
        "evidence_count": cast(evidence_count, Integer),
        "version": r.row_version,
    }
    assert tuple(columns) == RegisterRow._fields
    order = (r.due_date.is_(None), r.due_date, m.slug, e.catalogue_pk, e.position, r.occurrence)
    # Which items, in which order: the filters need only the item, its model and its entry.
    chosen = (
        select(r.id)
        .select_from(Requirement)
        .join(AIModel, m.id == r.model_id)
        .join(CatalogueEntry, e.id == r.entry_id)
        .where(*_conditions(f, today, active, indexed))
    )
    query = (
        select(*(col.label(name) for name, col in columns.items()))
        .select_from(Requirement)
        .join(AIModel, m.id == r.model_id)
        .join(CatalogueEntry, e.id == r.entry_id)
        .outerjoin(owner, owner.id == r.owner_id)
        .outerjoin(reviewer, reviewer.id == r.reviewer_id)
        .order_by(*order)  # catalogue order is document order: COP-SS-2.1 before COP-SS-10.1
    )
    if f.limit is None:
        return query.where(*_conditions(f, today, active, indexed))
    # A page: choose its ids first, so the costlier columns are built for those rows only.
    page = chosen.order_by(*order).limit(f.limit).offset(f.offset)
    return query.where(r.id.in_(page))


def _conditions(f: Filters, today: dt.date, active: Any, indexed: bool) -> list[Any]:
    r, e = Requirement.__table__.c, CatalogueEntry.__table__.c  # type: ignore[attr-defined]
    out: list[Any] = []
    if f.status == Status.NOT_APPLICABLE:
        # Items re-scoped out of a model do not apply either, whatever their status was.
        out.append(or_(r.status == Status.NOT_APPLICABLE, r.applicable.is_(False)))
    elif not f.include_inactive:
        out.append(active)
    if f.requirement_ids is not None:
        out.append(r.id.in_(f.requirement_ids))
    if f.model_id is not None:
        out.append(r.model_id == f.model_id)
    if f.status is not None and f.status != Status.NOT_APPLICABLE:
        out.append(r.status == Status(f.status))
    if f.owner_id is not None:
        out.append(r.owner_id == f.owner_id)
    if f.overdue:
        out += [r.due_date < today, r.status.not_in(list(workflow.CLOSED))]
    if f.due_before is not None:
        out.append(r.due_date < f.due_before)
    if f.text and f.text.strip():
        needle = f"%{_escape_like(f.text.strip())}%"
        # Titles and summaries live in the ~200 catalogue entries: match those once, then
        # the items by entry id, instead of scanning a summary per item.
        entries = select(e.id).where(
            or_(e.title.ilike(needle, escape="\\"), e.summary.ilike(needle, escape="\\"))
        )
        out.append(
            or_(
                r.entry_id.in_(entries),
                r.code.ilike(needle, escape="\\"),
                r.id.in_(_comment_matches(f.text.strip(), needle, indexed)),
            )
        )
    return out


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_STATUS = {s.value: s for s in Status}
_PRIORITY = {p.value: p for p in Priority}
_STATUS_AT = RegisterRow._fields.index("status")
_PRIORITY_AT = RegisterRow._fields.index("priority")


def list_rows(
    *, session: Session, filters: Filters | None = None, today: dt.date | None = None
) -> list[RegisterRow]:
    indexed = session.get_bind().dialect.name == "sqlite"
    result = session.execute(register_query(filters, today, indexed=indexed))
    if tuple(result.keys()) != RegisterRow._fields:
        raise AssertionError("register query columns do not match RegisterRow")
    # SQLAlchemy's Enum result processing costs more than the query at 50,000 rows; the
    # enum columns come back as text and become enums through a dict.
    make, statuses, priorities = RegisterRow._make, _STATUS, _PRIORITY
    si, pi = _STATUS_AT, _PRIORITY_AT
    rows = []
    for raw in result:
        values: list[Any] = list(raw)
        try:
            values[si] = statuses[values[si]]
            values[pi] = priorities[values[pi]]
        except KeyError:
            raise _unknown_value(values[0], values[si], values[pi]) from None
        rows.append(make(values))
    return rows


def _unknown_value(row_id: int, status: object, priority: object) -> StorageError:
    field, value = ("status", status) if status not in _STATUS else ("priority", priority)
    return StorageError(
        f"register item id {row_id} has {field} {value!r}, which does not exist "
        "(the register was changed outside GPAI Tracker)"
    )


def row(*, session: Session, requirement_id: int, today: dt.date | None = None) -> RegisterRow:
    from gpaitracker.errors import NotFoundError

    only = Filters(requirement_ids=(requirement_id,), include_inactive=True)
    rows = list_rows(session=session, filters=only, today=today)
    if not rows:
        raise NotFoundError(f"register item id {requirement_id} is not in the register")
    return rows[0]


class AuditRow(NamedTuple):
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    row_id: int | None
    label: str
    field: str
    old: str | None
    new: str | None


def audit_rows(
    *,
    session: Session,
    entity: str | None = None,
    row_id: int | None = None,
    limit: int = 50,
) -> list[AuditRow]:
    """The newest events (oldest first), optionally of one row: its history by row id."""
    a = AuditEvent.__table__.c  # type: ignore[attr-defined]
    query = select(
        a.id,
        a.at,
        a.actor,
        a.action,
        a.entity,
        a.row_id,
        a.label,
        a.field,
        a.old_value,
        a.new_value,
    )
    if entity is not None:
        query = query.where(a.entity == entity)
    if row_id is not None:
        query = query.where(a.row_id == row_id)
    rows = session.execute(query.order_by(a.id.desc()).limit(limit)).all()
    return [AuditRow._make(r) for r in reversed(rows)]


class CommentRow(NamedTuple):
    id: int
    at: dt.datetime
    author: str | None  # email; None for comments the app wrote (migrated notes, merges)
    author_name: str | None
    kind: str  # comment, status, migrated, merged
    text: str


def comments(*, session: Session, requirement_id: int) -> list[CommentRow]:
    """The item's comment thread, oldest first."""
    c, p = Comment.__table__.c, Person.__table__.c  # type: ignore[attr-defined]
    query = (
        select(c.id, c.at, p.email, p.name, c.kind, c.text)
        .select_from(Comment)
        .outerjoin(Person, p.id == c.author_id)
        .where(c.requirement_id == requirement_id)
        .order_by(c.id)
    )
    return [CommentRow._make(r) for r in session.execute(query)]


def inactive_reason(row: RegisterRow) -> str | None:
    """Why an item is greyed out, or None while it applies."""
    if row.withdrawn:
        return "withdrawn from the catalogue (kept for the record)"
    if not row.applicable:
        return "no longer applies to this model (its facts changed; kept for the record)"
    if row.model_retired:
        return "its model is retired (kept for the record)"
    return None


_NUMBER = re.compile(r"([0-9]+)")


def natural_key(code: str) -> tuple[object, ...]:
    """Sort key for codes: numbers by value, so COP-SS-2.1 comes before COP-SS-10.1."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in _NUMBER.split(code))
