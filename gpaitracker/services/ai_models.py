"""AI models of the provider; adding one fills the register from the catalogues."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker import audit, rules, validation
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import AIModel, Requirement
from gpaitracker.services import catalogues, model_input, organisation, scope
from gpaitracker.services.register import KEEP, _Keep, check_version

MODEL = Entity.MODEL
_TEXT_LIMITS = {"name": 200, "version": 64, "notes": validation.MAX_NOTE_CHARS}


class ModelRow(NamedTuple):
    id: int
    name: str
    slug: str
    version: str
    placed_on_market: dt.date
    training_flop: float | None
    open_source: bool
    designated_systemic_risk: bool
    systemic_risk: bool  # designated, or trained with more than 1e25 FLOP
    threshold_date: dt.date | None
    notes: str
    retired: bool
    item_count: int  # applicable, not withdrawn
    row_version: int
    updated_at: dt.datetime
    facts: rules.Facts | None = None  # every fact the rules read (organisation's too)


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:48] or "model"


def _rows(session: Session, *where: Any) -> list[ModelRow]:
    r = Requirement.__table__.c  # type: ignore[attr-defined]
    items = (
        select(func.count())
        .where(r.model_id == AIModel.id, r.applicable.is_(True), r.withdrawn.is_(False))
        .scalar_subquery()
    )
    query = (
        select(AIModel, items.label("items"))
        .where(*where)
        .order_by(col(AIModel.name), col(AIModel.id))
    )
    out = []
    found = session.execute(query).all()
    org = organisation.load(session) if found else None  # no models without an organisation
    for row in found:
        model: AIModel = row[0]
        count = int(row[1])
        assert model.id is not None
        assert org is not None
        facts = catalogues.facts_for(org, model)
        out.append(
            ModelRow(
                id=model.id,
                name=model.name,
                slug=model.slug,
                version=model.version,
                placed_on_market=model.placed_on_market,
                training_flop=model.training_flop,
                open_source=model.open_source,
                designated_systemic_risk=model.designated_systemic_risk,
                systemic_risk=facts.systemic_risk,
                threshold_date=model.threshold_date,
                notes=model.notes,
                retired=model.retired,
                item_count=count,
                row_version=model.row_version,
                updated_at=model.updated_at,
                facts=facts,
            )
        )
    return out


def list_models(*, session: Session) -> list[ModelRow]:
    """Every model, by name."""
    return _rows(session)


def get(*, session: Session, model_id: int) -> ModelRow:
    rows = _rows(session, col(AIModel.id) == model_id)
    if not rows:
        raise NotFoundError(f"model id {model_id} is not in the register")
    return rows[0]


def _load(session: Session, model_id: int) -> AIModel:
    model = session.get(AIModel, model_id)
    if model is None:
        raise NotFoundError(f"model id {model_id} is not in the register")
    return model


def _text(attr: str, value: str) -> str:
    label = "model name" if attr == "name" else f"model {attr}"
    return validation.text(value, label, max_chars=_TEXT_LIMITS[attr], required=attr == "name")


@write_service(Permission.EDIT)
def add_model(
    *,
    session: Session,
    actor: Actor,
    name: str,
    placed_on_market: dt.date,
    version: str = "",
    training_flop: float | None = None,
    open_source: bool = False,
    systemic_risk: bool = False,
    threshold_date: dt.date | None = None,
    notes: str = "",
    **more: Any,
) -> Changes:
    """Add a model and fill its register with every applicable catalogue entry.

    more: the other facts of catalogues.MODEL_FACTS (weights_public, designation_date, ...).
    """
    if unknown := set(more) - set(model_input.FACTS):
        raise TypeError(f"unknown model facts: {', '.join(sorted(unknown))}")
    org = organisation.load(session)
    clean_name = _text("name", name)
    slug = slugify(clean_name)
    if (
        session.execute(select(col(AIModel.id)).where(col(AIModel.slug) == slug)).first()
        is not None
    ):
        raise ValidationError(f"model name {clean_name!r} is already used (key {slug})")
    facts = model_input.facts_in(
        {
            "placed_on_market": placed_on_market,
            "training_flop": training_flop,
            "open_source": open_source,
            "designated_systemic_risk": systemic_risk,
            "threshold_date": threshold_date,
            **more,
        }
    )
    if "placed_on_market" not in facts:
        raise ValidationError("placed-on-market date is missing")
    model = AIModel(
        name=clean_name,
        slug=slug,
        version=_text("version", version),
        notes=_text("notes", notes),
        **facts,
    )
    model_input.check_dates(catalogues.facts_for(org, model))
    session.add(model)
    session.flush()
    fields = ("name", "version", "notes", *model_input.FACTS)
    audit.record(
        session,
        actor,
        [
            Change("create", MODEL, model.id, slug, f, None, getattr(model, f))
            for f in fields
            if f in ("name", "version", "notes", *facts)
        ],
    )
    catalogues.apply_to_model(session=session, actor=actor, org=org, model=model)
    return audit.change_set(session)


def _plan(
    session: Session, model: AIModel, new_facts: dict[str, Any]
) -> tuple[rules.Facts, scope.ScopePlan]:
    if new_facts.get("designated_systemic_risk") is False and "designation_date" not in new_facts:
        new_facts = {**new_facts, "designation_date": None}  # no designation, no date
    org = organisation.load(session)
    old = catalogues.facts_for(org, model)
    facts = scope.became_systemic(old, scope.facts_with(org, model, **new_facts))
    model_input.check_dates(facts)
    return facts, scope.plan(session=session, model=model, facts=facts, old_facts=old)


def preview_update(
    *,
    session: Session,
    model_id: int,
    placed_on_market: dt.date | None = None,
    training_flop: float | _Keep | None = KEEP,
    open_source: bool | None = None,
    systemic_risk: bool | None = None,
    threshold_date: dt.date | _Keep | None = KEEP,
    **more: Any,
) -> scope.ScopePlan:
    """What changing these facts would change in the model's register (empty: nothing)."""
    model = _load(session, model_id)
    new = model_input.facts_in(
        {
            "placed_on_market": placed_on_market,
            "training_flop": training_flop,
            "open_source": open_source,
            "designated_systemic_risk": systemic_risk,
            "threshold_date": threshold_date,
            **_more(more),
        }
    )
    return _plan(session, model, new)[1]


