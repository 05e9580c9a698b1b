import pytest

from gpaitracker.db import session_scope
from gpaitracker.errors import PermissionDenied, ValidationError
from gpaitracker.services import organisation, people
from tests.services.helpers import add_people, person, snapshot


def test_people_roles_and_edits_are_audited(org_register, admin):
    add_people(org_register, admin)
    with session_scope(org_register, write=True) as s:
        people.update_person(session=s, actor=admin, email="olga@provider.eu", role="reviewer",
                             new_email="olga.l@provider.eu")  # fmt: skip
    with session_scope(org_register) as s:
        listed = {p.email: p.role for p in people.list_people(session=s)}
    assert listed["olga.l@provider.eu"] == "reviewer"
    assert "olga@provider.eu" not in listed


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"name": "X", "email": "olga@provider.eu", "role": "officer"}, "already belongs"),
        ({"name": "X", "email": "x@provider.eu", "role": "boss"}, "role 'boss' is not one of"),
        ({"name": "", "email": "x@provider.eu", "role": "officer"}, "name must not be empty"),
        ({"name": "X", "email": "x at provider", "role": "officer"}, "'x at provider' is not an"),
    ],
)
def test_bad_people_input(org_register, admin, kw, message):
    add_people(org_register, admin)
    before = snapshot(org_register)
    with (
        pytest.raises(ValidationError, match=message),
        session_scope(org_register, write=True) as s,
    ):
        people.add_person(session=s, actor=admin, **kw)
    assert snapshot(org_register) == before


def test_only_admins_make_admins_and_the_last_admin_stays(org_register, admin):
    add_people(org_register, admin)
    olga = person(org_register, "olga@provider.eu")
    with (
        pytest.raises(PermissionDenied, match="must be an admin"),
        session_scope(org_register, write=True) as s,
    ):
        people.add_person(session=s, actor=olga, name="Z", email="z@provider.eu", role="admin")
    with (
        pytest.raises(ValidationError, match="last active admin"),
        session_scope(org_register, write=True) as s,
    ):
        people.update_person(session=s, actor=admin, email=admin.email, role="officer")


def test_organisation_profile_edit(org_register, admin):
    with session_scope(org_register, write=True) as s:
        org, plans, applied = organisation.update(session=s, actor=admin, name="Provider SE")
    assert applied and plans == [] and org.name == "Provider SE"
    with (
        pytest.raises(ValidationError, match="already exists"),
        session_scope(org_register, write=True) as s,
    ):
        organisation.create_register(session=s, name="Again", admin_name="A",
                                     admin_email="a@b.eu")  # fmt: skip
