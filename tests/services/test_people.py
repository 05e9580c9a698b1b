import pytest

from gpaitracker.enums import Entity, Role
from gpaitracker.errors import ConflictError, PermissionDenied, ValidationError
from gpaitracker.services import audit_trail, organisation, people
from tests.services.helpers import add_people, as_person, person_id, snapshot


def test_people_roles_and_edits_are_audited_by_id(org_ws):
    add_people(org_ws)
    olga = person_id(org_ws, "olga@provider.eu")
    changes = org_ws.write(
        people.update_person, person_id=olga, role=Role.REVIEWER, email="olga.l@provider.eu"
    )
    assert changes.ids(Entity.PERSON) == {olga}
    listed = {p.email: p.role for p in org_ws.read(people.list_people)}
    assert listed["olga.l@provider.eu"] == Role.REVIEWER
    assert "olga@provider.eu" not in listed
    # Her history is found by her new email and holds the events recorded under the old one.
    history = org_ws.read(audit_trail.events, ref="olga.l@provider.eu")
    assert [(e.label, e.field) for e in history] == [
        ("olga@provider.eu", "name"),
        ("olga@provider.eu", "role"),
        ("olga@provider.eu", "email"),
        ("olga@provider.eu", "role"),
    ]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"name": "X", "email": "olga@provider.eu", "role": Role.OFFICER}, "already belongs"),
        ({"name": "", "email": "x@provider.eu", "role": Role.OFFICER}, "name must not be empty"),
        ({"name": "X", "email": "x at provider", "role": Role.OFFICER}, "'x at provider' is not"),
    ],
)
def test_bad_people_input(org_ws, kw, message):
    add_people(org_ws)
    before = snapshot(org_ws)
    with pytest.raises(ValidationError, match=message):
        org_ws.write(people.add_person, **kw)
    assert snapshot(org_ws) == before


def test_only_admins_manage_people_and_the_last_admin_stays(org_ws, admin):
    add_people(org_ws)
    with pytest.raises(PermissionDenied, match="must be an admin"):
        as_person(org_ws, "olga@provider.eu").write(
            people.add_person, name="Z", email="z@provider.eu", role=Role.ADMIN
        )
    with pytest.raises(ValidationError, match="last active admin"):
        org_ws.write(people.update_person, person_id=admin.id, role=Role.OFFICER)


def test_a_deactivated_admin_cannot_write_any_more(org_ws, admin):
    add_people(org_ws)
    org_ws.write(people.add_person, name="Bo", email="bo@provider.eu", role=Role.ADMIN)
    bo = as_person(org_ws, "bo@provider.eu")
    bo.write(people.update_person, person_id=admin.id, active=False)
    with pytest.raises(PermissionDenied, match="inactive"):
        org_ws.write(people.add_person, name="Y", email="y@provider.eu", role=Role.OFFICER)


def test_stale_person_edit_is_a_conflict(org_ws):
    add_people(org_ws)
    olga = org_ws.read(people.get, person_id=person_id(org_ws, "olga@provider.eu"))
    org_ws.write(people.update_person, person_id=olga.id, name="Olga L.")
    with pytest.raises(ConflictError, match=r"olga@provider\.eu was changed by ada@provider\.eu"):
        org_ws.write(
            people.update_person, person_id=olga.id, name="Olga Lind", expected_version=olga.version
        )


def test_organisation_profile_edit(org_ws):
    org_ws.write(organisation.update, name="Provider SE")
    assert org_ws.read(organisation.get).name == "Provider SE"
    with pytest.raises(ValidationError, match="already exists"):
        org_ws.create(
            organisation.create_register, name="Again", admin_name="A", admin_email="a@b.eu"
        )
