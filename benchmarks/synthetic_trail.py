"""A synthetic history of the register, written the way the services write it.

Each change is an audit event (format 2, via audit.chain_rows) by the admin, naming a real
row by id and label; the rows are then saved with the values the trail ends with, so that
`gpaitracker check`, which replays the trail against the tables, finds them equal.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks.bulk import Actor, insert_rows, now
from gpaitracker import audit
from gpaitracker.audit import Change
from gpaitracker.models import AuditEvent
from gpaitracker.services.register import requirement_key

REQ = "requirement"
BATCH = 50_000
PRIORITIES = ("low", "medium", "high", "critical")
# The workflow's moves that need no note (blocked and not_applicable do).
MOVES = {
    "not_started": ("in_progress",),
    "in_progress": ("not_started", "in_review"),
    "in_review": ("done", "in_progress"),
    "done": ("in_progress",),
}
COMMENTS = (
    "Waiting for the evaluation report from the safety team",
    "Copyright policy draft shared with legal",
    "Training data summary template filled in",
    "Energy figures still missing for the last training run",
    "Incident response contact confirmed",
)
# How often each kind of edit happens, out of the weights' sum.
EDITS = {"status": 3, "due_date": 2, "priority": 1, "owner": 1, "comment": 1}


item_key = requirement_key  # the register's key format, 'slug/CODE' or 'slug/CODE#n'


@dataclass
class ItemState:
    """A register item's tracked fields as its trail so far leaves them (creation defaults)."""

    id: int
    key: str
    due_date: dt.date | None
    status: str = "not_started"
    priority: str = "medium"
    owner_id: int | None = None
    reviewer_id: int | None = None


@dataclass
class History:
    """Makes plausible edits of items as audit changes, keeping each item's state."""

    rng: random.Random
    emails: dict[int, str]  # person id -> email, for owner and reviewer events
    author: Actor
    comments: list[dict[str, Any]] = field(default_factory=list)  # comment rows to insert

    def created(self, item: ItemState, owner: int | None, reviewer: int | None) -> list[Change]:
        """An item as the catalogue creates it, then assigned."""
        changes = [Change("create", REQ, item.id, item.key, "due_date", None, item.due_date)]
        changes += self._assign(item, "owner", owner)
        changes += self._assign(item, "reviewer", reviewer)
        return changes

    def edits(self, items: list[ItemState], count: int) -> Iterator[Change]:
        """About count events, spread over items by a prime stride."""
        kinds = [k for k, weight in EDITS.items() for _ in range(weight)]
        made, step = 0, 0
        while made < count:
            item = items[(step * 7919) % len(items)]
            step += 1
            for change in self._edit(item, self.rng.choice(kinds)):
                made += 1
                yield change

    def _edit(self, item: ItemState, kind: str) -> list[Change]:
        if item.status == "done" and kind in ("due_date", "owner"):
            kind = "status"  # closed items refuse these edits; reopen instead
        if kind == "status":
            return self._move(item, self.rng.choice(MOVES[item.status]))
        if kind == "due_date":
            base = item.due_date or dt.date.today()
            new = base + dt.timedelta(days=self.rng.randint(7, 60))
            old, item.due_date = item.due_date, new
            return [Change("update", REQ, item.id, item.key, "due_date", old, new)]
        if kind == "priority":
            new_priority = self.rng.choice([p for p in PRIORITIES if p != item.priority])
            old_priority, item.priority = item.priority, new_priority
            return [
                Change("update", REQ, item.id, item.key, "priority", old_priority, new_priority)
            ]
        if kind == "owner":
            choices = [p for p in self.emails if p not in (item.owner_id, item.reviewer_id)]
            return self._assign(item, "owner", self.rng.choice(choices))
        text = f"{self.rng.choice(COMMENTS)} (step {len(self.comments) + 1})"
        self.comments.append(
            {
                "requirement_id": item.id,
                "author_id": self.author.id,
                "at": now(),
                "kind": "comment",
                "text": text,
            }
        )
        return [Change("comment", REQ, item.id, item.key, "comment", None, text)]

    def _move(self, item: ItemState, target: str) -> list[Change]:
        changes = [Change("status", REQ, item.id, item.key, "status", item.status, target)]
        if target == "in_review":
            changes.append(Change("submit", REQ, item.id, item.key, "review_outcome", None, "done"))
        elif target == "done":
            changes.append(
                Change("approve", REQ, item.id, item.key, "approved_by", None, self.author.email)
            )
        item.status = target
        return changes

    def _assign(self, item: ItemState, role: str, person: int | None) -> list[Change]:
        old = getattr(item, f"{role}_id")
        if person == old:
            return []
        setattr(item, f"{role}_id", person)
        old_email = self.emails.get(old) if old is not None else None
        new_email = self.emails.get(person) if person is not None else None
        return [Change("update", REQ, item.id, item.key, role, old_email, new_email)]


def append_events(session: Session, actor: Actor, changes: Iterable[Change]) -> int:
    """Chain the changes by actor onto the trail in batches, in the caller's transaction."""
    a = AuditEvent.__table__.c  # type: ignore[attr-defined]
    last = session.execute(select(a.hash).order_by(a.id.desc()).limit(1)).scalar()
    prev, at, done = last or audit.GENESIS, now(), 0
    batch: list[Change] = []
    for change in changes:
        batch.append(change)
        if len(batch) == BATCH:
            prev = _write(session, actor, batch, prev, at)
            done += len(batch)
            batch.clear()
            at += dt.timedelta(microseconds=1)  # one time per batch, in order
    if batch:
        _write(session, actor, batch, prev, at)
        done += len(batch)
    return done


def _write(
    session: Session, actor: Actor, changes: list[Change], prev: str, at: dt.datetime
) -> str:
    rows = audit.chain_rows(prev, actor, changes, at)
    insert_rows(session, AuditEvent, rows)
    return str(rows[-1]["hash"])
