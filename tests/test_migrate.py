"""Opening registers: fresh, upgrade of every released schema, refusal of foreign/newer files."""

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from gpaitracker.errors import SchemaTooNewError, StorageError
from gpaitracker.migrate import current_revision, known_revisions, open_register
from gpaitracker.services import audit_trail, lookup, people, queries, register
from gpaitracker.services.workspace import Workspace

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
    ws = Workspace(reg)
    olga = ws.read(lookup.person_id, email="olga@legacy.eu")
    assert ws.read(people.get, person_id=olga).name == "Olga Officer"
    orca = ws.read(lookup.model_id, ref="orca-1")
    rows = ws.read(queries.list_rows, filters=queries.Filters(model_id=orca, owner_id=olga))
    assert "orca-1/AIA-53-1-a" in [r.key for r in rows]
    assert audit_trail.verify(reg).problems == ()
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
    with pytest.raises(SchemaTooNewError, match=r"9999_from_the_future.*newer"):
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
        # The comment search index (FTS5) is SQLite's own, kept by a trigger, not a model.
        context = MigrationContext.configure(
            conn,
            opts={
                "include_name": lambda name, kind, _: (
                    not (kind == "table" and (name or "").startswith("comment_search"))
                )
            },
        )
        diff = compare_metadata(context, SQLModel.metadata)
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


def test_upgrade_to_row_ids_keeps_history_across_renames_and_email_changes(home):
    """Schema 0002 named items by key and people by email; 0003 names them by row id.

    The fixture's item orca-1/COP3-I.1.1 became orca-1/COP-T-1.1 in a catalogue upgrade,
    and olga's email changed twice; the old events keep verifying in hash format 1.
    """
    home.mkdir(parents=True)
    shutil.copy(DATA / "register-0002.sqlite", home / "register.sqlite")
    reg = open_register(home)
    ws = Workspace(reg)
    item = ws.read(lookup.requirement_id, key="orca-1/COP-T-1.1")
    history = ws.read(audit_trail.events, ref="orca-1/COP-T-1.1", limit=100)
    assert {e.row_id for e in history} == {item}
    fields = [(e.label, e.field) for e in history]
    for before in ("due_date", "owner", "notes", "status", "key"):
        assert ("orca-1/COP3-I.1.1", before) in fields
    # The item's notes of schema 0002 became the first comment of its thread.
    from gpaitracker.services import item_detail

    thread = ws.read(item_detail.detail, requirement_id=item).comments
    assert [(c.kind, c.text) for c in thread] == [("migrated", "draft-era note")]
    olga = ws.read(lookup.person_id, email="olga@legacy.eu")
    emails = [
        e.new for e in ws.read(audit_trail.events, ref="olga@legacy.eu") if e.field == "email"
    ]
    assert emails == ["olga.officer@legacy.eu", "olga@legacy.eu"]
    assert all(e.row_id == olga for e in ws.read(audit_trail.events, ref="olga@legacy.eu"))
    # New events are format 2 and chain onto the old ones.
    import datetime as dt

    ws.write(register.set_due, requirement_id=item, due=dt.date(2027, 1, 4))
    report = audit_trail.verify(reg)
    assert report.problems == ()
    con = sqlite3.connect(home / "register.sqlite")
    formats = dict(con.execute("SELECT format, count(*) FROM audit_event GROUP BY format"))
    actors = con.execute("SELECT count(*) FROM audit_event WHERE actor_id IS NULL").fetchone()
    con.close()
    assert formats[2] == 1 and formats[1] > 50
    assert actors == (0,)
    reg.engine.dispose()


def _step(home: Path, direction: str, target: str) -> None:
    """Run one Alembic step on the register's file, as an administrator would by hand."""
    from alembic import command
    from sqlalchemy import create_engine

    from gpaitracker.migrate import _alembic_config

    engine = create_engine(f"sqlite:///{home / 'register.sqlite'}")
    try:
        with engine.connect() as conn:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            with conn.begin():
                cfg = _alembic_config()
                cfg.attributes["connection"] = conn
                getattr(command, direction)(cfg, target)
    finally:
        engine.dispose()


