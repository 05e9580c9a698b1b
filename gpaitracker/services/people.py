"""People: who owns, reviews and reads the register."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import select

from gpaitracker import audit, validation
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity, Role
from gpaitracker.errors import NotFoundError, PermissionDenied, ValidationError
from gpaitracker.models import Meta, Person
from gpaitracker.services.register import check_version
from gpaitracker.services.workspace import FIRST_ADMIN_KEY

PERSON = Entity.PERSON


class PersonRow(NamedTuple):
    id: int
    name: str
    email: str
    role: Role
    active: bool
    version: int
    updated_at: dt.datetime


def _rows(session: Session, query: object) -> list[PersonRow]:
    p = Person.__table__.c  # type: ignore[attr-defined]
    base = sa.select(p.id, p.name, p.email, p.role, p.active, p.row_version, p.updated_at)
    return [PersonRow._make(r) for r in session.execute(base.where(*query))]  # type: ignore[misc]


def list_people(*, session: Session, include_inactive: bool = True) -> list[PersonRow]:
    p = Person.__table__.c  # type: ignore[attr-defined]
    rows = _rows(session, [] if include_inactive else [p.active.is_(True)])
    return sorted(rows, key=lambda r: (r.name.casefold(), r.email))


def get(*, session: Session, person_id: int) -> PersonRow:
    p = Person.__table__.c  # type: ignore[attr-defined]
    rows = _rows(session, [p.id == person_id])
    if not rows:
        raise NotFoundError(f"person id {person_id} is not in the register")
    return rows[0]


def first_admin_id(*, session: Session) -> int | None:
    meta = session.get(Meta, FIRST_ADMIN_KEY)
    return int(meta.value) if meta is not None else None


def _create(session: Session, name: str, email: str, role: Role) -> Person:
    clean = validation.text(name, "name", max_chars=200, required=True)
    address = validation.email(email)
    if session.execute(select(Person.id).where(Person.email == address)).first() is not None:
        raise ValidationError(f"email {address!r} already belongs to someone in the register")
    person = Person(name=clean, email=address, role=Role(role))
    session.add(person)
    session.flush()
    return person


def bootstrap_admin(*, session: Session, name: str, email: str) -> Actor:
    """The register's first admin; only when the register is created (no one acts yet)."""
    if session.execute(select(Person.id)).first() is not None:
        raise PermissionDenied("the register already has people; an admin must add new ones")
    person = _create(session, name, email, Role.ADMIN)
    session.add(Meta(key=FIRST_ADMIN_KEY, value=str(person.id)))
    actor = Actor.of(person)
    audit.record(
        session,
        actor,
        [
            Change("create", PERSON, actor.id, actor.email, "name", None, person.name),
            Change("create", PERSON, actor.id, actor.email, "role", None, Role.ADMIN),
        ],
    )
    return actor


@write_service(Permission.ADMIN)
def add_person(*, session: Session, actor: Actor, name: str, email: str, role: Role) -> Changes:
    person = _create(session, name, email, Role(role))
    assert person.id is not None
    audit.record(
        session,
        actor,
        [
            Change("create", PERSON, person.id, person.email, "name", None, person.name),
            Change("create", PERSON, person.id, person.email, "role", None, person.role),
        ],
    )
    return audit.change_set(session)


@write_service(Permission.ADMIN)
def update_person(
    *,
    session: Session,
    actor: Actor,
    person_id: int,
    name: str | None = None,
    email: str | None = None,
    role: Role | None = None,
    active: bool | None = None,
    expected_version: int | None = None,
) -> Changes:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"person id {person_id} is not in the register")
    label = person.email
    check_version(session, PERSON, person_id, label, person.row_version, expected_version)
    changes: list[Change] = []

    def change(field: str, old: object, new: object) -> None:
        changes.append(Change("update", PERSON, person_id, label, field, old, new))

    if name is not None:
        value = validation.text(name, "name", max_chars=200, required=True)
        if value != person.name:
            change("name", person.name, value)
            person.name = value
    if email is not None:
        address = validation.email(email)
        if address != person.email:
            clash = session.execute(select(Person.id).where(Person.email == address)).first()
            if clash is not None:
                raise ValidationError(
                    f"email {address!r} already belongs to someone in the register"
                )
            change("email", person.email, address)
            person.email = address
    if role is not None and Role(role) != person.role:
        _keep_one_admin(session, person, Role(role) != Role.ADMIN)
        change("role", person.role, Role(role))
        person.role = Role(role)
    if active is not None and active != person.active:
        _keep_one_admin(session, person, not active)
        change("active", person.active, active)
        person.active = active
    if changes:
        session.add(person)
        session.flush()
        audit.record(session, actor, changes)
    return audit.change_set(session)


def _keep_one_admin(session: Session, person: Person, losing_admin: bool) -> None:
    if not losing_admin or person.role != Role.ADMIN or not person.active:
        return
    admins = session.execute(
        select(Person.id).where(Person.role == Role.ADMIN, Person.active.is_(True))  # type: ignore[attr-defined]
    ).all()
    if len(admins) <= 1:
        raise ValidationError(f"person {person.email} is the last active admin")
