"""Synthetic audit trail: format-2 events chained onto the register's trail by audit.chain_rows,
naming real register items (row id and key) and a real person (id and email)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks.bulk import Actor, insert_rows, now
from gpaitracker import audit
from gpaitracker.models import AIModel, AuditEvent, Requirement

BATCH = 50_000
_STATUSES = ("not_started", "in_progress", "in_review", "in_progress")


@dataclass(frozen=True)
class Item:
    """A register item as audit events name it."""

    id: int
    key: str


def item_key(slug: str, code: str, occurrence: int) -> str:
    # The register's key format (services.catalogues.requirement_key), repeated so that the
    # generator does not depend on a service module that is being reshaped.
    return f"{slug}/{code}" if occurrence == 1 else f"{slug}/{code}#{occurrence}"


def register_items(session: Session) -> list[Item]:
    """Every register item as (id, key)."""
    r, m = Requirement.__table__.c, AIModel.__table__.c  # type: ignore[attr-defined]
    sql = select(r.id, m.slug, r.code, r.occurrence).join(AIModel, m.id == r.model_id)
    return [Item(i, item_key(s, c, o)) for i, s, c, o in session.execute(sql.order_by(r.id))]


def _changes(items: list[Item], first: int, count: int) -> Iterator[audit.Change]:
    """Plausible edits of register items: comments, status, due date and priority in turn."""
    for i in range(first, first + count):
        item = items[(i * 7919) % len(items)]  # a prime stride spreads events over items
        kind = i % 4
        old: object
        new: object
        if kind == 0:
            yield audit.Change(
                "comment", "requirement", item.id, item.key, "comment", None, f"comment {i}"
            )
            continue
        if kind == 1:
            field, old, new = "status", _STATUSES[i % 4 - 1], _STATUSES[i % 4]
        elif kind == 2:
            day = dt.date(2026, 1, 1) + dt.timedelta(days=i % 700)
            field, old, new = "due_date", day - dt.timedelta(days=7), day
        else:
            field, old, new = "priority", "medium", "high"
        yield audit.Change("update", "requirement", item.id, item.key, field, old, new)


def append_events(session: Session, actor: Actor, items: list[Item], count: int) -> None:
    """Chain count events by actor onto the trail, in the caller's transaction."""
    if count <= 0:
        return
    if not items:
        raise ValueError("audit events need register items to name")
    a = AuditEvent.__table__.c  # type: ignore[attr-defined]
    last = session.execute(select(a.hash).order_by(a.id.desc()).limit(1)).scalar()
    prev, at = last or audit.GENESIS, now()
    for done in range(0, count, BATCH):
        rows = audit.chain_rows(prev, actor, _changes(items, done, min(BATCH, count - done)), at)
        insert_rows(session, AuditEvent, rows)
        prev = rows[-1]["hash"]
        at += dt.timedelta(microseconds=1)  # one time per batch, in order
