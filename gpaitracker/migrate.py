"""Open a register: refuse foreign or newer files, back up, then run pending migrations."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError, NoSuchModuleError

from gpaitracker import paths
from gpaitracker.db import (
    Register,
    _busy_timeout_ms,
    create_register_engine,
    translate_db_error,
)
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


def _check_folder(path: Path, what: str, *, create: bool) -> None:
    """A folder the register needs is a folder (or absent); created only when create is set."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if create:
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create {what} {path}: {exc.strerror}") from None
        return
    except OSError as exc:
        raise StorageError(f"{what} {path} cannot be used: {exc.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise StorageError(f"{what} {path} is {paths.file_kind(st.st_mode)}, not a folder")


def _check_sqlite_file(path: Path, *, create: bool) -> bytes:
    """Refuse what is plainly not a writable SQLite file; return its header (b"" if none).

    Nothing here opens a file that could block (a FIFO) or never end (a device).
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if not create:
            raise StorageError(f"no register at {path} (create one first)") from None
        _check_folder(path.parent, "folder", create=True)
        return b""
    except OSError as exc:
        raise StorageError(f"register {path} cannot be used: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = paths.file_kind(st.st_mode)
        raise StorageError(f"register {path} is {kind}, not an SQLite database")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat
                raise StorageError(f"register {path} is not an SQLite database")
            head = os.read(fd, 100)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StorageError(f"register {path} cannot be read: {exc.strerror}") from None
    if head and not head.startswith(SQLITE_MAGIC):
        raise StorageError(f"register {path} is not an SQLite database")
    if not _writable(path):
        raise StorageError(f"register {path} is read-only; changes cannot be saved")
    return head


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """An SQLite URI opening path read-only; quoted, so ? # % in folder names stay literal."""
    return Path(os.path.abspath(path)).as_uri() + ("?immutable=1" if immutable else "?mode=ro")


def _inspect_file(path: Path, header: bytes) -> tuple[set[str], str | None]:
    """Tables and schema revision, read without writing a byte (WAL stays off until accepted)."""
    # A WAL file with no -wal beside it holds everything in itself; reading it as immutable
    # keeps SQLite from leaving empty -wal and -shm files next to a file that is refused.
    wal_only = header[18:20] == b"\x02\x02" and not Path(f"{path}-wal").exists()
    try:
        con = sqlite3.connect(
            _read_only_uri(path, immutable=wal_only), uri=True, timeout=_busy_timeout_ms() / 1000
        )
    except sqlite3.Error as exc:
        raise _sqlite_error(path, exc) from None
    try:
        names = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        tables = {name for (name,) in names}
        revision = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    except sqlite3.Error as exc:
        raise _sqlite_error(path, exc) from None
    finally:
        con.close()
    return tables, revision


def _sqlite_error(path: Path, exc: sqlite3.Error) -> StorageError:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    lowered = reason.lower()
    if "not a database" in lowered or "encrypted" in lowered:
        return StorageError(f"register {path} is not an SQLite database")
    if "locked" in lowered or "busy" in lowered:
        return StorageError(f"register {path} is busy with another writer; try again")
    if "unable to open" in lowered:
        return StorageError(f"register {path} cannot be opened")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return StorageError(f"register {path} is damaged: {reason}")
    return StorageError(f"register {path} cannot be read: {reason}")


def _refuse_unless_register(
    tables: set[str], revision: str | None, where: str, *, create: bool
) -> None:
    revisions, head = known_revisions()
    if revision is None and tables - {"alembic_version"}:
        raise StorageError(f"{where} holds other data and is not a GPAI Tracker register")
    if revision is not None and revision not in revisions:
        raise SchemaTooNewError(
            f"register schema {revision} is newer than this GPAI Tracker knows "
            f"(latest {head}); update GPAI Tracker to open it"
        )
    if revision is None and not create:
        raise StorageError(f"no register at {where} (create one first)")


def backup_sqlite(path: Path, backups: Path, label: str) -> Path:
    """Copy the register aside with SQLite's online backup (consistent even in WAL mode)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backups / f"{path.stem}-{label}-{stamp}.sqlite"
    try:
        backups.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except OSError as exc:
        raise StorageError(f"cannot back up {path} to {backups}: {exc.strerror}") from None
    except sqlite3.Error as exc:
        raise StorageError(f"cannot back up {path} to {target}: {exc}") from None
    return target


def open_register(
    home: Path, url: str | None = None, *, migrate: bool = True, create: bool = True
) -> Register:
    """Open the register at url (text from --db / GPAITRACKER_DB) or in home, migrated.

    With create=False (read-only commands) a missing or empty register is a StorageError
    and nothing is created on disk. A refused file is left byte for byte as it was.
    """
    target = paths.database_url(home, url)
    shown = paths.display_url(target)
    for folder, what in (
        (home, "register folder"),
        (paths.backups_dir(home), "backups folder"),
        (paths.evidence_dir(home), "evidence folder"),
    ):
        _check_folder(folder, what, create=False)
    sqlite_path: Path | None = None
    state: tuple[set[str], str | None] | None = None
    existed = False
    if target.get_backend_name() == "sqlite":
        if (
            not target.database
            or target.database == ":memory:"
            or "memory" in str(target.query.get("mode", ""))
        ):
            raise StorageError("an in-memory SQLite register cannot be used")
        sqlite_path = Path(target.database)
        header = _check_sqlite_file(sqlite_path, create=create)
        existed = bool(header)
        state = _inspect_file(sqlite_path, header) if existed else (set(), None)
        _refuse_unless_register(*state, str(sqlite_path), create=create)
    if create:
        _check_folder(home, "register folder", create=True)
    try:
        engine = create_register_engine(target)
    except (ImportError, NoSuchModuleError) as exc:
        raise StorageError(
            f"database URL {shown!r} needs a driver that is not installed ({exc})"
        ) from exc
    register = Register(engine=engine, home=home, url=shown)
    try:
        if state is None:  # a database server: inspecting it changes nothing
            state = _inspect_engine(register)
            _refuse_unless_register(*state, shown, create=create)
        if migrate:
            _migrate(register, state[1], sqlite_path if existed else None)
    except DBAPIError as exc:
        engine.dispose()
        if getattr(exc.orig, "sqlstate", None) == "42501" and state is not None:
            raise StorageError(
                f"the register at {shown} is at schema {state[1]} and needs an upgrade this "
                "login may not make; its owner must run: gpaitracker server init URL"
            ) from exc
        mapped = translate_db_error(exc, register.url)
        if mapped is not None:
            raise mapped from exc
        raise
    except BaseException:
        engine.dispose()
        raise
    return register


def _inspect_engine(register: Register) -> tuple[set[str], str | None]:
    with register.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = _read_revision(conn) if "alembic_version" in tables else None
        conn.rollback()
    return tables, revision


def _migrate(register: Register, current: str | None, existing_file: Path | None) -> None:
    _, head = known_revisions()
    if current == head:
        return
    if existing_file is not None and current is not None:
        backup_sqlite(existing_file, paths.backups_dir(register.home), f"before-{head}")
    from alembic import command

    cfg = _alembic_config()
    with register.engine.connect().execution_options(gpai_write=True) as conn:
        raw = conn.connection.dbapi_connection
        if register.is_sqlite and raw is not None:
            # Batch migrations rebuild tables that others point to; SQLite wants foreign keys
            # off for that (set outside a transaction), and checked before the commit.
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if register.is_sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise StorageError(
                            f"upgrading {register.url} would break {len(broken)} references "
                            f"(first: table {broken[0][0]} row {broken[0][1]}); nothing was changed"
                        )
        finally:
            if register.is_sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def _read_revision(conn: Connection) -> str | None:
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    revision: str | None = rows[0][0] if rows else None
    return revision


def current_revision(register: Register) -> str | None:
    with register.engine.connect() as conn:
        return _read_revision(conn)
