"""Turning what a user names (a key, an email, a model slug) into row ids, for the doors."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlmodel import select

from gpaitracker import parse
from gpaitracker.enums import Entity
from gpaitracker.errors import NotFoundError
from gpaitracker.models import AIModel, Catalogue, Evidence, Person, Requirement


def requirement_id(*, session: Session, key: parse.ItemKey | str) -> int:
    """The item a key names; without '#n' the latest occurrence."""
    if isinstance(key, str):
        key = parse.item_key(key)
    model = session.execute(select(AIModel.id).where(AIModel.slug == key.slug)).first()
    if model is None:
        raise NotFoundError(f"key {str(key)!r}: model {key.slug!r} is not in the register")
    query = select(Requirement.id).where(
        Requirement.model_id == model[0], Requirement.code == key.code
    )
    if key.occurrence is not None:
        query = query.where(Requirement.occurrence == key.occurrence)
    found = session.execute(
        query.order_by(Requirement.occurrence.desc()).limit(1)  # type: ignore[attr-defined]
    ).first()
    if found is None:
        raise NotFoundError(f"key {str(key)!r} is not in the register")
    return int(found[0])


def person_id(*, session: Session, email: str) -> int:
    address = parse.email(email)
    found = session.execute(select(Person.id).where(Person.email == address)).first()
    if found is None:
        raise NotFoundError(f"person {address!r} is not in the register")
    return int(found[0])


def model_id(*, session: Session, ref: str) -> int:
    """A model by its slug or its exact name."""
    text = parse.utf8(ref, "model").strip()
    found = session.execute(select(AIModel.id).where(AIModel.slug == text.lower())).first()
    if found is None:
        found = session.execute(select(AIModel.id).where(AIModel.name == text)).first()
    if found is None:
        raise NotFoundError(f"model {parse.show(ref)} is not in the register")
    return int(found[0])


def evidence_id(*, session: Session, ref: str | int) -> int:
    value = parse.row_id(ref, "evidence id")
    if session.get(Evidence, value) is None:
        raise NotFoundError(f"evidence {value} is not in the register")
    return value


def entity_ref(*, session: Session, ref: str) -> tuple[Entity, int]:
    """What an audit filter names: an item key, a person's email, a catalogue 'id@version',
    an evidence id, or a model slug or name."""
    text = parse.utf8(ref, "entity").strip()
    if text.isascii() and text.isdigit():
        return Entity.EVIDENCE, evidence_id(session=session, ref=text)
    if "@" in text:  # before "/": a catalogue version may hold one ("ai-act-gpai@2024/1689")
        cat_id, _, version = text.partition("@")
        found = session.execute(
            select(Catalogue.id).where(
                Catalogue.catalogue_id == cat_id, Catalogue.version == version
            )
        ).first()
        if found is not None:
            return Entity.CATALOGUE, int(found[0])
        if "/" not in text:
            return Entity.PERSON, person_id(session=session, email=text)
    if "/" in text:
        return Entity.REQUIREMENT, requirement_id(session=session, key=text)
    return Entity.MODEL, model_id(session=session, ref=text)
