"""Reading and proving the audit trail: history by row, the head to keep, verification."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gpaitracker import audit, checks, parse
from gpaitracker.db import Register
from gpaitracker.errors import ValidationError
from gpaitracker.services import lookup, queries


def events(*, session: Session, ref: str | None = None, limit: int = 50) -> list[queries.AuditRow]:
    """The newest events, or those of the row ref names (its whole history, by row id)."""
    if ref is None:
        return queries.audit_rows(session=session, limit=limit)
    entity, row_id = lookup.entity_ref(session=session, ref=ref)
    return queries.audit_rows(session=session, entity=entity.value, row_id=row_id, limit=limit)


def head(*, session: Session) -> audit.Head | None:
    return audit.head(session)


def parse_head(text: str) -> audit.Head:
    """'ID:HASH' as printed by `audit head` (or kept in a signed report)."""
    raw_id, _, digest = text.strip().partition(":")
    event_id = parse.row_id(raw_id, "audit head id")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValidationError(f"audit head {parse.show(text)} is not like ID:SHA256")
    return audit.Head(event_id, digest, 0)


@dataclass(frozen=True)
class TrailReport:
    problems: tuple[str, ...]
    head: audit.Head | None
    checked: int


def verify(
    register: Register,
    *,
    anchors: tuple[audit.Head, ...] = (),
    progress: Callable[[int, int], None] | None = None,
) -> TrailReport:
    """Walk the whole chain; each anchor (a head kept elsewhere) must still be in it."""
    try:
        return _verify(register, anchors, progress)
    except checks.UNREADABLE as exc:
        reason = checks.unreadable_reason(exc)
        return TrailReport((f"the audit trail could not be read ({reason})",), None, 0)


def _verify(
    register: Register,
    anchors: tuple[audit.Head, ...],
    progress: Callable[[int, int], None] | None,
) -> TrailReport:
    problems: list[str] = []
    with register.engine.connect() as conn:
        for anchor in anchors:
            found = audit.event_hash_at(conn, anchor.id)
            if found is None:
                problems.append(
                    f"audit head {anchor.id} is no longer in the trail (events were deleted)"
                )
            elif found != anchor.hash:
                problems.append(f"audit head {anchor.id} has another hash now (its event changed)")
        result = audit.verify_chain(conn, progress)
    if result.problem is not None:
        problems.insert(0, str(result.problem))
    return TrailReport(tuple(problems), result.head, result.checked)


def check(
    register: Register,
    *,
    full: bool = False,
    progress: checks.Progress | None = None,
) -> checks.CheckReport:
    """Database, audit trail (incremental unless full) and evidence objects."""
    return checks.run_checks(register, progress, full=full)
