"""Upgrading the register to a newer catalogue version: diff, then apply keeping all work.

Items keep their row id through an upgrade: a renamed code is an update of the item's
"key" field, so its history (events by row id) reads straight through the rename (see
catalogue_carry). What a file must satisfy first is in catalogue_trust.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker import audit
from gpaitracker import catalogue as catalogue_files
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.catalogue import CatalogueFile, Entry
from gpaitracker.changes import Changes
from gpaitracker.errors import ValidationError
from gpaitracker.models import AIModel, Catalogue, CatalogueEntry
from gpaitracker.services import (
    catalogue_carry,
    catalogue_trust,
    catalogues,
    organisation,
    scope,
)

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
    "level",
)


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
    tracked_before: int = 0  # tracked entries of the version in use
    lost: int = 0  # of those, withdrawn or merged into another entry
    reinstall: bool = False  # back to a built-in version, whatever version is in use

    @property
    def is_new_catalogue(self) -> bool:
        return self.from_version is None

    @property
    def major(self) -> bool:
        """More than half of the entries in use would be withdrawn or merged away."""
        return not self.reinstall and self.lost * 2 > self.tracked_before

    def lines(self) -> list[str]:
        if self.is_new_catalogue:
            head = f"{self.catalogue_id}: new catalogue, version {self.to_version}"
        else:
            head = f"{self.catalogue_id}: {self.from_version} -> {self.to_version}"
        if self.reinstall:
            head += " (reinstalling the built-in version)"
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
        if self.major:
            out.append(
                f"  major change: {self.lost} of the {self.tracked_before} tracked entries in "
                "use would be withdrawn or merged away"
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
        "level": entry.level,
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


def _in_use_is_genuine(current: Catalogue) -> bool:
    if not catalogue_trust.is_builtin_id(current.catalogue_id):
        return True
    return catalogue_trust.is_genuine_builtin(current.catalogue_id, current.source_sha256)


def pending(*, session: Session, file: Path | None = None) -> list[CatalogueFile]:
    """The given catalogue file (diff() explains if it cannot apply), else newer built-ins.

    A built-in catalogue whose version in use is not a shipped file is left to reinstalls().
    """
    if file is not None:
        return [catalogue_files.load_file(Path(file))]
    out = []
    for cat in catalogue_files.shipped():
        current = active_version(session, cat.id)
        newer = current is not None and (current.published, current.version) < (
            cat.published,
            cat.version,
        )
        if current is None or (newer and _in_use_is_genuine(current)):
            out.append(cat)
    return [c for i, c in enumerate(out) if all(o.id != c.id for o in out[i + 1 :])]


def reinstalls(*, session: Session, catalogue_id: str | None = None) -> list[CatalogueFile]:
    """The newest built-in version of each built-in catalogue (or of one) not in use now."""
    ids = [catalogue_id] if catalogue_id else sorted(catalogue_trust.builtin_ids())
    out = []
    for cat_id in ids:
        newest = catalogue_trust.newest_builtin(cat_id)
        current = active_version(session, cat_id)
        if current is None or current.source_sha256 != newest.sha256:
            out.append(newest)
    return out


def diff(*, session: Session, new: CatalogueFile, reinstall: bool = False) -> CatalogueDiff:
    """What loading `new` would change compared with the active version of its catalogue.

    Refuses a file that may not change the register (see catalogue_trust). With reinstall,
    `new` must be the newest built-in version, and it replaces whatever version is in use.
    """
    new = catalogue_trust.genuine(new)
    if reinstall and new != catalogue_trust.newest_builtin(new.id):
        raise ValidationError(
            f"catalogue {new.id} version {new.version} is not the newest built-in"
        )
    catalogue_trust.check_codes_are_its_own(session, new)
    current = active_version(session, new.id)
    if current is None:
        return CatalogueDiff(
            new.id,
            None,
            new.version,
            added=tuple(e.code for e in new.entries if e.tracked),
            reinstall=reinstall,
        )
    assert current.id is not None
    old = {e.code: e for e in catalogues.entries_of(session=session, catalogue_pk=current.id)}
    if not reinstall:
        _check_newer(new, current)
        catalogue_trust.check_continues(new, current, set(old))
    continues = new.upgrade_from(current.version) is not None
    return _compare(new, current, old, continues, reinstall)


def _check_newer(new: CatalogueFile, current: Catalogue) -> None:
    if current.version == new.version:
        raise ValidationError(f"catalogue {new.id} version {new.version} is already in use")
    if current.published > new.published:
        foreign = "" if _in_use_is_genuine(current) else ", which is not a built-in version"
        raise ValidationError(
            f"catalogue {new.id} version {new.version} ({new.published}) is older than "
            f"the version in use, {current.version} ({current.published}){foreign}"
        )


def _compare(
    new: CatalogueFile,
    current: Catalogue,
    old: dict[str, CatalogueEntry],
    continues: bool,
    reinstall: bool,
) -> CatalogueDiff:
    upgrade = new.upgrade_from(current.version) if continues else None
    mapping = upgrade.mapping if upgrade else {}
    dropped = upgrade.withdrawn if upgrade else frozenset()
    reached: set[str] = set()
    changed: dict[str, tuple[str, ...]] = {}
    renamed: dict[str, str] = {}
    arrivals: dict[str, list[str]] = {}  # new code -> old codes that continue as it
    withdrawn: list[str] = []
    unchanged = 0
    for code, entry in old.items():
        if code in new.by_code:
            reached.add(code)
            arrivals.setdefault(code, []).append(code)
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
            arrivals.setdefault(targets[0], []).append(code)
        elif code in dropped or catalogues.is_tracked(entry):
            withdrawn.append(code)
    tracked = {code for code, entry in old.items() if catalogues.is_tracked(entry)}
    merged = {n: tuple(o) for n, o in arrivals.items() if len(o) > 1}
    lost = sum(code in tracked for code in withdrawn) + sum(
        max(0, sum(code in tracked for code in olds) - 1) for olds in merged.values()
    )
    return CatalogueDiff(
        new.id,
        current.version,
        new.version,
        added=tuple(e.code for e in new.entries if e.tracked and e.code not in reached),
        changed=changed,
        renamed=renamed,
        merged=merged,
        withdrawn=tuple(withdrawn),
        unchanged=unchanged,
        tracked_before=len(tracked),
        lost=lost,
        reinstall=reinstall,
    )


@write_service(Permission.ADMIN)
def upgrade(
    *, session: Session, actor: Actor, new: CatalogueFile, allow_major: bool = False
) -> Changes:
    """Install `new` and carry every register item over to it, keeping all work.

    A major change (more than half of the entries in use withdrawn or merged away) is
    refused unless allow_major is given.
    """
    new = catalogue_trust.genuine(new)
    plan = diff(session=session, new=new)
    if plan.major and not allow_major:
        raise ValidationError(
            f"catalogue {new.id} version {new.version} would withdraw or merge away "
            f"{plan.lost} of the {plan.tracked_before} tracked entries of version "
            f"{plan.from_version}, more than half; a change this large must be allowed "
            "explicitly"
        )
    installed = catalogues.install(session=session, actor=actor, cat=new)
    upgrade_table = new.upgrade_from(plan.from_version) if plan.from_version else None
    mapping = upgrade_table.mapping if upgrade_table else {}
    _carry(session, actor, new, installed, mapping, use_history=False)
    return audit.change_set(session)


@write_service(Permission.ADMIN)
def reinstall_builtin(*, session: Session, actor: Actor, catalogue_id: str) -> Changes:
    """Make the newest built-in version of a catalogue the one in use again, whatever version
    (an imported one, a "newer" one) is in use now; items come back to its codes."""
    new = catalogue_trust.newest_builtin(catalogue_id)
    current = active_version(session, catalogue_id)
    if current is not None and current.source_sha256 == new.sha256:
        raise ValidationError(
            f"catalogue {catalogue_id} already uses its built-in version {new.version}"
        )
    diff(session=session, new=new, reinstall=True)
    installed = catalogues.install(session=session, actor=actor, cat=new)
    # The built-in map describes how older built-in codes continue, whatever is in use.
    mapping = new.all_mappings()
    _carry(session, actor, new, installed, mapping, use_history=True)
    return audit.change_set(session)


def _carry(
    session: Session,
    actor: Actor,
    new: CatalogueFile,
    installed: Catalogue,
    mapping: Mapping[str, tuple[str, ...]],
    use_history: bool,
) -> None:
    assert installed.id is not None
    new_entries = {
        e.code: e for e in catalogues.entries_of(session=session, catalogue_pk=installed.id)
    }
    resolve = catalogue_carry.resolver(set(new_entries), mapping)
    pks = [
        c.id
        for c in session.execute(
            select(Catalogue).where(col(Catalogue.catalogue_id) == new.id)
        ).scalars()
        if c.id is not None
    ]
    org = organisation.load(session)
    for model in session.execute(select(AIModel).order_by(AIModel.slug)).scalars():
        facts = catalogues.facts_for(org, model)
        audit.record(
            session,
            actor,
            catalogue_carry.carry_model(
                session, model, facts, pks, new_entries, resolve, use_history
            ),
        )
        # The new version's rules may no longer hold for items carried over: flag them.
        plan = scope.plan(session=session, model=model, facts=facts)
        if not plan.empty:
            scope.apply(session=session, actor=actor, model=model, facts=facts, scope=plan)
