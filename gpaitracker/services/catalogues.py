"""Catalogues in the register: install versions and apply their entries to models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, insert
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session, object_session
from sqlmodel import col, select

from gpaitracker import audit, rules
from gpaitracker import catalogue as catalogue_files
from gpaitracker.audit import ActorLike, Change
from gpaitracker.catalogue import CatalogueFile
from gpaitracker.enums import Entity, RequestKind, RequestStatus
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import (
    AIModel,
    Catalogue,
    CatalogueEntry,
    Organisation,
    RegisterRequest,
    Requirement,
)
from gpaitracker.services.register import key_of, requirement_key

MODEL_FACTS = (
    "placed_on_market",
    "training_flop",
    "open_source",
    "designated_systemic_risk",
    "threshold_date",
    "weights_public",
    "architecture_public",
    "usage_public",
    "monetised",
    "designation_date",
    "rebuttal_accepted",
    "modality",
    "not_gpai",
    "base_model",
    "base_flop",
    "most_capable",
    "sr_since",
)


def facts_for(org: Organisation, model: AIModel, notified_on: dt.date | None = None) -> rules.Facts:
    """The facts the rules read; the Art. 52(1) notification day from the requests register
    unless given."""
    session = object_session(model)
    if notified_on is None and session is not None and model.id is not None:
        notified_on = _notified_on(session, model.id)
    return rules.Facts(
        non_eu=org.non_eu,
        sme=org.sme,
        signatory=org.signatory,
        notified_on=notified_on,
        **{name: getattr(model, name) for name in MODEL_FACTS},
    )


def _notified_on(session: Session, model_id: int) -> dt.date | None:
    """The day the model's first Art. 52(1) notification was sent, if recorded."""
    r = RegisterRequest.__table__.c  # type: ignore[attr-defined]
    query = sa_select(func.min(r.answered_on)).where(
        r.model_id == model_id,
        r.kind == RequestKind.NOTIFICATION.value,
        r.status == RequestStatus.ANSWERED.value,
    )
    day = session.execute(query).scalar()
    return day if isinstance(day, dt.date) else None


def install(
    *, session: Session, actor: ActorLike, cat: CatalogueFile, active: bool = True
) -> Catalogue:
    """Store one catalogue version (its content never changes afterwards) and, if active,
    make it the version in use."""
    existing = session.scalars(
        select(Catalogue).where(Catalogue.catalogue_id == cat.id, Catalogue.version == cat.version)
    ).first()
    if existing is not None:
        if existing.source_sha256 != cat.sha256:
            raise ValidationError(
                f"catalogue {cat.id} version {cat.version} is already loaded with other content; "
                "give the changed file a new version"
            )
        if active and not existing.active:
            _activate(session, cat.id, existing)
            audit.record(
                session,
                actor,
                [
                    Change(
                        "activate",
                        Entity.CATALOGUE,
                        existing.id,
                        f"{cat.id}@{cat.version}",
                        "active",
                        False,
                        True,
                    ),
                ],
            )
        return existing
    if active:
        _activate(session, cat.id, None)
    row = Catalogue(
        catalogue_id=cat.id,
        version=cat.version,
        title=cat.title,
        published=cat.published,
        source_sha256=cat.sha256,
        active=active,
    )
    session.add(row)
    session.flush()
    session.execute(
        insert(CatalogueEntry),
        [
            {
                "catalogue_pk": row.id,
                "code": e.code,
                "parent_code": e.parent,
                "kind": e.kind,
                "title": e.title,
                "reference": e.reference,
                "summary": e.summary,
                "applies": list(e.applies),
                "due_rule": e.due,
                "recurrence_months": e.recurrence_months,
                "evidence": list(e.evidence),
                "kpis": list(e.kpis),
                "position": position,
                "level": e.level,
            }
            for position, e in enumerate(cat.entries)
        ],
    )
    audit.record(
        session,
        actor,
        [
            Change(
                "load",
                Entity.CATALOGUE,
                row.id,
                f"{cat.id}@{cat.version}",
                "sha256",
                None,
                cat.sha256,
            ),
        ],
    )
    return row


def _activate(session: Session, catalogue_id: str, row: Catalogue | None) -> None:
    """Make row the only version of its catalogue in use (None: none, before adding one)."""
    for other in session.scalars(select(Catalogue).where(Catalogue.catalogue_id == catalogue_id)):
        other.active = other is row
        session.add(other)


