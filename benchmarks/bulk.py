"""Helpers for writing many rows at once with SQLAlchemy Core (no ORM objects)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

BATCH = 20_000


@dataclass(frozen=True)
class Actor:
    """Who generated rows and events are recorded for (what audit.chain_rows needs)."""

    id: int
    email: str


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def table(model: type[Any]) -> Table:
    """The model's table: inserting into it skips the ORM's per-row bulk bookkeeping."""
    found: Table = model.__table__
    return found


def insert_rows(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (dicts by column name) in batches, in the caller's transaction."""
    if not rows:
        return
    target = table(model)
    # Core would silently drop a key that names no column (say, one a migration removed).
    unknown = set(rows[0]) - set(target.c.keys())
    if unknown:
        raise KeyError(f"table {target.name} has no column {', '.join(sorted(unknown))}")
    for start in range(0, len(rows), BATCH):
        session.execute(insert(target), rows[start : start + BATCH])


def versioned(model: type[Any], at: dt.datetime) -> dict[str, Any]:
    """Columns of editable rows that Core inserts must fill themselves: the optimistic-lock
    counter (whatever the mapper names it) and the change time."""
    counter = sa_inspect(model).version_id_col
    values: dict[str, Any] = {"updated_at": at}
    if counter is not None:
        values[counter.name] = 1
    return values
