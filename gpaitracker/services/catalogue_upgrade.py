"""Upgrading the register to a newer catalogue version: diff, then apply keeping all work."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from gpaitracker import audit, rules
from gpaitracker.audit import Change
from gpaitracker.catalogue import CatalogueFile, Entry
from gpaitracker.errors import ValidationError
from gpaitracker.models import (
    AIModel,
    Catalogue,
    CatalogueEntry,
    EvidenceLink,
    Organisation,
    Person,
    Requirement,
    Status,
)
from gpaitracker.services import catalogues
from gpaitracker.services.catalogues import requirement_key

_COMPARED = ("kind", "parent", "title", "reference", "summary", "applies", "due",
             "recurrence_months", "evidence", "kpis")  # fmt: skip
# When merged items disagree, the merged item takes the least advanced status.
_PROGRESS = {Status.BLOCKED: 0, Status.NOT_STARTED: 1, Status.IN_PROGRESS: 2,
             Status.IN_REVIEW: 3, Status.DONE: 4, Status.NOT_APPLICABLE: 5}  # fmt: skip


@dataclass
class CatalogueDiff:
    catalogue_id: str
    from_version: str | None
    to_version: str
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # code -> fields
    renamed: dict[str, str] = field(default_factory=dict)  # old code -> new code
    merged: dict[str, list[str]] = field(default_factory=dict)  # new code -> old codes
    withdrawn: list[str] = field(default_factory=list)
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
        out += [f"  renamed    {o} -> {n}" for o, n in self.renamed.items()
                if not any(o in olds for olds in self.merged.values())]  # fmt: skip
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
        "kind": entry.kind, "parent": entry.parent_code, "title": entry.title,
        "reference": entry.reference, "summary": entry.summary,
        "applies": tuple(json.loads(entry.applies)), "due": entry.due_rule,
        "recurrence_months": entry.recurrence_months,
        "evidence": tuple(json.loads(entry.evidence)), "kpis": tuple(json.loads(entry.kpis)),
    }  # fmt: skip


def _file_view(entry: Entry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in _COMPARED}


def active_version(session: Session, catalogue_id: str) -> Catalogue | None:
    return session.exec(
        select(Catalogue).where(
            Catalogue.catalogue_id == catalogue_id,
            Catalogue.active == True,  # noqa: E712
        )
    ).first()


def diff(*, session: Session, new: CatalogueFile) -> CatalogueDiff:
    """What loading `new` would change compared with the active version of its catalogue."""
    current = active_version(session, new.id)
    result = CatalogueDiff(new.id, current.version if current else None, new.version)
    if current is None:
        result.added = [e.code for e in new.entries if e.tracked]
        return result
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
    for code, entry in old.items():
        if code in new.by_code:
            reached.add(code)
            fields = [
                name for name, value in _file_view(new.by_code[code]).items()
                if _stored_view(entry)[name] != value
            ]  # fmt: skip
            if fields:
                result.changed[code] = fields
            else:
                result.unchanged += 1
        elif code in mapping:
            targets = mapping[code]
            result.renamed[code] = targets[0]
            reached.update(targets)
            result.merged.setdefault(targets[0], []).append(code)
        elif code in dropped or catalogues.is_tracked(entry):
            result.withdrawn.append(code)
    result.merged = {n: o for n, o in result.merged.items() if len(o) > 1}
    result.added = [e.code for e in new.entries if e.tracked and e.code not in reached]
    return result


def upgrade(
    *, session: Session, actor: Person, new: CatalogueFile
) -> tuple[CatalogueDiff, list[str]]:
    """Install `new` and carry every register item over; returns the diff and affected keys."""
    plan = diff(session=session, new=new)
    installed = catalogues.install(session=session, actor=actor, cat=new)
    assert installed.id is not None
    new_entries = {
        e.code: e for e in catalogues.entries_of(session=session, catalogue_pk=installed.id)
    }
    org = session.exec(select(Organisation)).one()
    touched: list[str] = []
    for model in session.exec(select(AIModel).order_by(AIModel.slug)).all():
        touched += _upgrade_model(session, actor, org, model, plan, new_entries)
    return plan, touched


def _upgrade_model(
    session: Session,
    actor: Person,
    org: Organisation,
    model: AIModel,
    plan: CatalogueDiff,
    new_entries: dict[str, CatalogueEntry],
) -> list[str]:
    changes: list[Change] = []
    facts = catalogues.facts_for(org, model)
    old_pks = [
        c.id for c in session.exec(
            select(Catalogue).where(Catalogue.catalogue_id == plan.catalogue_id)
        ).all() if c.version != plan.to_version
    ]  # fmt: skip
    items = session.exec(
        select(Requirement)
        .join(CatalogueEntry, col(CatalogueEntry.id) == Requirement.entry_id)
        .where(Requirement.model_id == model.id, col(CatalogueEntry.catalogue_pk).in_(old_pks))
        .order_by(col(Requirement.code), col(Requirement.occurrence))
    ).all()
    survivors: dict[tuple[str, int], Requirement] = {}
    for item in items:
        old_key = requirement_key(model.slug, item.code, item.occurrence)
        target = plan.renamed.get(item.code, item.code)
        if item.code in plan.withdrawn or target not in new_entries:
            if not item.withdrawn:
                item.withdrawn = True
                item.version += 1
                changes.append(Change("withdraw", "requirement", old_key, "withdrawn", False, True))
            continue
        slot = (target, item.occurrence)
        if slot in survivors:
            changes += _merge(session, survivors[slot], item, model, target)
            continue
        entry = new_entries[target]
        if target != item.code:
            changes.append(
                Change(
                    "remap",
                    "requirement",
                    old_key,
                    "key",
                    old_key,
                    requirement_key(model.slug, target, item.occurrence),
                )  # fmt: skip
            )
        changes.append(
            Change(
                "upgrade",
                "requirement",
                requirement_key(model.slug, target, item.occurrence),
                "catalogue",
                item.entry_id,
                entry.id,
            )  # fmt: skip
        )
        assert entry.id is not None
        item.code, item.entry_id = target, entry.id
        item.version += 1
        session.add(item)
        survivors[slot] = item
    session.flush()
    have = {code for code, _ in survivors}
    for code, entry in new_entries.items():
        if code in have or not catalogues.is_tracked(entry):
            continue
        if not rules.applies(catalogues.entry_rule(entry), facts):
            continue
        if session.exec(
            select(Requirement.id).where(Requirement.model_id == model.id, Requirement.code == code)
        ).first():
            continue
        _, change = catalogues.create_requirement(session, model, entry, facts)
        changes.append(change)
    session.flush()
    audit.record(session, actor.email, changes)
    return sorted({c.entity_id for c in changes})


def _merge(
    session: Session, keep: Requirement, gone: Requirement, model: AIModel, target: str
) -> list[Change]:
    """Fold `gone` into `keep`: owners fill gaps, notes and evidence are combined."""
    keep_key = requirement_key(model.slug, target, keep.occurrence)
    gone_key = requirement_key(model.slug, gone.code, gone.occurrence)
    changes = [Change("merge", "requirement", gone_key, "merged_into", None, keep_key)]
    for attr in ("owner_id", "reviewer_id", "due_date"):
        if getattr(keep, attr) is None and getattr(gone, attr) is not None:
            setattr(keep, attr, getattr(gone, attr))
            changes.append(
                Change("merge", "requirement", keep_key, attr, None, getattr(gone, attr))
            )
    if gone.notes:
        keep.notes = f"{keep.notes}\n[from {gone_key}] {gone.notes}".strip()
        changes.append(Change("merge", "requirement", keep_key, "notes", None, keep.notes))
    slower = min(Status(keep.status), Status(gone.status), key=_PROGRESS.__getitem__)
    if slower != keep.status:
        changes.append(Change("merge", "requirement", keep_key, "status", keep.status, slower))
        keep.status = slower.value
    linked = set(
        session.exec(select(EvidenceLink.evidence_id).where(EvidenceLink.requirement_id == keep.id))
    )
    for link in session.exec(select(EvidenceLink).where(EvidenceLink.requirement_id == gone.id)):
        if link.evidence_id not in linked:
            assert keep.id is not None
            session.add(EvidenceLink(evidence_id=link.evidence_id, requirement_id=keep.id))
            changes.append(Change("merge", "requirement", keep_key, "evidence", None,
                                  link.evidence_id))  # fmt: skip
    gone.withdrawn = True
    gone.notes = f"{gone.notes}\nMerged into {keep_key}.".strip()
    gone.version += 1
    keep.version += 1
    session.add(keep)
    session.add(gone)
    return changes


def history_keys(*, session: Session, key: str) -> list[str]:
    """The item's key and every key it had before upgrades renamed it."""
    from gpaitracker.models import AuditEvent

    keys = [key]
    frontier = [key]
    while frontier:
        current = frontier.pop()
        for old in session.exec(
            select(AuditEvent.old_value).where(
                AuditEvent.action == "remap", AuditEvent.new_value == current
            )
        ).all():
            if old and old not in keys:
                keys.append(old)
                frontier.append(old)
    return keys
