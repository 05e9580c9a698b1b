"""Carrying register items over to a catalogue version, keeping all work.

Each item of the catalogue (of any version) is matched to the code it continues as in the
target version: its own code if the target defines it, else where the target's [upgrade] map
sends it, else (reinstalling only) an earlier code of the same row, from its key history.
Items keep their row id: a renamed code is an update of the item's "key" field. Several live
items on one code are merged; an item withdrawn earlier comes back when its code returns and
no other item holds it. Statuses lowered by a merge are never raised again here: that would
approve work without a reviewer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker import rules
from gpaitracker.audit import Change
from gpaitracker.enums import Entity, Status
from gpaitracker.models import (
    AIModel,
    AuditEvent,
    CatalogueEntry,
    Comment,
    EvidenceLink,
    Requirement,
)
from gpaitracker.services import catalogues
from gpaitracker.services.register import requirement_key

REQ = Entity.REQUIREMENT
# When merged items disagree, the merged item takes the least advanced status.
_PROGRESS = {
    Status.BLOCKED: 0,
    Status.NOT_STARTED: 1,
    Status.IN_PROGRESS: 2,
    Status.IN_REVIEW: 3,
    Status.DONE: 4,
    Status.NOT_APPLICABLE: 5,
}
Resolve = Callable[[str], str | None]  # old code -> code in the target version, or None


def resolver(new_codes: set[str], mapping: Mapping[str, tuple[str, ...]]) -> Resolve:
    """Own code if the target defines it, else the first target of the map, else None."""

    def resolve(code: str) -> str | None:
        if code in new_codes:
            return code
        targets = mapping.get(code)
        return targets[0] if targets else None

    return resolve


def _earlier_codes(session: Session, item_ids: list[int]) -> dict[int, list[str]]:
    """Codes each item had before its key was changed, most recent first."""
    a = AuditEvent.__table__.c  # type: ignore[attr-defined]
    out: dict[int, list[str]] = {}
    rows = session.execute(
        select(a.row_id, a.old_value)
        .where(a.entity == REQ.value, a.field == "key", a.row_id.in_(item_ids))
        .order_by(a.id.desc())
    )
    for row in rows:
        old_key = str(row.old_value or "")
        if "/" in old_key:
            out.setdefault(int(row.row_id), []).append(old_key.split("/", 1)[1].split("#", 1)[0])
    return out


def carry_model(
    session: Session,
    model: AIModel,
    facts: rules.Facts,
    catalogue_pks: list[int],
    new_entries: dict[str, CatalogueEntry],
    resolve: Resolve,
    use_history: bool = False,
) -> list[Change]:
    """Move the model's items of these catalogue versions onto new_entries; add what is new."""
    entry = CatalogueEntry.__table__.c  # type: ignore[attr-defined]
    items = (
        session.execute(
            select(Requirement)
            .join(CatalogueEntry, entry.id == Requirement.entry_id)
            .where(col(Requirement.model_id) == model.id, entry.catalogue_pk.in_(catalogue_pks))
        )
        .scalars()
        .all()
    )
    history: dict[int, list[str]] = {}
    if use_history:
        unresolved = [i.id for i in items if i.id is not None and resolve(i.code) is None]
        history = _earlier_codes(session, unresolved) if unresolved else {}
    planned: list[tuple[tuple[object, ...], Requirement, str | None]] = []
    for item in items:
        target, via_history = resolve(item.code), False
        if target is None:
            assert item.id is not None
            for code in history.get(item.id, []):
                if (target := resolve(code)) is not None:
                    via_history = True
                    break
        # Items already on their code first, so a rename never meets a code still held;
        # then live before withdrawn, so work survives rather than an old withdrawn row.
        order = (target != item.code, item.withdrawn, via_history, item.code, item.occurrence)
        planned.append((order, item, target))
    planned.sort(key=lambda p: p[0])
    changes: list[Change] = []
    survivors: dict[tuple[str, int], Requirement] = {}
    for _, item, target in planned:
        before = session.get(CatalogueEntry, item.entry_id)
        changes += _carry_item(session, model.slug, item, target, survivors, new_entries)
        if before is not None and target is not None and not item.withdrawn:
            changes += _move_default_due(model.slug, item, before, new_entries[target], facts)
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
    return changes + catalogues.create_requirements(session, model, wanted, facts)


def _carry_item(
    session: Session,
    slug: str,
    item: Requirement,
    target: str | None,
    survivors: dict[tuple[str, int], Requirement],
    new_entries: dict[str, CatalogueEntry],
) -> list[Change]:
    old_key = requirement_key(slug, item.code, item.occurrence)
    if target is None:
        if item.withdrawn:
            return []
        item.withdrawn = True
        return [Change("withdraw", REQ, item.id, old_key, "withdrawn", False, True)]
    slot = (target, item.occurrence)
    if slot in survivors:
        # A withdrawn item whose place is held stays as it is: it was merged before.
        return [] if item.withdrawn else _merge(session, survivors[slot], item, slug)
    changes: list[Change] = []
    new_key = requirement_key(slug, target, item.occurrence)
    if target != item.code:
        changes.append(Change("update", REQ, item.id, old_key, "key", old_key, new_key))
    target_entry = new_entries[target]
    assert target_entry.id is not None
    if item.entry_id != target_entry.id:
        changes.append(
            Change("upgrade", REQ, item.id, new_key, "catalogue", item.entry_id, target_entry.id)
        )
    if item.withdrawn:
        changes.append(Change("restore", REQ, item.id, new_key, "withdrawn", True, False))
        item.withdrawn = False
        assert item.id is not None
        text = f"Back in the register: the catalogue defines {target} again."
        session.add(Comment(requirement_id=item.id, kind="restored", text=text))
    item.code, item.entry_id = target, target_entry.id
    survivors[slot] = item
    return changes


def _move_default_due(
    slug: str, item: Requirement, before: CatalogueEntry, after: CatalogueEntry, facts: rules.Facts
) -> list[Change]:
    """An open first occurrence still on the old rule's default date takes the new rule's."""
    if item.occurrence != 1 or item.status in (Status.DONE, Status.NOT_APPLICABLE):
        return []
    old_due = catalogues.default_due(before, facts)
    new_due = catalogues.default_due(after, facts)
    if item.due_date != old_due or old_due == new_due:
        return []
    item.due_date = new_due
    key = requirement_key(slug, item.code, item.occurrence)
    return [Change("update", REQ, item.id, key, "due_date", old_due, new_due)]


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
            session.add(EvidenceLink(evidence_id=evidence_id, requirement_id=keep.id))
            change("evidence", None, evidence_id)
    gone.withdrawn = True
    assert gone.id is not None
    session.add(Comment(requirement_id=gone.id, kind="merged", text=f"Merged into {keep_key}."))
    return changes
