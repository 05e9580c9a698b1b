"""Who may change what: the one authorisation point every write service passes.

A write service is declared with `@write_service(Permission.X)`. Before its body runs, the
acting person is read again from the register inside the same transaction, so a role change
or deactivation made a moment ago by someone else already counts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from gpaitracker.enums import Role
from gpaitracker.errors import PermissionDenied
from gpaitracker.models import Person


class Permission(StrEnum):
    EDIT = "edit"  # register items, evidence, models
    ADMIN = "admin"  # people, the organisation, catalogues, settings


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset({Permission.EDIT, Permission.ADMIN}),
    Role.OFFICER: frozenset({Permission.EDIT}),
    Role.REVIEWER: frozenset({Permission.EDIT}),
    Role.EXECUTIVE: frozenset(),
    Role.AUDITOR: frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """The person a write is made by, as read from the register."""

    id: int
    email: str
    name: str
    role: Role
    active: bool

    @classmethod
    def of(cls, person: Person) -> Actor:
        assert person.id is not None
        return cls(person.id, person.email, person.name, Role(person.role), person.active)

    def may(self, permission: Permission) -> bool:
        return self.active and permission in ROLE_PERMISSIONS.get(self.role, frozenset())


# qualified name -> permission: every write service, so tests can try each with every role.
WRITE_SERVICES: dict[str, tuple[Callable[..., Any], Permission]] = {}

P = ParamSpec("P")
R = TypeVar("R")


def authorise(session: Session, actor: Actor, permission: Permission) -> Actor:
    """The actor as the register knows them now, if they may do this; else PermissionDenied."""
    person = session.get(Person, actor.id)
    if person is None:
        raise PermissionDenied(f"person {actor.email} is not in the register")
    current = Actor.of(person)
    if not current.active:
        raise PermissionDenied(f"person {current.email} is inactive and cannot change the register")
    if not current.may(permission):
        if current.may(Permission.EDIT):
            raise PermissionDenied(f"person {current.email} must be an admin for this change")
        raise PermissionDenied(
            f"you have read-only access: person {current.email} has role "
            f"{current.role.value}, which is read-only"
        )
    return current


def write_service(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a write service: authorise the `actor` keyword before the body runs."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            session = kwargs["session"]
            actor = kwargs["actor"]
            if not isinstance(session, Session) or not isinstance(actor, Actor):
                raise TypeError(f"{fn.__qualname__} needs session= and actor= keywords")
            kwargs["actor"] = authorise(session, actor, permission)
            return fn(*args, **kwargs)

        WRITE_SERVICES[f"{fn.__module__}.{fn.__qualname__}"] = (wrapper, permission)
        return wrapper

    return decorate
