"""Opening registers: fresh, upgrade of every released schema, refusal of foreign/newer files."""

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from gpaitracker.db import session_scope
from gpaitracker.errors import SchemaTooNewError, StorageError
from gpaitracker.migrate import current_revision, known_revisions, open_register
from gpaitracker.services import people, queries

DATA = Path(__file__).parent / "data"
RELEASED = sorted(DATA.glob("register-*.sqlite"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_register_is_at_head_with_wal_and_foreign_keys(home):
    reg = open_register(home)
    _, head = known_revisions()
    assert current_revision(reg) == head
    with reg.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    reg.engine.dispose()


@pytest.mark.parametrize("fixture", RELEASED, ids=[p.stem for p in RELEASED])
def test_released_schema_upgrades_and_keeps_data(home, fixture):
    home.mkdir(parents=True)
    target = home / "register.sqlite"
    shutil.copy(fixture, target)
    reg = open_register(home)
    _, head = known_revisions()
    assert current_revision(reg) == head
    with session_scope(reg) as s:
        assert people.get_by_email(session=s, email="olga@legacy.eu").name == "Olga Officer"
        rows = queries.list_rows(session=s, filters=queries.Filters(model="orca-1"))
        owned = [r for r in rows if r.owner == "olga@legacy.eu"]
        assert [r.key for r in owned] == ["orca-1/AIA-53-1-a"]
    reg.engine.dispose()
    if fixture.stem.removeprefix("register-") not in head:
        backups = list((home / "backups").glob("*.sqlite"))
        assert backups, "an upgrade must copy the file aside first"


def test_first_schema_fixture_exists():
    assert any("0001" in p.name for p in RELEASED)


def test_newer_schema_is_refused_and_file_untouched(home):
    reg = open_register(home)
    reg.engine.dispose()
    db = home / "register.sqlite"
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    con.commit()
    con.close()
    before = _digest(db)
    with pytest.raises(SchemaTooNewError, match="9999_from_the_future.*newer"):
        open_register(home)
    assert _digest(db) == before


def test_file_that_is_not_sqlite_is_refused(home):
    home.mkdir(parents=True)
    db = home / "register.sqlite"
    db.write_bytes(b"%PDF-1.7 certainly not a database\n" * 100)
    before = _digest(db)
    with pytest.raises(StorageError, match="not an SQLite database"):
        open_register(home)
    assert _digest(db) == before


def test_foreign_sqlite_database_is_refused(home):
    home.mkdir(parents=True)
    con = sqlite3.connect(home / "register.sqlite")
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(StorageError, match="not a GPAI Tracker register"):
        open_register(home)


def test_read_only_file_is_refused(home, monkeypatch):
    open_register(home).engine.dispose()
    db = home / "register.sqlite"
    db.chmod(0o444)
    if os.geteuid() == 0:
        # root may write anyway; make the permission check see what a user would.
        import gpaitracker.migrate as migrate

        monkeypatch.setattr(migrate, "_writable", lambda path: os.stat(path).st_mode & 0o222)
    before = _digest(db)
    with pytest.raises(StorageError, match="read-only"):
        open_register(home)
    assert _digest(db) == before


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "'nonsense' is not a valid SQLAlchemy URL"),
        ("frob://x", "needs a driver that is not installed"),
        ("sqlite://", "in-memory SQLite register cannot be used"),
    ],
)
def test_bad_database_urls(home, url, message):
    with pytest.raises(StorageError, match=message):
        open_register(home, url)


def test_database_url_from_environment(home, tmp_path, monkeypatch):
    target = tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv("GPAITRACKER_DB", f"sqlite:///{target}")
    open_register(home).engine.dispose()
    assert target.exists() and not (home / "register.sqlite").exists()


def test_schema_after_migrations_matches_the_models(home):
    """Autogenerate finds nothing to do: migrations and models describe the same schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import gpaitracker.models  # noqa: F401  (registers the tables)

    reg = open_register(home)
    with reg.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    reg.engine.dispose()
    assert diff == []


def test_upgrade_from_first_schema_copies_the_file_aside(home):
    home.mkdir(parents=True)
    shutil.copy(DATA / "register-0001.sqlite", home / "register.sqlite")
    before = _digest(home / "register.sqlite")
    open_register(home).engine.dispose()
    backups = list((home / "backups").glob("register-before-*.sqlite"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001_initial",)
    con.close()
    assert _digest(home / "register.sqlite") != before
