"""Team mode: prepare a PostgreSQL register for a team and give people their logins."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlmodel import select

from gpaitracker import audit, server_roles, validation
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.db import Register, session_scope
from gpaitracker.enums import Entity, Role
from gpaitracker.errors import StorageError, ValidationError
from gpaitracker.models import Person

MIN_PASSWORD_CHARS = 12


def require_server(register: Register) -> None:
    if register.engine.dialect.name != "postgresql":
        raise StorageError(
            f"{register.url} is not a PostgreSQL database; team mode needs a "
            "postgresql+psycopg://USER@HOST/DATABASE URL"
        )


def init_server(register: Register) -> list[str]:
    """Create the group roles and grants of an (already migrated) register database."""
    require_server(register)
    with session_scope(register, write=True) as session:
        return server_roles.grant_roles(session.connection())


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise ValidationError("password must not contain control characters")
    return password


@write_service(Permission.ADMIN)
def add_user(
    *,
    session: Session,
    actor: Actor,
    email: str,
    role: Role,
    login: str,
    password: str,
    name: str | None = None,
) -> Changes:
    """Give person EMAIL (added when new, with name) a server login in the group of role.

    The person's role in the register becomes role, so the app and the database agree.
    Everything happens in one transaction: on any error no login and no person is left.
    """
    if session.get_bind().dialect.name != "postgresql":
        raise StorageError("logins exist only on a PostgreSQL register (team mode)")
    server_roles.check_login(login)
    check_password(password)
    role = Role(role)
    address = validation.email(email)
    person = session.execute(select(Person).where(Person.email == address)).scalar()
    changes: list[Change] = []
    if person is None:
        shown = validation.text(name or address.partition("@")[0], "name", max_chars=200)
        person = Person(name=shown, email=address, role=role)
        session.add(person)
        session.flush()
        assert person.id is not None
        changes += [
            Change("create", Entity.PERSON, person.id, address, "name", None, shown),
            Change("create", Entity.PERSON, person.id, address, "role", None, role),
        ]
    elif person.role != role:
        assert person.id is not None
        changes.append(
            Change("update", Entity.PERSON, person.id, address, "role", person.role, role)
        )
        person.role = role
        session.add(person)
        session.flush()
    assert person.id is not None
    conn = session.connection()
    server_roles.create_login(conn, login, password, role)
    before = server_roles.person_of_login(conn, login)
    server_roles.link_login(conn, login, person.id)
    if before != person.id:
        changes.append(Change("update", Entity.PERSON, person.id, address, "login", None, login))
    audit.record(session, actor, changes)
    return audit.change_set(session)
