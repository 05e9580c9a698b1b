"""Evidence: files and links attached to register items, their revisions and expiry.

Files reach these services already copied into the evidence store (a StoredObject): the
copy of a big file runs outside any transaction (see evidence_import), and the write that
adds the rows stays short.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from gpaitracker import audit, parse, validation
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import NotFoundError, StorageError, ValidationError
from gpaitracker.evidence_db import AnyStore
from gpaitracker.evidence_store import StoredObject
from gpaitracker.models import (
    AIModel,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    Person,
    Requirement,
)
from gpaitracker.services.register import (
    KEEP,
    _Keep,
    check_version,
    get_item,
    key_of,
    requirement_key,
)

EXPIRING_DAYS = 30
EV, REQ = Entity.EVIDENCE, Entity.REQUIREMENT


class EvidenceRow(NamedTuple):
    """One piece of evidence with its latest revision and the items it is linked to."""

    id: int
    title: str
    description: str
    kind: str  # file or link
    url: str | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    revision: int | None  # latest revision number (files)
    sha256: str | None
    size: int | None
    name: str | None  # original file name
    media_type: str | None
    keys: tuple[str, ...]
    requirement_ids: tuple[int, ...]
    row_version: int
    updated_at: dt.datetime

    def state(self, today: dt.date | None = None) -> str:
        """expired, expiring (within 30 days), not_yet_valid or valid."""
        today = today or dt.date.today()
        if self.valid_until is not None and self.valid_until < today:
            return "expired"
        if self.valid_from is not None and self.valid_from > today:
            return "not_yet_valid"
        if self.valid_until is not None and (self.valid_until - today).days <= EXPIRING_DAYS:
            return "expiring"
        return "valid"

    def as_dict(self, today: dt.date | None = None) -> dict[str, object]:
        """JSON-ready, with the state as of today."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "state": self.state(today),
            "url": self.url,
            "valid_from": _iso(self.valid_from),
            "valid_until": _iso(self.valid_until),
            "revision": self.revision,
            "sha256": self.sha256,
            "size": self.size,
            "name": self.name,
            "keys": list(self.keys),
            "description": self.description,
        }


class RevisionRow(NamedTuple):
    id: int
    evidence_id: int
    number: int
    sha256: str
    size: int
    media_type: str
    name: str
    note: str
    added_by: str | None  # email
    added_at: dt.datetime


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _date(value: dt.date | None, field: str) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, dt.date):
        raise ValidationError(f"{field} {parse.show(value)} is not a date")
    return parse.date_in_range(value, field)


