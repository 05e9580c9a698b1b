"""Evidence: files and links attached to register items, revisions, expiry and export."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlmodel import Session, col, select

from gpaitracker import audit, rules, validation
from gpaitracker.audit import Change
from gpaitracker.errors import NotFoundError, StorageError, ValidationError
from gpaitracker.evidence_store import (
    CHUNK,
    Cancel,
    EvidenceStore,
    Progress,
    StoredObject,
    display_name,
    read_into,
)
from gpaitracker.models import (
    AIModel,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    Person,
    Requirement,
)
from gpaitracker.services import register

EXPIRING_DAYS = 30


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    title: str
    kind: str
    url: str | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    revision: int | None
    sha256: str | None
    size: int | None
    name: str | None
    keys: list[str] = field(default_factory=list)

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


def _dates(valid_from: object, valid_until: object) -> tuple[dt.date | None, dt.date | None]:
    start = end = None
    if valid_from not in (None, ""):
        start = rules.parse_date(valid_from, "valid-from date")
    if valid_until not in (None, ""):
        end = rules.parse_date(valid_until, "valid-until date")
    if start and end and end < start:
        raise ValidationError(
            f"valid-until date {end.isoformat()} is before valid-from date {start.isoformat()}"
        )
    return start, end


def check_url(url: object) -> str:
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


def _new(
    session: Session, actor: Person, key: str, kind: str, title: str, description: str,
    url: str | None, valid_from: object, valid_until: object,
) -> tuple[Evidence, list[Change]]:  # fmt: skip
    validation.require_writer(actor)
    item, model = register.get_by_key(session=session, key=key)
    start, end = _dates(valid_from, valid_until)
    ev = Evidence(
        title=validation.text(title, "title", required=True),
        description=validation.text(
            description, "description", max_chars=validation.MAX_NOTE_CHARS
        ),
        kind=kind, url=url, valid_from=start, valid_until=end, created_by=actor.id,
    )  # fmt: skip
    session.add(ev)
    session.flush()
    assert ev.id is not None and item.id is not None
    session.add(EvidenceLink(evidence_id=ev.id, requirement_id=item.id))
    ref = str(ev.id)
    changes = [
        Change("create", "evidence", ref, f, None, getattr(ev, f))
        for f in ("title", "kind", "url", "valid_from", "valid_until")
        if getattr(ev, f) is not None
    ] + [Change("link", "evidence", ref, "requirement", None, register.key_of(item, model))]
    return ev, changes


def _revision(
    session: Session, actor: Person, ev: Evidence, obj: StoredObject, note: str
) -> Change:
    last = session.exec(
        select(func.max(EvidenceRevision.number)).where(EvidenceRevision.evidence_id == ev.id)
    ).one()
    assert ev.id is not None
    rev = EvidenceRevision(
        evidence_id=ev.id, number=(last or 0) + 1, sha256=obj.sha256, size=obj.size,
        media_type=obj.media_type, original_name=obj.name, added_by=actor.id,
        note=validation.text(note, "note", max_chars=validation.MAX_NOTE_CHARS),
    )  # fmt: skip
    session.add(rev)
    return Change("revise", "evidence", str(ev.id), f"revision {rev.number}", None,
                  f"{obj.sha256} {obj.size} bytes {obj.name}")  # fmt: skip


def _stored(
    store: EvidenceStore,
    source: str | os.PathLike[str] | StoredObject,
    progress: Progress | None,
    cancel: Cancel | None,
) -> StoredObject:
    # A StoredObject imported beforehand keeps the write lock short for big files.
    if isinstance(source, StoredObject):
        return source
    return store.import_file(source, progress, cancel)


def check_new(
    *, session: Session, actor: Person, key: str, title: str | None = None,
    description: str = "", valid_from: object = None, valid_until: object = None,
) -> None:  # fmt: skip
    """Validate what needs no file, so bad input fails before a long copy."""
    validation.require_writer(actor)
    register.get_by_key(session=session, key=key)
    if title:
        validation.text(title, "title", required=True)
    validation.text(description, "description", max_chars=validation.MAX_NOTE_CHARS)
    _dates(valid_from, valid_until)


def add_file_evidence(
    *, session: Session, actor: Person, store: EvidenceStore, key: str,
    path: str | os.PathLike[str] | StoredObject, title: str | None = None, description: str = "",
    valid_from: object = None, valid_until: object = None,
    progress: Progress | None = None, cancel: Cancel | None = None,
) -> Evidence:  # fmt: skip
    """Store the file first, then add its rows; a failed commit only leaves an unused object."""
    check_new(session=session, actor=actor, key=key, title=title, description=description,
              valid_from=valid_from, valid_until=valid_until)  # fmt: skip
    obj = _stored(store, path, progress, cancel)
    ev, changes = _new(session, actor, key, "file", title or obj.name, description, None,
                       valid_from, valid_until)  # fmt: skip
    changes.append(_revision(session, actor, ev, obj, ""))
    session.flush()
    audit.record(session, actor.email, changes)
    return ev


def add_link_evidence(
    *, session: Session, actor: Person, key: str, url: str, title: str | None = None,
    description: str = "", valid_from: object = None, valid_until: object = None,
) -> Evidence:  # fmt: skip
    clean = check_url(url)
    ev, changes = _new(session, actor, key, "link", title or clean[:300], description, clean,
                       valid_from, valid_until)  # fmt: skip
    session.flush()
    audit.record(session, actor.email, changes)
    return ev


def add_revision(
    *, session: Session, actor: Person, store: EvidenceStore, evidence_id: int,
    path: str | os.PathLike[str] | StoredObject, note: str = "",
    progress: Progress | None = None, cancel: Cancel | None = None,
) -> EvidenceRevision:  # fmt: skip
    """Add a new revision of a file; earlier revisions stay."""
    validation.require_writer(actor)
    ev = _get(session, evidence_id)
    if ev.kind != "file":
        raise ValidationError(f"evidence {evidence_id} is a link; only files have revisions")
    obj = _stored(store, path, progress, cancel)
    change = _revision(session, actor, ev, obj, note)
    session.flush()
    audit.record(session, actor.email, [change])
    return revisions(session=session, evidence_id=evidence_id)[-1]


def link(*, session: Session, actor: Person, evidence_id: int, key: str) -> None:
    validation.require_writer(actor)
    ev = _get(session, evidence_id)
    item, model = register.get_by_key(session=session, key=key)
    if session.get(EvidenceLink, (ev.id, item.id)) is not None:
        raise ValidationError(f"evidence {evidence_id} is already linked to {key}")
    assert ev.id is not None and item.id is not None
    session.add(EvidenceLink(evidence_id=ev.id, requirement_id=item.id))
    session.flush()
    audit.record(session, actor.email, [Change("link", "evidence", str(ev.id), "requirement",
                                               None, register.key_of(item, model))])  # fmt: skip


def unlink(*, session: Session, actor: Person, evidence_id: int, key: str) -> None:
    validation.require_writer(actor)
    ev = _get(session, evidence_id)
    item, model = register.get_by_key(session=session, key=key)
    row = session.get(EvidenceLink, (ev.id, item.id))
    if row is None:
        raise ValidationError(f"evidence {evidence_id} is not linked to {key}")
    if len(_keys(session, [evidence_id])[evidence_id]) == 1:
        raise ValidationError(
            f"evidence {evidence_id} is only linked to {key}; link it elsewhere first"
        )
    session.delete(row)
    session.flush()
    audit.record(session, actor.email, [Change("unlink", "evidence", str(ev.id), "requirement",
                                               register.key_of(item, model), None)])  # fmt: skip


def revisions(*, session: Session, evidence_id: int) -> list[EvidenceRevision]:
    query = select(EvidenceRevision).where(EvidenceRevision.evidence_id == evidence_id)
    return list(session.exec(query.order_by(col(EvidenceRevision.number))))


def _keys(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in ids}
    query = (
        select(EvidenceLink.evidence_id, Requirement, AIModel)
        .join(Requirement, col(Requirement.id) == EvidenceLink.requirement_id)
        .join(AIModel, col(AIModel.id) == Requirement.model_id)
        .where(col(EvidenceLink.evidence_id).in_(ids))
    )
    for eid, item, model in session.exec(query):
        out[eid].append(register.key_of(item, model))
    return {k: sorted(v) for k, v in out.items()}


def list_evidence(
    *, session: Session, key: str | None = None, until_before: dt.date | None = None,
    until_from: dt.date | None = None,
) -> list[EvidenceRow]:  # fmt: skip
    """Evidence rows with their latest revision and linked keys, filtered by item and expiry."""
    query = select(Evidence)
    if key is not None:
        item, _ = register.get_by_key(session=session, key=key)
        linked = select(EvidenceLink.evidence_id).where(EvidenceLink.requirement_id == item.id)
        query = query.where(col(Evidence.id).in_(linked))
    if until_before is not None:
        query = query.where(col(Evidence.valid_until) < until_before)
    if until_from is not None:
        query = query.where(col(Evidence.valid_until) >= until_from)
    evs = list(session.exec(query.order_by(col(Evidence.id))))
    ids = [e.id for e in evs if e.id is not None]
    keys = _keys(session, ids)
    latest: dict[int, EvidenceRevision] = {}
    revs = select(EvidenceRevision).where(col(EvidenceRevision.evidence_id).in_(ids))
    for rev in session.exec(revs.order_by(col(EvidenceRevision.number))):
        latest[rev.evidence_id] = rev
    rows = []
    for e in evs:
        assert e.id is not None
        r = latest.get(e.id)
        rows.append(EvidenceRow(
            e.id, e.title, e.kind, e.url, e.valid_from, e.valid_until,
            r.number if r else None, r.sha256 if r else None, r.size if r else None,
            r.original_name if r else None, keys[e.id],
        ))  # fmt: skip
    return rows


def expired(*, session: Session, today: dt.date | None = None) -> list[EvidenceRow]:
    return list_evidence(session=session, until_before=today or dt.date.today())


def expiring_within(
    *, session: Session, days: int = EXPIRING_DAYS, today: dt.date | None = None
) -> list[EvidenceRow]:
    """Evidence still valid today whose validity ends within the next days."""
    today = today or dt.date.today()
    rows = list_evidence(session=session, until_before=today + dt.timedelta(days=days + 1))
    return [r for r in rows if r.valid_until is not None and r.valid_until >= today]


def export(
    *, session: Session, store: EvidenceStore, evidence_id: int, out_path: str | os.PathLike[str],
    revision: int | None = None, progress: Progress | None = None, overwrite: bool = False,
) -> Path:  # fmt: skip
    """Copy a revision out of the store, proving on the way that its bytes are unchanged."""
    ev = _get(session, evidence_id)
    revs = revisions(session=session, evidence_id=evidence_id)
    if not revs:
        raise ValidationError(f"evidence {evidence_id} is a link; there is no file to export")
    chosen = revs[-1] if revision is None else next((r for r in revs if r.number == revision), None)
    if chosen is None:
        raise NotFoundError(f"evidence {evidence_id} has no revision {revision}")
    out = Path(out_path)
    if out.is_dir():
        out = out / (chosen.original_name or display_name(chosen.sha256)).replace("/", "_")
    if out.exists() and not overwrite:
        raise ValidationError(f"output file {out} already exists")
    src = store.open(chosen.sha256)
    try:
        tmp_fd, tmp = tempfile.mkstemp(prefix=".gpaitracker-export-", dir=out.parent)
    except OSError as exc:
        os.close(src)
        raise StorageError(
            f"output folder {out.parent} cannot be written: {exc.strerror}"
        ) from None
    try:
        hasher, buf, done = hashlib.sha256(), bytearray(CHUNK), 0
        with os.fdopen(tmp_fd, "wb") as dst:
            while n := read_into(src, buf):
                hasher.update(memoryview(buf)[:n])
                dst.write(memoryview(buf)[:n])
                done += n
                if progress is not None:
                    progress(done, chosen.size)
        if hasher.hexdigest() != chosen.sha256:
            raise StorageError(
                f"evidence {ev.id} ({ev.title!r}) revision {chosen.number} was changed in the "
                "store; not exported (run 'gpaitracker evidence verify')"
            )
        os.replace(tmp, out)
        tmp = ""
    except OSError as exc:
        raise StorageError(f"output file {out} could not be written: {exc.strerror}") from None
    finally:
        os.close(src)
        if tmp:
            Path(tmp).unlink(missing_ok=True)
    return out


def open_copy(
    *, session: Session, store: EvidenceStore, evidence_id: int, revision: int | None = None
) -> Path:
    """A verified, writable temporary copy to hand to a viewer; the stored object stays as is."""
    folder = Path(tempfile.mkdtemp(prefix="gpaitracker-view-"))
    return export(session=session, store=store, evidence_id=evidence_id, out_path=folder,
                  revision=revision)  # fmt: skip
