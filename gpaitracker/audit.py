"""Append-only audit trail whose events form a SHA-256 hash chain.

Each event's hash covers the previous event's hash and the event's own fields, so editing,
inserting or deleting an event breaks the chain at that point. Which fields are covered is
the event's `format`:

- format 1 (registers before schema 0003): prev, time, actor email, action, entity, label,
  field, old, new;
- format 2: the same plus the actor's person id and the entity's row id, so that history
  follows a row through key renames and email changes.

Old events keep verifying exactly as they were recorded; new events are always format 2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, insert, text
from sqlalchemy.orm import Session

from gpaitracker.changes import Changes
from gpaitracker.models import AuditEvent, utcnow

GENESIS = "0" * 64
FORMAT = 2
# Any constant works; it only has to be the same for every writer of one PostgreSQL register.
_PG_CHAIN_LOCK = 0x6A7A1
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
CHANGES_KEY = "gpaitracker.changes"
CREATED_KEY = "gpaitracker.created"


class ActorLike(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str: ...


@dataclass(frozen=True)
class Change:
    """One change to record: what happened to which field of which row."""

    action: str
    entity: str
    row_id: int | None
    label: str
    field: str = ""
    old: object = None
    new: object = None


def value_text(value: object) -> str | None:
    """How a field value is written into the trail."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def stamp(at: dt.datetime | str) -> str:
    """The event time as hashed: UTC ISO 8601 with microseconds."""
    if isinstance(at, str):
        # SQLite hands back 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) from a raw query.
        if len(at) == 26 and at[10] == " ":
            return f"{at[:10]}T{at[11:]}+00:00"
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(fmt: int, prev_hash: str, at: dt.datetime | str, fields: dict[str, Any]) -> str:
    """The hash of one event; fields holds the event's columns by name."""
    return _digest(_payload(fmt, prev_hash, stamp(at), fields))


def _payload(fmt: int, prev: str, when: str, f: dict[str, Any]) -> list[object]:
    if fmt == 1:
        return [
            prev,
            when,
            f["actor"],
            f["action"],
            f["entity"],
            f["label"],
            f["field"],
            f["old_value"],
            f["new_value"],
        ]
    if fmt == 2:
        return [
            2,
            prev,
            when,
            f["actor_id"],
            f["actor"],
            f["action"],
            f["entity"],
            f["row_id"],
            f["label"],
            f["field"],
            f["old_value"],
            f["new_value"],
        ]
    raise ValueError(f"audit event format {fmt} is unknown")


def _digest(payload: list[object]) -> str:
    return hashlib.sha256(_ENCODE(payload).encode("utf-8")).hexdigest()


def chain_rows(
    prev: str, actor: ActorLike | None, changes: Iterable[Change], at: dt.datetime
) -> list[dict[str, Any]]:
    """Rows for the audit_event table, chained onto prev (also used by bulk generators)."""
    rows = []
    actor_id = actor.id if actor is not None else None
    actor_email = actor.email if actor is not None else ""
    when = stamp(at)
    for change in changes:
        fields: dict[str, Any] = {
            "format": FORMAT,
            "at": at,
            "actor_id": actor_id,
            "actor": actor_email,
            "action": change.action,
            "entity": str(change.entity),
            "row_id": change.row_id,
            "label": change.label[:128],
            "field": change.field,
            "old_value": value_text(change.old),
            "new_value": value_text(change.new),
        }
        fields["prev_hash"] = prev
        fields["hash"] = prev = _digest(_payload(FORMAT, prev, when, fields))
        rows.append(fields)
    return rows


def last_hash(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so two transactions never chain onto the same predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    row = session.execute(text("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1")).first()
    return row[0] if row else GENESIS


def record(session: Session, actor: ActorLike | None, changes: Iterable[Change]) -> int:
    """Append events for changes in the caller's transaction; returns how many were added."""
    changes = list(changes)
    if not changes:
        return 0
    rows = chain_rows(last_hash(session), actor, changes, utcnow())
    session.execute(insert(AuditEvent), rows)
    rows_seen: set[tuple[str, int]] = session.info.setdefault(CHANGES_KEY, set())
    rows_seen.update((str(c.entity), c.row_id) for c in changes if c.row_id is not None)
    created: list[tuple[str, int]] = session.info.setdefault(CREATED_KEY, [])
    for c in changes:
        if c.action == "create" and c.row_id is not None and (c.entity, c.row_id) not in created:
            created.append((str(c.entity), c.row_id))
    return len(rows)


def change_set(session: Session) -> Changes:
    """Every row an event was recorded for in this session's transaction, as a change set."""
    return Changes.of(session.info.get(CHANGES_KEY, ()), session.info.get(CREATED_KEY, ()))


@dataclass(frozen=True)
class Head:
    """The newest event: keep (id, hash) elsewhere to prove later that nothing was cut off."""

    id: int
    hash: str
    count: int

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}"


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    reason: str

    def __str__(self) -> str:
        return f"audit event {self.event_id}: {self.reason}"