def test_each_migration_since_0005_downgrades_and_upgrades_again_keeping_reports(home):
    from tests.conftest import run_main

    assert run_main("demo", home=home).returncode == 0
    # A report record as `report` keeps it (the PDF itself needs reportlab, not needed here).
    import datetime as dt

    from gpaitracker.services.report_export import record_report, report_inputs

    with Workspace.open(home, create=False) as ws:
        data, figures = ws.read(
            report_inputs, as_of=dt.date.today(), model_ids=None, prepared_by="x"
        )
        ws.write(
            record_report,
            data=data,
            model_ids=None,
            signer="",
            pdf_sha256="ab" * 32,
            figures=figures,
        )
    con = sqlite3.connect(home / "register.sqlite")
    (sha,) = con.execute("SELECT pdf_sha256 FROM report_record").fetchone()
    con.close()
    revisions, head = known_revisions()
    steps = 0

    def version() -> str:
        con = sqlite3.connect(home / "register.sqlite")
        try:
            return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            con.close()

    while version() != "0005_comment_search":
        _step(home, "downgrade", "-1")
        steps += 1
    assert steps == len(revisions) - 5
    con = sqlite3.connect(home / "register.sqlite")
    assert con.execute("SELECT sha256 FROM report_record").fetchall() == [(sha,)]
    con.close()
    _step(home, "upgrade", "head")
    reg = open_register(home)
    assert current_revision(reg) == head
    ws = Workspace(reg)
    from gpaitracker.services import report_export

    [issued] = ws.read(report_export.list_reports)
    assert issued.pdf_sha256 == sha
    assert audit_trail.verify(reg).problems == ()


def _alembic(reg, action: str, target: str) -> None:
    from alembic import command

    from gpaitracker.migrate import _alembic_config

    cfg = _alembic_config()
    with reg.engine.connect().execution_options(gpai_write=True) as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # as migrate.py does for batch rebuilds
        with conn.begin():
            cfg.attributes["connection"] = conn
            getattr(command, action)(cfg, target)
        raw.execute("PRAGMA foreign_keys=ON")


def test_gpai_depth_migration_upgrades_and_downgrades(home):
    """0007 adds the model facts, item coverage and the request and incident tables; an
    open-source model keeps its exemption; downgrading removes them and keeps the rest."""
    reg = open_register(home)
    _alembic(reg, "downgrade", "0006_report_record")
    assert current_revision(reg) == "0006_report_record"
    with reg.engine.connect().execution_options(gpai_write=True) as conn, conn.begin():
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert not {"request", "incident", "incident_report", "mdf_version"} & tables
        conn.exec_driver_sql(
            "INSERT INTO ai_model (name, slug, version, placed_on_market, training_flop, "
            "open_source, designated_systemic_risk, notes, retired, created_at, row_version, "
            "updated_at) VALUES ('Libre', 'libre', '', '2025-10-01', 1e24, 1, 0, '', 0, "
            "'2025-10-01 00:00:00', 1, '2025-10-01 00:00:00')"
        )
    _alembic(reg, "upgrade", "0007_gpai_depth")
    assert current_revision(reg) == "0007_gpai_depth"
    with reg.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT open_source, weights_public, architecture_public, usage_public, monetised, "
            "modality, level FROM ai_model, (SELECT 'model' AS level) WHERE slug = 'libre'"
        ).one()
        assert tuple(row) == (1, 1, 1, 1, 0, "", "model")
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert {"request", "incident", "incident_report", "mdf_version"} <= tables
    _alembic(reg, "downgrade", "0006_report_record")
    with reg.engine.connect() as conn:
        columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(ai_model)")}
        assert "weights_public" not in columns and "open_source" in columns
        assert conn.exec_driver_sql("SELECT name FROM ai_model").scalar() == "Libre"
    reg.engine.dispose()
