"""People: who owns, reviews and reads the register."""

from __future__ import annotations

from sqlmodel import Session, select

from gpaitracker import audit, validation
from gpaitracker.audit import Change
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import Meta, Person, Role

FIRST_ADMIN_KEY = "first_admin_id"


def get_by_email(*, session: Session, email: str) -> Person:
    address = email.strip().lower()
    person = session.exec(select(Person).where(Person.email == address)).first()
    if person is None:
        raise NotFoundError(f"person {email!r} is not in the register")
    return person


def get(*, session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"person id {person_id} is not in the register")
    return person


def list_people(*, session: Session, include_inactive: bool = True) -> list[Person]:
    query = select(Person).order_by(Person.name, Person.email)
    if not include_inactive:
        query = query.where(Person.active == True)  # noqa: E712
    return list(session.exec(query).all())


def first_admin(*, session: Session) -> Person | None:
    meta = session.get(Meta, FIRST_ADMIN_KEY)
    if meta is None:
        return None
    return session.get(Person, int(meta.value))


def _create(session: Session, name: str, email: str, role: Role) -> Person:
    name = validation.text(name, "name", max_chars=200, required=True)
    address = validation.email(email)
    if session.exec(select(Person).where(Person.email == address)).first() is not None:
        raise ValidationError(f"email {address!r} already belongs to someone in the register")
    person = Person(name=name, email=address, role=role)
    session.add(person)
    session.flush()
    return person


def bootstrap_admin(*, session: Session, name: str, email: str) -> Person:
    """The register's first admin; only used when the register is created."""
    person = _create(session, name, email, Role.ADMIN)
    session.add(Meta(key=FIRST_ADMIN_KEY, value=str(person.id)))
    audit.record(
        session,
        person.email,
        [Change("create", "person", person.email, "role", None, Role.ADMIN.value)],
    )
    return person


def add_person(*, session: Session, actor: Person, name: str, email: str, role: str) -> Person:
    validation.require_writer(actor)
    wanted = validation.role(role)
    if wanted == Role.ADMIN:
        validation.require_admin(actor)
    person = _create(session, name, email, wanted)
    audit.record(
        session,
        actor.email,
        [
            Change("create", "person", person.email, "name", None, person.name),
            Change("create", "person", person.email, "role", None, person.role),
        ],
    )
    return person


def update_person(
    *,
    session: Session,
    actor: Person,
    email: str,
    name: str | None = None,
    new_email: str | None = None,
    role: str | None = None,
    active: bool | None = None,
) -> Person:
    validation.require_admin(actor)
    person = get_by_email(session=session, email=email)
    changes: list[Change] = []
    key = person.email
    if name is not None:
        value = validation.text(name, "name", max_chars=200, required=True)
        if value != person.name:
            changes.append(Change("update", "person", key, "name", person.name, value))
            person.name = value
    if new_email is not None:
        value = validation.email(new_email)
        if value != person.email:
            clash = session.exec(select(Person).where(Person.email == value)).first()
            if clash is not None:
                raise ValidationError(f"email {value!r} already belongs to someone in the register")
            changes.append(Change("update", "person", key, "email", person.email, value))
            person.email = value
    if role is not None:
        value = validation.role(role).value
        if value != person.role:
            _keep_one_admin(session, person, value != Role.ADMIN)
            changes.append(Change("update", "person", key, "role", person.role, value))
            person.role = value
    if active is not None and active != person.active:
        _keep_one_admin(session, person, not active)
        changes.append(Change("update", "person", key, "active", person.active, active))
        person.active = active
    if changes:
        session.add(person)
        session.flush()
        audit.record(session, actor.email, changes)
    return person


def _keep_one_admin(session: Session, person: Person, losing_admin: bool) -> None:
    if not losing_admin or person.role != Role.ADMIN:
        return
    admins = session.exec(
        select(Person).where(Person.role == Role.ADMIN, Person.active == True)  # noqa: E712
    ).all()
    if len(admins) <= 1:
        raise ValidationError(f"person {person.email} is the last active admin")
