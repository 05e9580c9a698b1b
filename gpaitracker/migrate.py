"""Open a register: refuse foreign or newer files, back up, then run pending migrations."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from gpaitracker import paths
from gpaitracker.db import Register, create_register_engine, translate_db_error
from gpaitracker.errors import SchemaTooNewError, StorageError

SQLITE_MAGIC = b"SQLite format 3\x00"


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    return cfg


def known_revisions() -> tuple[set[str], str]:
    script = ScriptDirectory.from_config(_alembic_config())
    revisions = {rev.revision for rev in script.walk_revisions()}
    head = script.get_current_head()
    assert head is not None
    return revisions, head


def _check_sqlite_file(path: Path) -> bool:
    """Refuse what is plainly not a writable SQLite file; return whether it exists."""
    if not path.exists():
        if not path.parent.exists():
            try:
                path.parent.mkdir(parents=True)
            except OSError as exc:
                raise StorageError(f"cannot create folder {path.parent}: {exc.strerror}") from exc
        return False
    if path.is_dir():
        raise StorageError(f"register {path} is a folder, not an SQLite database")
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StorageError(f"register {path} cannot be read: {exc.strerror}") from exc
    if head and head != SQLITE_MAGIC:
        raise StorageError(f"register {path} is not an SQLite database")
    if not _writable(path):
        raise StorageError(f"register {path} is read-only; changes cannot be saved")
    return bool(head)


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def backup_sqlite(path: Path, backups: Path, label: str) -> Path:
    """Copy the register aside with SQLite's online backup (consistent even in WAL mode)."""
    backups.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backups / f"{path.stem}-{label}-{stamp}.sqlite"
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def open_register(home: Path, url: str | None = None, *, migrate: bool = True) -> Register:
    """Open (creating if needed) the register at url, migrated to the schema this app knows."""
    url = paths.database_url(home, url)
    parsed = make_url(url)
    sqlite_path: Path | None = None
    existed = False
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StorageError("an in-memory SQLite register cannot be used")
        sqlite_path = Path(parsed.database)
        existed = _check_sqlite_file(sqlite_path)
    home.mkdir(parents=True, exist_ok=True)
    engine = create_register_engine(url)
    register = Register(engine=engine, home=home, url=url)
    try:
        _prepare(register, sqlite_path if existed else None, migrate=migrate)
    except DBAPIError as exc:
        engine.dispose()
        mapped = translate_db_error(exc, url)
        if mapped is not None:
            raise mapped from exc
        raise
    except BaseException:
        engine.dispose()
        raise
    return register


def _prepare(register: Register, existing_file: Path | None, *, migrate: bool) -> None:
    revisions, head = known_revisions()
    with register.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = set(inspect(conn).get_table_names())
        conn.rollback()
    if current is None and tables - {"alembic_version"}:
        raise StorageError(f"{register.url} holds other data and is not a GPAI Tracker register")
    if current is not None and current not in revisions:
        raise SchemaTooNewError(
            f"register schema {current} is newer than this GPAI Tracker knows "
            f"(latest {head}); update GPAI Tracker to open it"
        )
    if current == head or not migrate:
        return
    if existing_file is not None and current is not None:
        backup_sqlite(existing_file, paths.backups_dir(register.home), f"before-{head}")
    cfg = _alembic_config()
    with register.engine.connect().execution_options(gpai_write=True) as conn:
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


def current_revision(register: Register) -> str | None:
    with register.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