@dataclass(frozen=True)
class Verification:
    problem: ChainProblem | None
    head: Head | None  # the last event checked (None for an empty trail)
    checked: int  # events hashed in this run


_COLUMNS = (
    "id, format, at, actor_id, actor, action, entity, row_id, label, field, old_value, "
    "new_value, prev_hash, hash"
)


def head(conn: Connection | Session) -> Head | None:
    row = conn.execute(text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")).first()
    if row is None:
        return None
    count: int = conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    return Head(int(row[0]), str(row[1]), count)


def event_hash_at(conn: Connection | Session, event_id: int) -> str | None:
    row = conn.execute(text("SELECT hash FROM audit_event WHERE id = :i"), {"i": event_id}).first()
    return None if row is None else str(row[0])


def verify_chain(
    conn: Connection,
    progress: Callable[[int, int], None] | None = None,
    *,
    start: Head | None = None,
    batch: int = 20_000,
) -> Verification:
    """Walk the chain in id order from start (or the beginning); stop at the first break.

    With start, the event start.id must still carry start.hash; events after it are checked.
    """
    prev, last_id, count = GENESIS, 0, 0
    if start is not None:
        found = event_hash_at(conn, start.id)
        if found is None:
            return Verification(
                ChainProblem(start.id, "was verified before and is now missing"), None, 0
            )
        if found != start.hash:
            return Verification(
                ChainProblem(start.id, "changed since it was last verified"), None, 0
            )
        prev, last_id, count = start.hash, start.id, start.count
    total: int = conn.execute(
        text("SELECT count(*) FROM audit_event WHERE id > :i"), {"i": last_id}
    ).scalar_one()
    # The DB-API cursor, not Row objects: this loop runs once per event (1,000,000 and more).
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"SELECT {_COLUMNS} FROM audit_event WHERE id > {int(last_id)} ORDER BY id")
        problem, prev, last_id, seen = _walk(cursor, prev, last_id, batch, total, progress)
    finally:
        cursor.close()
    checked_head = Head(last_id, prev, count + seen) if last_id else None
    return Verification(problem, checked_head, seen)


def _walk(
    cursor: Any,
    prev: str,
    last_id: int,
    batch: int,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[ChainProblem | None, str, int, int]:
    encode, sha256 = _ENCODE, hashlib.sha256
    seen = 0
    while rows := cursor.fetchmany(batch):
        for (
            eid,
            fmt,
            at,
            actor_id,
            actor,
            action,
            entity,
            row_id,
            label,
            field,
            old,
            new,
            prev_hash,
            digest,
        ) in rows:
            if prev_hash != prev:
                return (
                    ChainProblem(eid, "does not follow the previous event (link broken)"),
                    prev,
                    last_id,
                    seen,
                )
            # SQLite's text timestamp, rebuilt without parsing it; anything else the slow way.
            when = f"{at[:10]}T{at[11:]}+00:00" if type(at) is str and len(at) == 26 else stamp(at)
            if fmt == 2:
                payload = [
                    2,
                    prev,
                    when,
                    actor_id,
                    actor,
                    action,
                    entity,
                    row_id,
                    label,
                    field,
                    old,
                    new,
                ]
            elif fmt == 1:
                payload = [prev, when, actor, action, entity, label, field, old, new]
            else:
                return ChainProblem(eid, f"has an unknown format {fmt!r}"), prev, last_id, seen
            if sha256(encode(payload).encode("utf-8")).hexdigest() != digest:
                return (
                    ChainProblem(eid, "content changed after it was recorded"),
                    prev,
                    last_id,
                    seen,
                )
            prev, last_id = digest, eid
        seen += len(rows)
        if progress is not None:
            progress(seen, total)
    return None, prev, last_id, seen
