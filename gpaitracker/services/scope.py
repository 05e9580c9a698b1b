"""Re-scoping: when a model's or the organisation's facts change, show and apply what changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import select

from gpaitracker import audit, rules
from gpaitracker.audit import ActorLike, Change
from gpaitracker.enums import Entity, Status
from gpaitracker.models import AIModel, CatalogueEntry, Organisation, Requirement
from gpaitracker.services import catalogues
from gpaitracker.services.register import requirement_key


@dataclass
class ScopePlan:
    """What applying new facts to one model would change in its register."""

    model: str
    newly_applicable: list[str] = field(default_factory=list)  # codes
    reinstated: list[str] = field(default_factory=list)  # keys marked applicable again
    no_longer_applicable: list[str] = field(default_factory=list)  # keys
    # open items still on their default due date, whose default the new facts move
    due_moves: list[tuple[str, dt.date | None, dt.date | None]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.newly_applicable or self.reinstated or self.no_longer_applicable or self.due_moves
        )

    def lines(self) -> list[str]:
        out = [f"{self.model}/{c}: newly applies" for c in self.newly_applicable]
        out += [f"{k}: applies again" for k in self.reinstated]
        out += [
            f"{k}: no longer applies (kept, marked not applicable)"
            for k in self.no_longer_applicable
        ]
        out += [f"{k}: due {_day(old)} -> {_day(new)}" for k, old, new in self.due_moves]
        return out


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else "none"


def plan(
    *,
    session: Session,
    model: AIModel,
    facts: rules.Facts,
    old_facts: rules.Facts | None = None,
) -> ScopePlan:
    """Compare the model's current items with what the facts make applicable; with the
    facts they replace, also the default due dates the change moves."""
    wanted = {e.code for e in catalogues.applicable_entries(session=session, facts=facts)}
    items = session.scalars(
        select(Requirement).where(
            Requirement.model_id == model.id,
            Requirement.withdrawn == False,  # noqa: E712
        )
    ).all()
    have: dict[str, list[Requirement]] = {}
    for item in items:
        have.setdefault(item.code, []).append(item)
    result = ScopePlan(model=model.slug)
    result.newly_applicable = sorted(wanted - set(have))
    for code, group in sorted(have.items()):
        for item in group:
            key = requirement_key(model.slug, code, item.occurrence)
            if code in wanted and not item.applicable and not _held_elsewhere(session, item):
                result.reinstated.append(key)
            elif code not in wanted and item.applicable:
                result.no_longer_applicable.append(key)
            elif code in wanted and item.applicable and old_facts is not None:
                move = _due_move(session, item, old_facts, facts)
                if move is not None:
                    result.due_moves.append((key, *move))
    return result


def _held_elsewhere(session: Session, item: Requirement) -> bool:
    """A covered item stays covered while the item holding it applies."""
    if item.covered_by_id is None:
        return False
    lead = session.get(Requirement, item.covered_by_id)
    return lead is not None and lead.applicable and not lead.withdrawn


def _due_move(
    session: Session, item: Requirement, old: rules.Facts, new: rules.Facts
) -> tuple[dt.date | None, dt.date | None] | None:
    """An open first occurrence still on the old default moves to the new default."""
    if item.occurrence != 1 or item.status in (Status.DONE, Status.NOT_APPLICABLE):
        return None
    entry = session.get(CatalogueEntry, item.entry_id)
    if entry is None:
        return None
    before, after = catalogues.default_due(entry, old), catalogues.default_due(entry, new)
    if before == after or item.due_date != before:
        return None
    return before, after


def apply(
    *, session: Session, actor: ActorLike, model: AIModel, facts: rules.Facts, scope: ScopePlan
) -> None:
    """Carry out a plan: add new items, flag the others; nothing is deleted.

    Called by the write services that change a model or the organisation (they authorise).
    """
    entries = {e.code: e for e in catalogues.applicable_entries(session=session, facts=facts)}
    changes = catalogues.create_requirements(
        session, model, [entries[code] for code in scope.newly_applicable], facts
    )
    flips = [(k, True) for k in scope.reinstated] + [(k, False) for k in scope.no_longer_applicable]
    for key, applicable in flips:
        item = _item(session, model, key)
        item.applicable = applicable
        if applicable and item.covered_by_id is not None:
            # Its holder no longer applies: the model's own item carries the work again.
            changes.append(
                Change(
                    "uncover",
                    Entity.REQUIREMENT,
                    item.id,
                    key,
                    "covered_by",
                    item.covered_by_id,
                    None,
                )
            )
            item.covered_by_id = None
        session.add(item)
        changes.append(
            Change(
                "rescope",
                Entity.REQUIREMENT,
                item.id,
                key,
                "applicable",
                not applicable,
                applicable,
            )
        )
    for key, old_due, new_due in scope.due_moves:
        item = _item(session, model, key)
        item.due_date = new_due
        session.add(item)
        changes.append(
            Change("update", Entity.REQUIREMENT, item.id, key, "due_date", old_due, new_due)
        )
    session.flush()
    audit.record(session, actor, changes)


def _item(session: Session, model: AIModel, key: str) -> Requirement:
    code, _, occ = key.split("/", 1)[1].partition("#")
    return session.scalars(
        select(Requirement).where(
            Requirement.model_id == model.id,
            Requirement.code == code,
            Requirement.occurrence == (int(occ) if occ else 1),
        )
    ).one()


def facts_with(org: Organisation, model: AIModel, **changes: Any) -> rules.Facts:
    return dataclasses.replace(catalogues.facts_for(org, model), **changes)


def became_systemic(old: rules.Facts, new: rules.Facts) -> rules.Facts:
    """A registered model that newly has systemic risk: its duties run from today unless
    the threshold or designation day is given (a designation without a day is today's)."""
    if new.systemic_risk and not old.systemic_risk:
        today = dt.date.today()
        if new.designated_systemic_risk and new.designation_date is None:
            new = dataclasses.replace(new, designation_date=today)
        new = dataclasses.replace(new, sr_since=today)  # a fresh start, even if it was before
    return new