def install_shipped(
    *, session: Session, actor: ActorLike, pinned: dict[str, str] | None = None
) -> list[Catalogue]:
    """Install the newest built-in version of each catalogue (or the pinned version)."""
    latest: dict[str, CatalogueFile] = {}
    for cat in catalogue_files.shipped():
        if pinned and cat.id in pinned:
            if cat.version == pinned[cat.id]:
                latest[cat.id] = cat
            continue
        latest[cat.id] = cat  # shipped() is sorted oldest first
    if pinned:
        for cat_id, version in pinned.items():
            if cat_id not in latest:
                raise NotFoundError(f"built-in catalogue {cat_id} version {version} does not exist")
    return [install(session=session, actor=actor, cat=c) for c in latest.values()]


def active_catalogues(*, session: Session) -> list[Catalogue]:
    return list(
        session.scalars(
            select(Catalogue).where(Catalogue.active == True).order_by(Catalogue.catalogue_id)  # noqa: E712
        ).all()
    )


def entries_of(*, session: Session, catalogue_pk: int) -> list[CatalogueEntry]:
    return list(
        session.scalars(
            select(CatalogueEntry)
            .where(CatalogueEntry.catalogue_pk == catalogue_pk)
            .order_by(col(CatalogueEntry.position))
        ).all()
    )


def entry_rule(entry: CatalogueEntry) -> tuple[str, ...]:
    return tuple(entry.applies)


def is_systemic(entry: CatalogueEntry) -> bool:
    """An entry for systemic-risk models only: its clock starts when the model became so."""
    return "systemic_risk" in entry_rule(entry)


def default_due(
    entry: CatalogueEntry, facts: rules.Facts, today: dt.date | None = None
) -> dt.date | None:
    return rules.due_date(entry.due_rule, facts, today, systemic_entry=is_systemic(entry))


def is_tracked(entry: CatalogueEntry) -> bool:
    rule = entry_rule(entry)
    return entry.kind in catalogue_files.TRACKED_KINDS and "informational" not in rule


def applicable_entries(*, session: Session, facts: rules.Facts) -> list[CatalogueEntry]:
    """Tracked entries of every active catalogue that apply to a model with these facts."""
    out = []
    for cat in active_catalogues(session=session):
        assert cat.id is not None
        for entry in entries_of(session=session, catalogue_pk=cat.id):
            if is_tracked(entry) and rules.applies(entry_rule(entry), facts):
                out.append(entry)
    return out


def create_requirements(
    session: Session,
    model: AIModel,
    entries: Iterable[CatalogueEntry],
    facts: rules.Facts,
    today: dt.date | None = None,
) -> list[Change]:
    """Add one item per entry to the model's register; returns the audit changes to record.

    An item of a provider-level entry that another model's item already holds is created
    covered by that item (kept, not applicable): the provider has one such artefact.
    """
    assert model.id is not None
    items = []
    for entry in entries:
        assert entry.id is not None
        lead = provider_lead(session, entry, model.id)
        item = Requirement(
            model_id=model.id,
            entry_id=entry.id,
            code=entry.code,
            due_date=default_due(entry, facts, today),
            applicable=lead is None,
            covered_by_id=lead,
        )
        session.add(item)
        items.append(item)
    session.flush()
    changes = []
    for item in items:
        key = requirement_key(model.slug, item.code)
        changes.append(
            Change("create", Entity.REQUIREMENT, item.id, key, "due_date", None, item.due_date)
        )
        holder = session.get(Requirement, item.covered_by_id) if item.covered_by_id else None
        if holder is not None:
            lead_key = key_of(session, holder)
            changes.append(
                Change("cover", Entity.REQUIREMENT, item.id, key, "covered_by", None, lead_key)
            )
            changes.append(
                Change("rescope", Entity.REQUIREMENT, item.id, key, "applicable", True, False)
            )
    return changes


def provider_lead(session: Session, entry: CatalogueEntry, model_id: int) -> int | None:
    """The item of another active model that holds this provider-level entry, if any."""
    if entry.level != "provider":
        return None
    r, m = Requirement.__table__.c, AIModel.__table__.c  # type: ignore[attr-defined]
    query = (
        select(r.id)
        .join(AIModel, m.id == r.model_id)
        .where(
            r.code == entry.code,
            r.model_id != model_id,
            r.occurrence == 1,
            r.applicable.is_(True),
            r.withdrawn.is_(False),
            m.retired.is_(False),
        )
        .order_by(r.id)
        .limit(1)
    )
    return session.execute(query).scalar()


def apply_to_model(
    *, session: Session, actor: ActorLike, org: Organisation, model: AIModel
) -> None:
    """Fill the register with every applicable entry the model does not have yet.

    Called by the write services that add or re-scope a model, which authorise the actor.
    """
    facts = facts_for(org, model)
    have = set(
        session.scalars(select(Requirement.code).where(Requirement.model_id == model.id)).all()
    )
    wanted = [e for e in applicable_entries(session=session, facts=facts) if e.code not in have]
    audit.record(session, actor, create_requirements(session, model, wanted, facts))
