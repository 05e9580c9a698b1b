"""Every write service passes the one authorisation point, for every role."""

import importlib
import inspect
import pkgutil

import pytest

import gpaitracker.services
from gpaitracker.authz import ROLE_PERMISSIONS, WRITE_SERVICES, Actor
from gpaitracker.enums import Role
from gpaitracker.errors import PermissionDenied
from gpaitracker.services import people
from tests.services.helpers import snapshot

# Functions that take an actor but are steps inside a write service, which authorises first.
INTERNAL_STEPS = {
    "gpaitracker.services.catalogues.install",
    "gpaitracker.services.catalogues.install_shipped",
    "gpaitracker.services.catalogues.apply_to_model",
    "gpaitracker.services.scope.apply",
    "gpaitracker.services.gpai_records.reassign",
}


def _service_modules():
    for info in pkgutil.iter_modules(gpaitracker.services.__path__):
        yield importlib.import_module(f"gpaitracker.services.{info.name}")


def test_every_public_service_taking_an_actor_is_a_declared_write_service():
    undeclared = []
    for module in _service_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            qualified = f"{module.__name__}.{name}"
            takes_actor = "actor" in inspect.signature(fn).parameters
            if takes_actor and qualified not in INTERNAL_STEPS | WRITE_SERVICES.keys():
                undeclared.append(qualified)
    assert undeclared == []
    assert len(WRITE_SERVICES) >= 10


@pytest.fixture
def everyone(org_ws):
    """One active person of every role, plus a deactivated admin."""
    actors = {}
    for role in Role:
        email = f"{role.value}@provider.eu"
        org_ws.write(people.add_person, name=role.value.title(), email=email, role=role)
        actors[email] = (role, True)
    org_ws.write(people.add_person, name="Gone", email="gone@provider.eu", role=Role.ADMIN)
    from tests.services.helpers import person_id

    org_ws.write(
        people.update_person, person_id=person_id(org_ws, "gone@provider.eu"), active=False
    )
    actors["gone@provider.eu"] = (Role.ADMIN, False)
    return actors


@pytest.mark.parametrize("service", sorted(WRITE_SERVICES))
def test_each_write_service_refuses_roles_without_its_permission(org_ws, everyone, service):
    fn, permission = WRITE_SERVICES[service]
    for email, (role, active) in everyone.items():
        ws = type(org_ws)(org_ws.register, email)
        allowed = active and permission in ROLE_PERMISSIONS[role]
        before = snapshot(org_ws)
        try:
            ws.write(fn)  # no arguments: an allowed role gets past authorisation, then fails
            refused = None
        except Exception as exc:
            refused = exc
        if allowed:
            assert not isinstance(refused, PermissionDenied), (service, email)
        else:
            assert isinstance(refused, PermissionDenied), (service, email, refused)
            assert snapshot(org_ws) == before


def test_a_forged_actor_is_checked_against_the_register(org_ws):
    """The actor's role is read again in the write transaction, not trusted from the caller."""
    org_ws.write(people.add_person, name="Aud", email="aud@provider.eu", role=Role.AUDITOR)
    real = type(org_ws)(org_ws.register, "aud@provider.eu").actor()
    forged = Actor(real.id, real.email, real.name, Role.ADMIN, True)
    from gpaitracker.db import session_scope

    with session_scope(org_ws.register, write=True) as s, pytest.raises(PermissionDenied):
        people.add_person(session=s, actor=forged, name="X", email="x@provider.eu", role=Role.ADMIN)
