"""Provider-level items: one model's item holds the same item of the provider's other models.

A Safety and Security Framework, a copyright policy or an allocation of responsibilities is
one document for the provider. The item that holds it carries the work and the evidence; the
other models' items of the same code are kept, marked not applicable and "covered by" it.
New models get this automatically for provider-level catalogue entries (catalogues.py); these
services do it by hand, for registers that began before, and undo it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker import audit, rules
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import ValidationError
from gpaitracker.models import AIModel, CatalogueEntry, Requirement
from gpaitracker.services import catalogues, organisation
from gpaitracker.services.register import get_item, key_of

REQ = Entity.REQUIREMENT


@write_service(Permission.EDIT)
def cover(*, session: Session, actor: Actor, requirement_id: int, holder_id: int) -> Changes:
    """Let `holder_id` (another model's item of the same code) hold this item."""
    item, holder = get_item(session, requirement_id), get_item(session, holder_id)
    key, holder_key = key_of(session, item), key_of(session, holder)
    if item.code != holder.code or item.model_id == holder.model_id:
        raise ValidationError(
            f"{holder_key} cannot hold {key}: it must be the same item of another model"
        )
    if not holder.applicable or holder.withdrawn or holder.covered_by_id is not None:
        raise ValidationError(f"{holder_key} does not apply itself, so it cannot hold {key}")
    if item.covered_by_id == holder.id:
        raise ValidationError(f"{key} is already held by {holder_key}")
    held = select(col(Requirement.id)).where(col(Requirement.covered_by_id) == item.id).limit(1)
    if session.execute(held).first() is not None:
        raise ValidationError(f"{key} holds other models' items; release them first")
    old_holder = item.covered_by_id
    changes = [Change("cover", REQ, item.id, key, "covered_by", old_holder, holder_key)]
    if item.applicable:
        changes.append(Change("rescope", REQ, item.id, key, "applicable", True, False))
    item.covered_by_id, item.applicable = holder.id, False
    session.add(item)
    session.flush()
    audit.record(session, actor, changes)
    return audit.change_set(session)


@write_service(Permission.EDIT)
def uncover(*, session: Session, actor: Actor, requirement_id: int) -> Changes:
    """The model's own item again; it applies if the model's facts say so."""
    item = get_item(session, requirement_id)
    key = key_of(session, item)
    if item.covered_by_id is None:
        raise ValidationError(f"{key} is not held by another model's item")
    holder = session.get(Requirement, item.covered_by_id)
    model, entry = session.get(AIModel, item.model_id), session.get(CatalogueEntry, item.entry_id)
    assert model is not None and entry is not None
    facts = catalogues.facts_for(organisation.load(session), model)
    applies = rules.applies(catalogues.entry_rule(entry), facts) and not item.withdrawn
    changes = [
        Change(
            "uncover",
            REQ,
            item.id,
            key,
            "covered_by",
            key_of(session, holder) if holder else None,
            None,
        )
    ]
    if applies:
        changes.append(Change("rescope", REQ, item.id, key, "applicable", False, True))
    item.covered_by_id, item.applicable = None, applies
    session.add(item)
    session.flush()
    audit.record(session, actor, changes)
    return audit.change_set(session)
