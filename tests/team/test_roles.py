"""server init / add-user on a real server: the database itself enforces each role."""

import datetime as dt

import pytest
from sqlalchemy import text

from gpaitracker.db import session_scope
from gpaitracker.errors import PermissionDenied, StorageError
from gpaitracker.services import audit_trail, lookup, people, register
from tests.conftest import run_cli, run_main
from tests.team.helpers import ADA, PASSWORD

pytestmark = pytest.mark.postgres
KEY = "atlas-2/AIA-53-1-a"


@pytest.fixture
def team(pg_team):
    return pg_team


def test_server_init_and_add_user_from_the_command_line(pg_empty_url, home):
    done = run_cli("server", "init", pg_empty_url, home=home)
    assert done.returncode == 0, done.stderr
    assert "_executive" in done.stdout and "audit trail accepts new events only" in done.stdout
    assert "***" not in pg_empty_url and pg_empty_url.split(":")[2].split("@")[0] not in done.stdout
    env = {"GPAITRACKER_DB": pg_empty_url}
    assert (
        run_main(
            "init", "--organisation", "Provider SA", "--admin-email", ADA, home=home, env=env
        ).returncode
        == 0
    )
    added = run_cli(
        "server",
        "add-user",
        "olga@provider.eu",
        "--role",
        "officer",
        "--login",
        "olga",
        "--name",
        "Olga Officer",
        home=home,
        env={**env, "GPAITRACKER_NEW_PASSWORD": PASSWORD},
    )
    assert added.returncode == 0, added.stderr
    assert "Login olga acts as olga@provider.eu (officer)" in added.stdout
    listed = run_main("person", "list", "--format", "csv", home=home, env=env).stdout
    assert "olga@provider.eu,Olga Officer,officer" in listed
    bad = run_main(
        "server",
        "add-user",
        "x@provider.eu",
        "--role",
        "officer",
        "--login",
        "x",
        home=home,
        env={**env, "GPAITRACKER_NEW_PASSWORD": "short"},
    )
    assert bad.returncode == 1 and "at least 12 characters" in bad.stderr
    hostile = run_main(
        "server",
        "add-user",
        "y@provider.eu",
        "--role",
        "officer",
        "--login",
        'y"; DROP TABLE person; --',
        home=home,
        env={**env, "GPAITRACKER_NEW_PASSWORD": PASSWORD},
    )
    assert hostile.returncode == 1 and "is not a valid name" in hostile.stderr
    assert "y@provider.eu" not in run_main("person", "list", home=home, env=env).stdout


def test_read_only_login_is_refused_by_the_app_and_by_the_database(team):
    eve = team.ws("eve")
    rid = eve.read(lookup.requirement_id, key=KEY)
    with pytest.raises(PermissionDenied, match="you have read-only access"):
        eve.write(register.set_due, requirement_id=rid, due=dt.date(2026, 1, 1))
    # Raw SQL through the app's own connection: the server refuses it.
    for statement in (
        "UPDATE requirement SET result = 'x'",
        "INSERT INTO meta (key, value) VALUES ('k', 'v')",
        "DELETE FROM evidence_link",
    ):
        with (
            pytest.raises(PermissionDenied, match="you have read-only access"),
            session_scope(eve.register, write=True) as session,
        ):
            session.execute(text(statement))
    eve.close()


def test_database_refuses_even_when_the_register_says_officer(team):
    """An executive login whose person was made officer in the register still cannot write."""
    owner = team.ws()
    eve_id = owner.read(lookup.person_id, email="eve@provider.eu")
    owner.write(people.update_person, person_id=eve_id, role="officer")
    owner.close()
    eve = team.ws("eve")
    rid = eve.read(lookup.requirement_id, key=KEY)
    with pytest.raises(PermissionDenied, match="you have read-only access"):
        eve.write(register.set_due, requirement_id=rid, due=dt.date(2026, 1, 1))
    eve.close()
    ran = run_main("--db", team.url("eve"), "due", KEY, "2026-01-01", home=team.home)
    assert ran.returncode == 1 and "you have read-only access" in ran.stderr


def test_officer_login_edits_as_itself_and_cannot_touch_the_trail(team):
    olga = team.ws("olga")
    rid = olga.read(lookup.requirement_id, key=KEY)
    olga.write(register.set_due, requirement_id=rid, due=dt.date(2026, 6, 30))
    trail = olga.read(audit_trail.events, ref=KEY, limit=1)
    assert trail[0].actor == "olga@provider.eu"
    for statement in (
        "UPDATE audit_event SET actor = 'x'",
        "DELETE FROM audit_event",
        "INSERT INTO person (name, email, role, active, created_at, updated_at, "
        "row_version) VALUES ('M', 'm@x.eu', 'admin', true, now(), now(), 1)",
    ):
        with pytest.raises(PermissionDenied), session_scope(olga.register, write=True) as s:
            s.execute(text(statement))
    with pytest.raises(PermissionDenied, match="must be an admin"):
        olga.write(people.add_person, name="M", email="m@x.eu", role="admin")
    olga.close()
    other = team.ws("olga", acting=ADA)
    with pytest.raises(PermissionDenied, match=r"login olga acts as olga@provider\.eu"):
        other.write(register.set_due, requirement_id=rid, due=dt.date(2026, 7, 1))
    other.close()
    assert audit_trail.verify(team.ws().register).problems == ()


def test_wrong_password_is_a_clear_error(team):
    from sqlalchemy.engine import make_url

    from gpaitracker.migrate import open_register

    url = make_url(team.url("olga")).set(password="wrong").render_as_string(hide_password=False)
    with pytest.raises(StorageError, match="refused the login"):
        open_register(team.home, url)


def test_a_login_that_may_not_upgrade_the_schema_is_told_who_can(team):
    from alembic import command

    from gpaitracker.migrate import _alembic_config, open_register

    owner = open_register(team.home, team.owner_url)
    cfg = _alembic_config()
    with owner.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    owner.engine.dispose()
    with pytest.raises(StorageError, match=r"at schema \S+ and needs an upgrade.*owner must run"):
        open_register(team.home, team.url("olga"))


def test_admin_login_manages_people_but_not_the_trail(team):
    from gpaitracker.enums import Role
    from gpaitracker.services import team as team_service

    owner = team.ws()
    owner.write(
        team_service.add_user,
        email="adm@provider.eu",
        role=Role.ADMIN,
        login="adm",
        password=PASSWORD,
    )
    owner.close()
    adm = team.ws("adm")
    adm.write(people.add_person, name="New Officer", email="new@provider.eu", role="officer")
    assert adm.read(lookup.person_id, email="new@provider.eu")
    with pytest.raises(PermissionDenied), session_scope(adm.register, write=True) as s:
        s.execute(text("DELETE FROM audit_event"))
    adm.close()


def test_grants_follow_the_app_roles_table_by_table(team):
    from gpaitracker.server_roles import ADMIN_TABLES

    with team.ws().register.engine.connect() as conn:
        tables = [
            t
            for (t,) in conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
        ]

        def may(login, table, what):
            return conn.execute(
                text("SELECT has_table_privilege(:l, :t, :w)"), {"l": login, "t": table, "w": what}
            ).scalar()

        for table in tables:
            assert may("eve", table, "SELECT") and not may("eve", table, "INSERT")
            for what in ("UPDATE", "DELETE"):
                assert not may("olga", "audit_event", what)
            if table in ("audit_event", "alembic_version"):
                continue
            assert may("olga", table, "UPDATE") == (table not in ADMIN_TABLES), table
    assert {"request", "incident", "report_record", "requirement"} <= set(tables)
    assert may  # every table checked above
