"""AI models of the provider; adding one fills the register from the catalogues."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from sqlmodel import Session, col, select

from gpaitracker import audit, rules, validation
from gpaitracker.audit import Change
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import AIModel, Person, Requirement
from gpaitracker.services import catalogues, organisation, scope


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:48] or "model"


def parse_flop(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        flop = float(str(value).replace("_", ""))
    except ValueError:
        raise ValidationError(f"training compute {value!r} is not a number (e.g. 3e24)") from None
    if not math.isfinite(flop) or flop < 0:
        raise ValidationError(f"training compute {value!r} must be a positive number of FLOP")
    return flop


def get(*, session: Session, ref: str) -> AIModel:
    """A model by slug or exact name."""
    model = session.exec(select(AIModel).where(AIModel.slug == ref.strip().lower())).first()
    if model is None:
        model = session.exec(select(AIModel).where(AIModel.name == ref.strip())).first()
    if model is None:
        raise NotFoundError(f"model {ref!r} is not in the register")
    return model


def list_models(*, session: Session) -> list[AIModel]:
    return list(session.exec(select(AIModel).order_by(AIModel.name)).all())


def add_model(
    *,
    session: Session,
    actor: Person,
    name: str,
    placed_on_market: dt.date | str,
    version: str = "",
    training_flop: float | str | None = None,
    open_source: bool = False,
    systemic_risk: bool = False,
    threshold_date: dt.date | str | None = None,
    notes: str = "",
) -> AIModel:
    validation.require_writer(actor)
    org = organisation.get(session=session)
    clean_name = validation.text(name, "model name", max_chars=200, required=True)
    slug = slugify(clean_name)
    if session.exec(select(AIModel).where(AIModel.slug == slug)).first() is not None:
        raise ValidationError(f"model name {clean_name!r} is already used (key {slug})")
    model = AIModel(
        name=clean_name,
        slug=slug,
        version=validation.text(version, "version", max_chars=64),
        placed_on_market=rules.parse_date(placed_on_market, "placed-on-market date"),
        training_flop=parse_flop(training_flop),
        open_source=open_source,
        designated_systemic_risk=systemic_risk,
        threshold_date=(
            rules.parse_date(threshold_date, "threshold date") if threshold_date else None
        ),
        notes=validation.text(notes, "notes", max_chars=validation.MAX_NOTE_CHARS),
    )
    facts = catalogues.facts_for(org, model)
    if facts.systemic_risk and model.threshold_date is None:
        # The Art. 52 clock runs from when the threshold was met; unknown means today.
        model.threshold_date = dt.date.today()
    session.add(model)
    session.flush()
    audit.record(
        session,
        actor.email,
        [
            Change("create", "model", slug, field, None, getattr(model, field))
            for field in (
                "name",
                "version",
                "placed_on_market",
                "training_flop",
                "open_source",
                "designated_systemic_risk",
            )
        ],
    )
    catalogues.apply_to_model(session=session, actor=actor, org=org, model=model)
    return model


def requirements_of(*, session: Session, model: AIModel) -> list[Requirement]:
    return list(
        session.exec(
            select(Requirement)
            .where(Requirement.model_id == model.id)
            .order_by(col(Requirement.code), col(Requirement.occurrence))
        ).all()
    )


_FACT_FIELDS = {
    "placed_on_market": "placed_on_market",
    "training_flop": "training_flop",
    "open_source": "open_source",
    "designated_systemic_risk": "designated_systemic_risk",
    "threshold_date": "threshold_date",
}


def update_model(
    *,
    session: Session,
    actor: Person,
    ref: str,
    confirm: bool,
    name: str | None = None,
    version: str | None = None,
    notes: str | None = None,
    placed_on_market: dt.date | str | None = None,
    training_flop: float | str | None = None,
    open_source: bool | None = None,
    systemic_risk: bool | None = None,
    threshold_date: dt.date | str | None = None,
) -> tuple[AIModel, scope.ScopePlan, bool]:
    """Change a model. If its register scope changes, apply only when confirm is True.

    Returns the model, the scope plan and whether the change was applied.
    """
    validation.require_writer(actor)
    org = organisation.get(session=session)
    model = get(session=session, ref=ref)
    new_facts: dict[str, object] = {}
    if placed_on_market is not None:
        new_facts["placed_on_market"] = rules.parse_date(placed_on_market, "placed-on-market date")
    if training_flop is not None:
        new_facts["training_flop"] = parse_flop(training_flop)
    if open_source is not None:
        new_facts["open_source"] = open_source
    if systemic_risk is not None:
        new_facts["designated_systemic_risk"] = systemic_risk
    if threshold_date is not None:
        new_facts["threshold_date"] = rules.parse_date(threshold_date, "threshold date")
    facts = scope.threshold_default(scope.facts_with(org, model, **new_facts))
    plan = scope.plan(session=session, model=model, facts=facts)
    if not plan.empty and not confirm:
        return model, plan, False
    changes: list[Change] = []
    texts = {"name": name, "version": version, "notes": notes}
    limits = {"name": 200, "version": 64, "notes": validation.MAX_NOTE_CHARS}
    for attr, value in texts.items():
        if value is not None:
            clean = validation.text(value, f"model {attr}", max_chars=limits[attr],
                                    required=attr == "name")  # fmt: skip
            if clean != getattr(model, attr):
                changes.append(Change("update", "model", model.slug, attr, getattr(model, attr),
                                      clean))  # fmt: skip
                setattr(model, attr, clean)
    for attr in _FACT_FIELDS:
        value = getattr(facts, attr)
        if value != getattr(model, attr):
            changes.append(Change("update", "model", model.slug, attr, getattr(model, attr), value))
            setattr(model, attr, value)
    session.add(model)
    session.flush()
    audit.record(session, actor.email, changes)
    if not plan.empty:
        scope.apply(session=session, actor=actor, model=model, facts=facts, scope=plan)
    return model, plan, True
