"""Upgrading the register to a newer catalogue version: diff, then apply keeping all work.

Items keep their row id through an upgrade: a renamed code is an update of the item's
"key" field, so its history (events by row id) reads straight through the rename.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker import audit, rules
from gpaitracker import catalogue as catalogue_files
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.catalogue import CatalogueFile, Entry
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity, Status
from gpaitracker.errors import ValidationError
from gpaitracker.models import (
    AIModel,
    Catalogue,
    CatalogueEntry,
    Comment,
    EvidenceLink,
    Requirement,
)
from gpaitracker.services import catalogues, organisation
from gpaitracker.services.register import requirement_key

REQ = Entity.REQUIREMENT
_COMPARED = (
    "kind",
    "parent",
    "title",
    "reference",
    "summary",
    "applies",
    "due",
    "recurrence_months",
    "evidence",
    "kpis",
)
# When merged items disagree, the merged item takes the least advanced status.
_PROGRESS = {
    Status.BLOCKED: 0,
    Status.NOT_STARTED: 1,
    Status.IN_PROGRESS: 2,
    Status.IN_REVIEW: 3,
    Status.DONE: 4,
    Status.NOT_APPLICABLE: 5,
}


@dataclass(frozen=True)
class CatalogueDiff:
    """What loading a catalogue version would change, by entry code."""

    catalogue_id: str
    from_version: str | None
    to_version: str
    added: tuple[str, ...] = ()
    changed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # code -> fields
    renamed: Mapping[str, str] = field(default_factory=dict)  # old code -> new code
    merged: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # new -> old codes
    withdrawn: tuple[str, ...] = ()
    unchanged: int = 0

    @property
    def is_new_catalogue(self) -> bool:
        return self.from_version is None

    def lines(self) -> list[str]:
        head = (
            f"{self.catalogue_id}: new catalogue, version {self.to_version}"
            if self.is_new_catalogue
            else f"{self.catalogue_id}: {self.from_version} -> {self.to_version}"
        )
        out = [head]
        out += [f"  added      {c}" for c in self.added]
        out += [f"  changed    {c} ({', '.join(f)})" for c, f in self.changed.items()]
        out += [
            f"  renamed    {o} -> {n}"
            for o, n in self.renamed.items()
            if not any(o in olds for olds in self.merged.values())
        ]
        out += [f"  merged     {', '.join(o)} -> {n}" for n, o in self.merged.items()]
        out += [f"  withdrawn  {c}" for c in self.withdrawn]
        out.append(
            f"  {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.renamed)} mapped, {len(self.withdrawn)} withdrawn, "
            f"{self.unchanged} unchanged"
        )
        return out


def _stored_view(entry: CatalogueEntry) -> dict[str, object]:
    return {
        "kind": entry.kind,
        "parent": entry.parent_code,
        "title": entry.title,
        "reference": entry.reference,
        "summary": entry.summary,
        "applies": tuple(entry.applies),
        "due": entry.due_rule,
        "recurrence_months": entry.recurrence_months,
        "evidence": tuple(entry.evidence),
        "kpis": tuple(entry.kpis),
    }


def _file_view(entry: Entry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in _COMPARED}


def active_version(session: Session, catalogue_id: str) -> Catalogue | None:
    return session.execute(
        select(Catalogue).where(
            col(Catalogue.catalogue_id) == catalogue_id,
            col(Catalogue.active).is_(True),
        )
    ).scalar()


def pending(*, session: Session, file: Path | None = None) -> list[CatalogueFile]:
    """The given catalogue file (diff() explains if it cannot apply), else newer built-ins."""
    if file is not None:
        return [catalogue_files.load_file(Path(file))]
    out = []
    for cat in catalogue_files.shipped():
        current = active_version(session, cat.id)
        if current is None or (current.published, current.version) < (cat.published, cat.version):
            out.append(cat)
    return out


def diff(*, session: Session, new: CatalogueFile) -> CatalogueDiff:
    """What loading `new` would change compared with the active version of its catalogue."""
    current = active_version(session, new.id)
    if current is None:
        return CatalogueDiff(
            new.id, None, new.version, added=tuple(e.code for e in new.entries if e.tracked)
        )
    if current.version == new.version:
        raise ValidationError(f"catalogue {new.id} version {new.version} is already in use")
    if current.published > new.published:
        raise ValidationError(
            f"catalogue {new.id} version {new.version} ({new.published}) is older than "
            f"the version in use, {current.version} ({current.published})"
        )
    assert current.id is not None
    old = {e.code: e for e in catalogues.entries_of(session=session, catalogue_pk=current.id)}
    mapping = new.upgrade.mapping if new.upgrade else {}
    dropped = new.upgrade.withdrawn if new.upgrade else frozenset()
    reached: set[str] = set()
    changed: dict[str, tuple[str, ...]] = {}
    renamed: dict[str, str] = {}
    merged: dict[str, list[str]] = {}
    withdrawn: list[str] = []
    unchanged = 0
    for code, entry in old.items():
        if code in new.by_code:
            reached.add(code)
            stored = _stored_view(entry)
            fields = tuple(
                name
                for name, value in _file_view(new.by_code[code]).items()
                if stored[name] != value
            )
            if fields:
                changed[code] = fields
            else:
                unchanged += 1
        elif code in mapping:
            targets = mapping[code]
            renamed[code] = targets[0]
            reached.update(targets)
            merged.setdefault(targets[0], []).append(code)
        elif code in dropped or catalogues.is_tracked(entry):
            withdrawn.append(code)
    return CatalogueDiff(
        new.id,
        current.version,
        new.version,
        added=tuple(e.code for e in new.entries if e.tracked and e.code not in reached),
        changed=changed,
        renamed=renamed,
        merged={n: tuple(o) for n, o in merged.items() if len(o) > 1},
        withdrawn=tuple(withdrawn),
        unchanged=unchanged,
    )


@write_service(Permission.ADMIN)
def upgrade(*, session: Session, actor: Actor, new: CatalogueFile) -> Changes:
    """Install `new` and carry every register item over to it, keeping all work."""
    plan = diff(session=session, new=new)
    installed = catalogues.install(session=session, actor=actor, cat=new)
    assert installed.id is not None
    new_entries = {
        e.code: e for e in catalogues.entries_of(session=session, catalogue_pk=installed.id)
    }
    org = organisation.load(session)
    old_pks = [
        c.id
        for c in session.execute(
            select(Catalogue).where(col(Catalogue.catalogue_id) == plan.catalogue_id)
        ).scalars()
        if c.version != plan.to_version
    ]
    models = session.execute(select(AIModel).order_by(AIModel.slug)).scalars().all()
    for model in models:
        facts = catalogues.facts_for(org, model)
        audit.record(
            session, actor, _upgrade_model(session, model, facts, plan, old_pks, new_entries)
        )
    return audit.change_set(session)


def _upgrade_model(
    session: Session,
    model: AIModel,
    facts: rules.Facts,
    plan: CatalogueDiff,
    old_pks: list[int | None],
    new_entries: dict[str, CatalogueEntry],
) -> list[Change]:
    entry = CatalogueEntry.__table__.c  # type: ignore[attr-defined]
    items = (
        session.execute(
            select(Requirement)
            .join(CatalogueEntry, entry.id == Requirement.entry_id)
            .where(col(Requirement.model_id) == model.id, entry.catalogue_pk.in_(old_pks))
            .order_by(col(Requirement.code), col(Requirement.occurrence))
        )
        .scalars()
        .all()
    )
    changes: list[Change] = []
    survivors: dict[tuple[str, int], Requirement] = {}
    for item in items:
        old_key = requirement_key(model.slug, item.code, item.occurrence)
        target = plan.renamed.get(item.code, item.code)
        if item.code in plan.withdrawn or target not in new_entries:
            if not item.withdrawn:
                item.withdrawn = True
                changes.append(Change("withdraw", REQ, item.id, old_key, "withdrawn", False, True))
            continue
        slot = (target, item.occurrence)
        if slot in survivors:
            changes += _merge(session, survivors[slot], item, model.slug)
            continue
        new_key = requirement_key(model.slug, target, item.occurrence)
        if target != item.code:
            changes.append(Change("update", REQ, item.id, old_key, "key", old_key, new_key))
        target_entry = new_entries[target]
        changes.append(
            Change("upgrade", REQ, item.id, new_key, "catalogue", item.entry_id, target_entry.id)
        )
        assert target_entry.id is not None
        item.code, item.entry_id = target, target_entry.id
        survivors[slot] = item
    session.flush()
    have: set[str] = set(
        session.execute(
            select(col(Requirement.code)).where(col(Requirement.model_id) == model.id)
        ).scalars()
    )
    wanted = [
        e
        for code, e in new_entries.items()
        if code not in have
        and catalogues.is_tracked(e)
        and rules.applies(catalogues.entry_rule(e), facts)
    ]
    changes += catalogues.create_requirements(session, model, wanted, facts)
    return changes


def _merge(session: Session, keep: Requirement, gone: Requirement, slug: str) -> list[Change]:
    """Fold `gone` into `keep`: owners fill gaps, comments and evidence are combined."""
    keep_key = requirement_key(slug, keep.code, keep.occurrence)
    gone_key = requirement_key(slug, gone.code, gone.occurrence)
    changes = [Change("merge", REQ, gone.id, gone_key, "merged_into", None, keep_key)]

    def change(field: str, old: object, new: object) -> None:
        changes.append(Change("merge", REQ, keep.id, keep_key, field, old, new))

    for attr in ("owner_id", "reviewer_id", "due_date"):
        if getattr(keep, attr) is None and getattr(gone, attr) is not None:
            setattr(keep, attr, getattr(gone, attr))
            change(attr, None, getattr(gone, attr))
    # Comments are append-only: the kept item gets a copy of each, marked with its origin.
    comment = Comment.__table__.c  # type: ignore[attr-defined]
    assert keep.id is not None
    for row in session.execute(
        select(comment.at, comment.author_id, comment.text)
        .where(comment.requirement_id == gone.id)
        .order_by(comment.id)
    ):
        text = f"[from {gone_key}] {row.text}"
        session.add(
            Comment(
                requirement_id=keep.id, author_id=row.author_id, at=row.at, kind="merged", text=text
            )
        )
        change("comment", None, text)
    slower = min(Status(keep.status), Status(gone.status), key=_PROGRESS.__getitem__)
    if slower != keep.status:
        change("status", keep.status, slower)
        keep.status = slower
    link = EvidenceLink.__table__.c  # type: ignore[attr-defined]
    linked: set[int] = set(
        session.execute(select(link.evidence_id).where(link.requirement_id == keep.id)).scalars()
    )
    evidence_id: int
    for evidence_id in session.execute(
        select(link.evidence_id).where(link.requirement_id == gone.id).order_by(link.evidence_id)
    ).scalars():
        if evidence_id not in linked:
            assert keep.id is not None
            session.add(EvidenceLink(evidence_id=evidence_id, requirement_id=keep.id))
            change("evidence", None, evidence_id)
    gone.withdrawn = True
    assert gone.id is not None
    session.add(Comment(requirement_id=gone.id, kind="merged", text=f"Merged into {keep_key}."))
    return changes
