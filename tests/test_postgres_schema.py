"""The same migrations on a real PostgreSQL server: schema, upgrade, downgrade, guards."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gpaitracker.migrate import current_revision, known_revisions, open_register

pytestmark = pytest.mark.postgres


def test_fresh_database_migrates_to_head_and_matches_the_models(pg_empty_url, home):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import gpaitracker.models  # noqa: F401  (registers the tables)

    reg = open_register(home, pg_empty_url)
    try:
        assert current_revision(reg) == known_revisions()[1]
        with reg.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == []
    finally:
        reg.engine.dispose()
    assert not (home / "register.sqlite").exists()


def test_downgrade_to_the_start_and_up_again(pg_url, home):
    from alembic import command

    from gpaitracker.migrate import _alembic_config

    reg = open_register(home, pg_url)
    try:
        cfg = _alembic_config()
        with reg.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
            command.upgrade(cfg, "head")
        assert current_revision(reg) == known_revisions()[1]
    finally:
        reg.engine.dispose()


def test_audit_events_cannot_be_changed_even_by_the_owner(pg_url, home):
    from gpaitracker.services import organisation
    from gpaitracker.services.workspace import Workspace

    reg = open_register(home, pg_url)
    try:
        Workspace(reg).create(
            organisation.create_register,
            name="Provider SA",
            admin_name="Ada Admin",
            admin_email="ada@provider.eu",
        )
        for statement in (
            "UPDATE audit_event SET actor = 'mallory@x.eu'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
        ):
            with pytest.raises(DBAPIError, match="append-only"), reg.engine.begin() as conn:
                conn.execute(text(statement))
        with reg.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() > 0
    finally:
        reg.engine.dispose()
