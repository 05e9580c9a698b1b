"""Append-only audit trail whose events form a SHA-256 hash chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, text
from sqlmodel import Session, col

from gpaitracker.models import AuditEvent, utcnow

GENESIS = "0" * 64
# Any constant works; it only has to be the same for every writer of one PostgreSQL register.
_PG_CHAIN_LOCK = 0x6A7A1


@dataclass(frozen=True)
class Change:
    """One change to record: what happened to which field of which entity."""

    action: str
    entity: str
    entity_id: str
    field: str = ""
    old: object = None
    new: object = None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _stamp(at: dt.datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(
    prev_hash: str,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    field: str,
    old_value: str | None,
    new_value: str | None,
) -> str:
    payload = json.dumps(
        [prev_hash, _stamp(at), actor, action, entity, entity_id, field, old_value, new_value],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _last_hash(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so two transactions never chain onto the same predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    row = session.execute(
        select(col(AuditEvent.hash)).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    return row[0] if row else GENESIS


def record(session: Session, actor: str, changes: Iterable[Change]) -> int:
    """Append events for changes in the caller's transaction; returns how many were added."""
    rows = []
    prev = _last_hash(session)
    at = utcnow()
    for change in changes:
        old, new = _text(change.old), _text(change.new)
        digest = event_hash(
            prev, at, actor, change.action, change.entity, change.entity_id, change.field, old, new
        )
        rows.append(
            {
                "at": at,
                "actor": actor,
                "action": change.action,
                "entity": change.entity,
                "entity_id": change.entity_id,
                "field": change.field,
                "old_value": old,
                "new_value": new,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    if rows:
        session.execute(insert(AuditEvent), rows)
    return len(rows)


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    reason: str

    def __str__(self) -> str:
        return f"audit event {self.event_id}: {self.reason}"


def verify_chain(
    conn: Connection | Session,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 20000,
) -> ChainProblem | None:
    """Walk the chain in id order; return the first broken event, or None when intact."""
    total: int = conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    prev = GENESIS
    seen = 0
    last_id = 0
    cols = "id, at, actor, action, entity, entity_id, field, old_value, new_value, prev_hash, hash"
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    at_type = table.c.at.type
    while True:
        rows = conn.execute(
            text(f"SELECT {cols} FROM audit_event WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last_id, "n": batch},
        ).all()
        if not rows:
            break
        for row in rows:
            at = row.at
            if isinstance(at, str):  # SQLite hands back text from a raw query
                at = dt.datetime.fromisoformat(at)
            at = at_type.process_result_value(at, None)
            if row.prev_hash != prev:
                return ChainProblem(row.id, "does not follow the previous event (link broken)")
            expected = event_hash(
                prev,
                at,
                row.actor,
                row.action,
                row.entity,
                row.entity_id,
                row.field,
                row.old_value,
                row.new_value,
            )
            if expected != row.hash:
                return ChainProblem(row.id, "content changed after it was recorded")
            prev = row.hash
            last_id = row.id
        seen += len(rows)
        if progress is not None:
            progress(seen, total)
    return None