def _more(more: dict[str, Any]) -> dict[str, Any]:
    if unknown := set(more) - set(model_input.FACTS):
        raise TypeError(f"unknown model facts: {', '.join(sorted(unknown))}")
    # Facts that may be unknown are cleared with None; left out, they stay.
    return {k: v for k, v in more.items()}


@write_service(Permission.EDIT)
def update_model(
    *,
    session: Session,
    actor: Actor,
    model_id: int,
    confirm: bool = False,
    name: str | None = None,
    version: str | None = None,
    notes: str | None = None,
    placed_on_market: dt.date | None = None,
    training_flop: float | _Keep | None = KEEP,
    open_source: bool | None = None,
    systemic_risk: bool | None = None,
    threshold_date: dt.date | _Keep | None = KEEP,
    expected_version: int | None = None,
    **more: Any,
) -> Changes:
    """Change a model. A change of what applies to it, or of the default due dates of its
    open items, needs confirm=True (preview first).

    None (or KEEP for the facts that may be unknown) leaves a field as it is.
    """
    model = _load(session, model_id)
    assert model.id is not None
    check_version(session, MODEL, model.id, model.slug, model.row_version, expected_version)
    new = model_input.facts_in(
        {
            "placed_on_market": placed_on_market,
            "training_flop": training_flop,
            "open_source": open_source,
            "designated_systemic_risk": systemic_risk,
            "threshold_date": threshold_date,
            **_more(more),
        }
    )
    facts, plan = _plan(session, model, new)
    if not plan.empty and not confirm:
        raise ValidationError(
            f"this change alters what applies to model {model.slug}; "
            "review the preview (items and due dates) and confirm it"
        )
    changes: list[Change] = []
    label = model.slug
    for attr, value in (("name", name), ("version", version), ("notes", notes)):
        if value is not None:
            clean = _text(attr, value)
            if clean != getattr(model, attr):
                changes.append(
                    Change("update", MODEL, model.id, label, attr, getattr(model, attr), clean)
                )
                setattr(model, attr, clean)
    for attr in model_input.FACTS:
        value = getattr(facts, attr)
        if value != getattr(model, attr):
            changes.append(
                Change("update", MODEL, model.id, label, attr, getattr(model, attr), value)
            )
            setattr(model, attr, value)
    if changes:
        session.add(model)
        session.flush()  # the version counter refuses a row changed since it was read
        audit.record(session, actor, changes)
    if not plan.empty:
        scope.apply(session=session, actor=actor, model=model, facts=facts, scope=plan)
    return audit.change_set(session)
