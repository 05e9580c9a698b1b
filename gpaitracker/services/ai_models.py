"""AI models of the provider; adding one fills the register from the catalogues."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker import audit, parse, rules, validation
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import AIModel, Requirement
from gpaitracker.services import catalogues, organisation, scope
from gpaitracker.services.register import KEEP, _Keep, check_version

MODEL = Entity.MODEL
_TEXT_LIMITS = {"name": 200, "version": 64, "notes": validation.MAX_NOTE_CHARS}
_FACTS = (
    "placed_on_market",
    "training_flop",
    "open_source",
    "designated_systemic_risk",
    "threshold_date",
)


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


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:48] or "model"


def _rows(session: Session, *where: Any) -> list[ModelRow]:
    m, r = AIModel.__table__.c, Requirement.__table__.c  # type: ignore[attr-defined]
    items = (
        select(func.count())
        .where(r.model_id == m.id, r.applicable.is_(True), r.withdrawn.is_(False))
        .scalar_subquery()
    )
    query = select(
        m.id,
        m.name,
        m.slug,
        m.version,
        m.placed_on_market,
        m.training_flop,
        m.open_source,
        m.designated_systemic_risk,
        m.threshold_date,
        m.notes,
        m.retired,
        items.label("items"),
        m.row_version,
        m.updated_at,
    )
    out = []
    for row in session.execute(query.where(*where).order_by(m.name, m.id)).mappings():
        facts = rules.Facts(
            placed_on_market=row["placed_on_market"],
            training_flop=row["training_flop"],
            designated_systemic_risk=row["designated_systemic_risk"],
        )
        out.append(
            ModelRow(
                id=row["id"],
                name=row["name"],
                slug=row["slug"],
                version=row["version"],
                placed_on_market=row["placed_on_market"],
                training_flop=row["training_flop"],
                open_source=row["open_source"],
                designated_systemic_risk=row["designated_systemic_risk"],
                systemic_risk=facts.systemic_risk,
                threshold_date=row["threshold_date"],
                notes=row["notes"],
                retired=row["retired"],
                item_count=row["items"],
                row_version=row["row_version"],
                updated_at=row["updated_at"],
            )
        )
    return out


def list_models(*, session: Session) -> list[ModelRow]:
    """Every model, by name."""
    return _rows(session)


def get(*, session: Session, model_id: int) -> ModelRow:
    rows = _rows(session, AIModel.__table__.c.id == model_id)  # type: ignore[attr-defined]
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


def _date(value: dt.date, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError(f"{field} {parse.show(value)} is not a date")
    return parse.date_in_range(value, field)


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
) -> Changes:
    """Add a model and fill its register with every applicable catalogue entry."""
    org = organisation.load(session)
    clean_name = _text("name", name)
    slug = slugify(clean_name)
    if (
        session.execute(select(col(AIModel.id)).where(col(AIModel.slug) == slug)).first()
        is not None
    ):
        raise ValidationError(f"model name {clean_name!r} is already used (key {slug})")
    model = AIModel(
        name=clean_name,
        slug=slug,
        version=_text("version", version),
        placed_on_market=_date(placed_on_market, "placed-on-market date"),
        training_flop=parse.flop(training_flop),
        open_source=bool(open_source),
        designated_systemic_risk=bool(systemic_risk),
        threshold_date=_date(threshold_date, "threshold date") if threshold_date else None,
        notes=_text("notes", notes),
    )
    if catalogues.facts_for(org, model).systemic_risk and model.threshold_date is None:
        # The Art. 52 clock runs from when the threshold was met; unknown means today.
        model.threshold_date = dt.date.today()
    session.add(model)
    session.flush()
    fields = (
        "name",
        "version",
        "placed_on_market",
        "training_flop",
        "open_source",
        "designated_systemic_risk",
        "threshold_date",
        "notes",
    )
    audit.record(
        session,
        actor,
        [Change("create", MODEL, model.id, slug, f, None, getattr(model, f)) for f in fields],
    )
    catalogues.apply_to_model(session=session, actor=actor, org=org, model=model)
    return audit.change_set(session)


def _new_facts(
    placed_on_market: dt.date | None,
    training_flop: float | _Keep | None,
    open_source: bool | None,
    systemic_risk: bool | None,
    threshold_date: dt.date | _Keep | None,
) -> dict[str, object]:
    """The facts a change sets, checked; None and KEEP leave a fact as it is."""
    out: dict[str, object] = {}
    if placed_on_market is not None:
        out["placed_on_market"] = _date(placed_on_market, "placed-on-market date")
    if not isinstance(training_flop, _Keep):
        out["training_flop"] = parse.flop(training_flop)
    if open_source is not None:
        out["open_source"] = bool(open_source)
    if systemic_risk is not None:
        out["designated_systemic_risk"] = bool(systemic_risk)
    if not isinstance(threshold_date, _Keep):
        out["threshold_date"] = (
            _date(threshold_date, "threshold date") if threshold_date is not None else None
        )
    return out


def _plan(
    session: Session, model: AIModel, new_facts: dict[str, object]
) -> tuple[rules.Facts, scope.ScopePlan]:
    org = organisation.load(session)
    facts = scope.threshold_default(scope.facts_with(org, model, **new_facts))
    return facts, scope.plan(session=session, model=model, facts=facts)


def preview_update(
    *,
    session: Session,
    model_id: int,
    placed_on_market: dt.date | None = None,
    training_flop: float | _Keep | None = KEEP,
    open_source: bool | None = None,
    systemic_risk: bool | None = None,
    threshold_date: dt.date | _Keep | None = KEEP,
) -> scope.ScopePlan:
    """What changing these facts would change in the model's register (empty: nothing)."""
    model = _load(session, model_id)
    new = _new_facts(placed_on_market, training_flop, open_source, systemic_risk, threshold_date)
    return _plan(session, model, new)[1]


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
) -> Changes:
    """Change a model. A change of what applies to it needs confirm=True (preview first).

    None (or KEEP for the facts that may be unknown) leaves a field as it is.
    """
    model = _load(session, model_id)
    assert model.id is not None
    check_version(session, MODEL, model.id, model.slug, model.row_version, expected_version)
    new = _new_facts(placed_on_market, training_flop, open_source, systemic_risk, threshold_date)
    facts, plan = _plan(session, model, new)
    if not plan.empty and not confirm:
        raise ValidationError(
            f"this change alters what applies to model {model.slug}; "
            "review the preview and confirm it"
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
    for attr in _FACTS:
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
