"""Open a register: refuse foreign or newer files, back up, then run pending migrations."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from gpaitracker import paths
from gpaitracker.db import Register, create_register_engine, translate_db_error
from gpaitracker.errors import SchemaTooNewError, StorageError

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_MAGIC = b"SQLite format 3\x00"


MIGRATIONS = Path(__file__).with_name("migrations")
_REV = re.compile(r'^(down_revision|revision)\s*=\s*["\']?([\w-]+|None)["\']?', re.M)


def _alembic_config() -> Config:
    from alembic.config import Config  # imported only when a migration runs (~0.1 s)

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def known_revisions() -> tuple[set[str], str]:
    """Revision ids and the head, read from the migration files without importing Alembic."""
    revisions: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found: dict[str, str] = {m.group(1): m.group(2) for m in _REV.finditer(source)}
        if "revision" in found:
            down = found.get("down_revision")
            revisions[found["revision"]] = None if down in (None, "None") else down
    parents = {down for down in revisions.values() if down}
    heads = [rev for rev in revisions if rev not in parents]
    assert len(heads) == 1, f"migrations must have one head, found {heads}"
    return set(revisions), heads[0]


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
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"database URL {url!r} is not a valid SQLAlchemy URL") from None
    sqlite_path: Path | None = None
    existed = False
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StorageError("an in-memory SQLite register cannot be used")
        sqlite_path = Path(parsed.database)
        existed = _check_sqlite_file(sqlite_path)
    home.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_register_engine(url)
    except (ImportError, NoSuchModuleError) as exc:
        raise StorageError(
            f"database URL {parsed.render_as_string(hide_password=True)!r} needs a driver "
            f"that is not installed ({exc})"
        ) from exc
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
        tables = set(inspect(conn).get_table_names())
        current = _read_revision(conn) if "alembic_version" in tables else None
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
    from alembic import command

    cfg = _alembic_config()
    with register.engine.connect().execution_options(gpai_write=True) as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _read_revision(conn: Connection) -> str | None:
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    revision: str | None = rows[0][0] if rows else None
    return revision


def current_revision(register: Register) -> str | None:
    with register.engine.connect() as conn:
        return _read_revision(conn)
