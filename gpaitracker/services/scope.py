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
from gpaitracker.enums import Entity
from gpaitracker.models import AIModel, Organisation, Requirement
from gpaitracker.services import catalogues
from gpaitracker.services.register import requirement_key


@dataclass
class ScopePlan:
    """What applying new facts to one model would change in its register."""

    model: str
    newly_applicable: list[str] = field(default_factory=list)  # codes
    reinstated: list[str] = field(default_factory=list)  # keys marked applicable again
    no_longer_applicable: list[str] = field(default_factory=list)  # keys

    @property
    def empty(self) -> bool:
        return not (self.newly_applicable or self.reinstated or self.no_longer_applicable)

    def lines(self) -> list[str]:
        out = [f"{self.model}/{c}: newly applies" for c in self.newly_applicable]
        out += [f"{k}: applies again" for k in self.reinstated]
        out += [
            f"{k}: no longer applies (kept, marked not applicable)"
            for k in self.no_longer_applicable
        ]
        return out


def plan(*, session: Session, model: AIModel, facts: rules.Facts) -> ScopePlan:
    """Compare the model's current items with what the facts make applicable."""
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
            if code in wanted and not item.applicable:
                result.reinstated.append(key)
            elif code not in wanted and item.applicable:
                result.no_longer_applicable.append(key)
    return result


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
        code, _, occ = key.split("/", 1)[1].partition("#")
        item = session.scalars(
            select(Requirement).where(
                Requirement.model_id == model.id,
                Requirement.code == code,
                Requirement.occurrence == (int(occ) if occ else 1),
            )
        ).one()
        item.applicable = applicable
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
    session.flush()
    audit.record(session, actor, changes)


def facts_with(org: Organisation, model: AIModel, **changes: Any) -> rules.Facts:
    return dataclasses.replace(catalogues.facts_for(org, model), **changes)


def threshold_default(facts: rules.Facts) -> rules.Facts:
    """A model that newly has systemic risk starts its Art. 52 clock today unless told."""
    if facts.systemic_risk and facts.threshold_date is None:
        return dataclasses.replace(facts, threshold_date=dt.date.today())
    return facts