def _dates(
    valid_from: dt.date | None, valid_until: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    start = _date(valid_from, "valid-from date")
    end = _date(valid_until, "valid-until date")
    if start and end and end < start:
        raise ValidationError(
            f"valid-until date {end.isoformat()} is before valid-from date {start.isoformat()}"
        )
    return start, end


def _title(title: str) -> str:
    return validation.text(title, "title", required=True)


def _description(text: str) -> str:
    return validation.text(text, "description", max_chars=validation.MAX_NOTE_CHARS)


def _note(text: str) -> str:
    return validation.text(text, "note", max_chars=validation.MAX_NOTE_CHARS)


def check_url(url: str) -> str:
    value = validation.text(url, "url", max_chars=2000, required=True)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
        raise ValidationError(f"url {value!r} must be an http:// or https:// address")
    return value


def _get(session: Session, evidence_id: int) -> Evidence:
    ev = session.get(Evidence, evidence_id)
    if ev is None:
        raise NotFoundError(f"evidence {evidence_id} is not in the register")
    return ev


def _label(ev: Evidence) -> str:
    return f"evidence {ev.id}"


# Declared like write services: they need the permission the write will need, so a person
# who may not add evidence is told so before a long copy, not after it.
@write_service(Permission.EDIT)
def check_new(
    *,
    session: Session,
    actor: Actor,
    requirement_id: int,
    title: str | None = None,
    description: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> None:
    """Refuse what would make adding evidence fail, before a long copy; changes nothing."""
    get_item(session, requirement_id)
    if title:
        _title(title)
    _description(description)
    _dates(valid_from, valid_until)


@write_service(Permission.EDIT)
def check_revision(
    *,
    session: Session,
    actor: Actor,
    evidence_id: int,
    note: str = "",
    title: str | None = None,
    valid_from: dt.date | _Keep | None = KEEP,
    valid_until: dt.date | _Keep | None = KEEP,
) -> None:
    """Refuse what would make adding a revision fail, before a long copy; changes nothing."""
    ev = _check_revision(session, evidence_id, note)
    _set_details(ev, title, None, valid_from, valid_until)
    session.expire(ev)  # checked on the row, never kept


def _check_revision(session: Session, evidence_id: int, note: str) -> Evidence:
    ev = _get(session, evidence_id)
    if ev.kind != "file":
        raise ValidationError(f"evidence {evidence_id} is a link; only files have revisions")
    _note(note)
    return ev


def _link_changes(ev: Evidence, item_id: int, key: str, linked: bool) -> list[Change]:
    """A link is part of both histories: the evidence's and the item's."""
    action = "link" if linked else "unlink"
    key_old, key_new = (None, key) if linked else (key, None)
    ev_old, ev_new = (None, ev.id) if linked else (ev.id, None)
    return [
        Change(action, EV, ev.id, _label(ev), "requirement", key_old, key_new),
        Change(action, REQ, item_id, key, "evidence", ev_old, ev_new),
    ]


def _new(
    session: Session,
    actor: Actor,
    requirement_id: int,
    kind: str,
    title: str,
    description: str,
    url: str | None,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
) -> tuple[Evidence, list[Change]]:
    item = get_item(session, requirement_id)
    start, end = _dates(valid_from, valid_until)
    ev = Evidence(
        title=_title(title),
        description=_description(description),
        kind=kind,
        url=url,
        valid_from=start,
        valid_until=end,
        created_by=actor.id,
    )
    session.add(ev)
    session.flush()
    assert ev.id is not None and item.id is not None
    session.add(EvidenceLink(evidence_id=ev.id, requirement_id=item.id))
    changes = [
        Change("create", EV, ev.id, _label(ev), f, None, getattr(ev, f))
        for f in ("title", "description", "kind", "url", "valid_from", "valid_until")
        if getattr(ev, f) is not None
    ]
    return ev, changes + _link_changes(ev, item.id, key_of(session, item), True)


def _revision(session: Session, actor: Actor, ev: Evidence, obj: StoredObject, note: str) -> Change:
    rev = EvidenceRevision.__table__.c  # type: ignore[attr-defined]
    last: int | None = session.execute(
        select(func.max(rev.number)).where(rev.evidence_id == ev.id)
    ).scalar_one()
    assert ev.id is not None
    row = EvidenceRevision(
        evidence_id=ev.id,
        number=(last or 0) + 1,
        sha256=obj.sha256,
        size=obj.size,
        media_type=obj.media_type,
        original_name=obj.name,
        added_by=actor.id,
        note=_note(note),
    )
    session.add(row)
    return Change(
        "revise",
        EV,
        ev.id,
        _label(ev),
        f"revision {row.number}",
        None,
        f"{obj.sha256} {obj.size} bytes {obj.name}",
    )


def _in_store(store: AnyStore, obj: StoredObject) -> None:
    if not store.has(obj.sha256):
        raise StorageError(
            f"file {obj.name} (sha256 {obj.sha256[:12]}) is not in the evidence store "
            f"{store.root}; import it again"
        )


@write_service(Permission.EDIT)
def add_file_evidence(
    *,
    session: Session,
    actor: Actor,
    store: AnyStore,
    requirement_id: int,
    source: StoredObject,
    title: str | None = None,
    description: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Changes:
    """Add a file already copied into the store (title: the file name unless given)."""
    _in_store(store, source)
    ev, changes = _new(
        session,
        actor,
        requirement_id,
        "file",
        title or source.name,
        description,
        None,
        valid_from,
        valid_until,
    )
    changes.append(_revision(session, actor, ev, source, ""))
    session.flush()
    audit.record(session, actor, changes)
    return audit.change_set(session)


@write_service(Permission.EDIT)
def add_link_evidence(
    *,
    session: Session,
    actor: Actor,
    requirement_id: int,
    url: str,
    title: str | None = None,
    description: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Changes:
    """Add an http(s) address as evidence (title: the address unless given)."""
    clean = check_url(url)
    _, changes = _new(
        session,
        actor,
        requirement_id,
        "link",
        title or clean[:300],
        description,
        clean,
        valid_from,
        valid_until,
    )
    session.flush()
    audit.record(session, actor, changes)
    return audit.change_set(session)


@write_service(Permission.EDIT)
def add_revision(
    *,
    session: Session,
    actor: Actor,
    store: AnyStore,
    evidence_id: int,
    source: StoredObject,
    note: str = "",
    title: str | None = None,
    valid_from: dt.date | _Keep | None = KEEP,
    valid_until: dt.date | _Keep | None = KEEP,
) -> Changes:
    """Add a new revision of a file already copied into the store; earlier ones stay.

    A title or validity given changes the evidence in the same write (see update_evidence).
    """
    ev = _check_revision(session, evidence_id, note)
    _in_store(store, source)
    changes = [_revision(session, actor, ev, source, note)]
    changes += _set_details(ev, title, None, valid_from, valid_until)
    session.flush()
    audit.record(session, actor, changes)
    return audit.change_set(session)


def _set_details(
    ev: Evidence,
    title: str | None,
    description: str | None,
    valid_from: dt.date | _Keep | None,
    valid_until: dt.date | _Keep | None,
) -> list[Change]:
    """Set what is given (None or KEEP: as it is), checked; the changes to record."""
    start = ev.valid_from if isinstance(valid_from, _Keep) else valid_from
    end = ev.valid_until if isinstance(valid_until, _Keep) else valid_until
    new: dict[str, object] = {}
    if title is not None:
        new["title"] = _title(title)
    if description is not None:
        new["description"] = _description(description)
    if not (isinstance(valid_from, _Keep) and isinstance(valid_until, _Keep)):
        new["valid_from"], new["valid_until"] = _dates(start, end)
    changes = []
    for attr, value in new.items():
        if getattr(ev, attr) != value:
            changes.append(Change("update", EV, ev.id, _label(ev), attr, getattr(ev, attr), value))
            setattr(ev, attr, value)
    return changes


@write_service(Permission.EDIT)
def update_evidence(
    *,
    session: Session,
    actor: Actor,
    evidence_id: int,
    title: str | None = None,
    description: str | None = None,
    valid_from: dt.date | _Keep | None = KEEP,
    valid_until: dt.date | _Keep | None = KEEP,
    expected_version: int | None = None,
) -> Changes:
    """Change a piece of evidence's title, description or validity (None for a date clears
    it; None for text, or KEEP for a date, leaves it as it is)."""
    ev = _get(session, evidence_id)
    assert ev.id is not None
    check_version(session, EV, ev.id, _label(ev), ev.row_version, expected_version)
    changes = _set_details(ev, title, description, valid_from, valid_until)
    if changes:
        session.add(ev)
        session.flush()  # the version counter refuses a row changed since it was read
        audit.record(session, actor, changes)
    return audit.change_set(session)


@write_service(Permission.EDIT)
def link(*, session: Session, actor: Actor, evidence_id: int, requirement_id: int) -> Changes:
    """Link evidence to one more item."""
    ev = _get(session, evidence_id)
    item = get_item(session, requirement_id)
    key = key_of(session, item)
    if session.get(EvidenceLink, (ev.id, item.id)) is not None:
        raise ValidationError(f"evidence {evidence_id} is already linked to {key}")
    assert ev.id is not None and item.id is not None
    session.add(EvidenceLink(evidence_id=ev.id, requirement_id=item.id))
    session.flush()
    audit.record(session, actor, _link_changes(ev, item.id, key, True))
    return audit.change_set(session)


@write_service(Permission.EDIT)
def unlink(*, session: Session, actor: Actor, evidence_id: int, requirement_id: int) -> Changes:
    """Unlink evidence from an item; evidence is never left linked to nothing."""
    ev = _get(session, evidence_id)
    item = get_item(session, requirement_id)
    key = key_of(session, item)
    row = session.get(EvidenceLink, (ev.id, item.id))
    if row is None:
        raise ValidationError(f"evidence {evidence_id} is not linked to {key}")
    link_c = EvidenceLink.__table__.c  # type: ignore[attr-defined]
    count = session.execute(
        select(func.count()).where(link_c.evidence_id == evidence_id)
    ).scalar_one()
    if count == 1:
        raise ValidationError(
            f"evidence {evidence_id} is only linked to {key}; link it to another item first"
        )
    session.delete(row)
    session.flush()
    assert item.id is not None
    audit.record(session, actor, _link_changes(ev, item.id, key, False))
    return audit.change_set(session)


def _rows(session: Session, *where: Any) -> list[EvidenceRow]:
    e = Evidence.__table__.c  # type: ignore[attr-defined]
    l = EvidenceLink.__table__.c  # type: ignore[attr-defined]  # noqa: E741
    r, m = Requirement.__table__.c, AIModel.__table__.c  # type: ignore[attr-defined]
    v = EvidenceRevision.__table__.c  # type: ignore[attr-defined]
    ids = select(e.id).where(*where)
    evs = session.execute(
        select(
            e.id,
            e.title,
            e.description,
            e.kind,
            e.url,
            e.valid_from,
            e.valid_until,
            e.row_version,
            e.updated_at,
        )
        .where(*where)
        .order_by(e.id)
    ).all()
    links: dict[int, list[tuple[str, int]]] = {}
    for row in session.execute(
        select(l.evidence_id, r.id, m.slug, r.code, r.occurrence)
        .join(Requirement, r.id == l.requirement_id)
        .join(AIModel, m.id == r.model_id)
        .where(l.evidence_id.in_(ids))
    ):
        key = requirement_key(row.slug, row.code, row.occurrence)
        links.setdefault(row.evidence_id, []).append((key, row.id))
    newest = (
        select(v.evidence_id, func.max(v.number).label("n"))
        .where(v.evidence_id.in_(ids))
        .group_by(v.evidence_id)
        .subquery()
    )
    latest = {
        row.evidence_id: row
        for row in session.execute(
            select(v.evidence_id, v.number, v.sha256, v.size, v.original_name, v.media_type).join(
                newest, and_(v.evidence_id == newest.c.evidence_id, v.number == newest.c.n)
            )
        )
    }
    out = []
    for ev in evs:
        linked = sorted(links.get(ev.id, []))
        rev = latest.get(ev.id)
        out.append(
            EvidenceRow(
                id=ev.id,
                title=ev.title,
                description=ev.description,
                kind=ev.kind,
                url=ev.url,
                valid_from=ev.valid_from,
                valid_until=ev.valid_until,
                revision=rev.number if rev else None,
                sha256=rev.sha256 if rev else None,
                size=rev.size if rev else None,
                name=rev.original_name if rev else None,
                media_type=rev.media_type if rev else None,
                keys=tuple(k for k, _ in linked),
                requirement_ids=tuple(i for _, i in linked),
                row_version=ev.row_version,
                updated_at=ev.updated_at,
            )
        )
    return out


def list_evidence(
    *,
    session: Session,
    requirement_id: int | None = None,
    until_before: dt.date | None = None,
    until_from: dt.date | None = None,
) -> list[EvidenceRow]:
    """Evidence by id, optionally of one item and with validity ending in [from, before)."""
    e = Evidence.__table__.c  # type: ignore[attr-defined]
    where = []
    if requirement_id is not None:
        l = EvidenceLink.__table__.c  # type: ignore[attr-defined]  # noqa: E741
        where.append(e.id.in_(select(l.evidence_id).where(l.requirement_id == requirement_id)))
    if until_before is not None:
        where.append(e.valid_until < until_before)
    if until_from is not None:
        where.append(e.valid_until >= until_from)
    return _rows(session, *where)


def get(*, session: Session, evidence_id: int) -> EvidenceRow:
    rows = _rows(session, Evidence.__table__.c.id == evidence_id)  # type: ignore[attr-defined]
    if not rows:
        raise NotFoundError(f"evidence {evidence_id} is not in the register")
    return rows[0]


def expired(
    *, session: Session, today: dt.date | None = None, requirement_id: int | None = None
) -> list[EvidenceRow]:
    return list_evidence(
        session=session, requirement_id=requirement_id, until_before=today or dt.date.today()
    )


def expiring_within(
    *,
    session: Session,
    days: int = EXPIRING_DAYS,
    today: dt.date | None = None,
    requirement_id: int | None = None,
) -> list[EvidenceRow]:
    """Evidence still valid today whose validity ends within the next days."""
    today = today or dt.date.today()
    return list_evidence(
        session=session,
        requirement_id=requirement_id,
        until_from=today,
        until_before=today + dt.timedelta(days=days + 1),
    )


def revisions(*, session: Session, evidence_id: int) -> list[RevisionRow]:
    """Every revision of a file, oldest first (empty for a link)."""
    v, p = EvidenceRevision.__table__.c, Person.__table__.c  # type: ignore[attr-defined]
    query = (
        select(
            v.id,
            v.evidence_id,
            v.number,
            v.sha256,
            v.size,
            v.media_type,
            v.original_name,
            v.note,
            p.email,
            v.added_at,
        )
        .outerjoin(Person, p.id == v.added_by)
        .where(v.evidence_id == evidence_id)
        .order_by(v.number)
    )
    return [RevisionRow._make(row) for row in session.execute(query)]
