"""Engine, sessions and opening a register (with its migrations)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from gpaitracker.errors import StorageError

DEFAULT_BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Register:
    """An open register: its engine and the folder holding the evidence store."""

    engine: Engine
    home: Path
    url: str

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def _busy_timeout_ms() -> int:
    raw = os.environ.get("GPAITRACKER_BUSY_TIMEOUT_MS", "")
    return int(raw) if raw.isdigit() else DEFAULT_BUSY_TIMEOUT_MS


def create_register_engine(url: str | URL) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys, full sync and a busy timeout.

    Pass a URL object for a file path: text is parsed, so ``?``, ``#`` and ``%`` in it
    would name another file. WAL is switched on by the first connection, so inspect a
    file that may be refused before calling this (see migrate.open_register).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    timeout_ms = _busy_timeout_ms()
    engine = create_engine(
        parsed,
        connect_args={"timeout": timeout_ms / 1000, "isolation_level": None},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # pysqlite's own BEGIN handling is off (isolation_level=None); writers take the
        # lock up front so two writers never deadlock half-way through a change.
        mode = "IMMEDIATE" if conn.get_execution_options().get("gpai_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def translate_db_error(exc: BaseException, url: str) -> StorageError | None:
    """Map driver errors the user can act on to a StorageError with a plain message."""
    text = str(getattr(exc, "orig", exc)).lower()
    where = _describe(url)
    if "file is not a database" in text or "file is encrypted" in text:
        return StorageError(f"register {where} is not an SQLite database")
    if "readonly" in text or "read-only" in text:
        return StorageError(f"register {where} is read-only; changes cannot be saved")
    if "database is locked" in text or "database is busy" in text:
        return StorageError(f"register {where} is locked by another program; try again")
    if "unable to open database" in text:
        return StorageError(f"register {where} cannot be opened")
    if "disk i/o error" in text or "database or disk is full" in text:
        return StorageError(f"register {where} could not be written: {text}")
    if isinstance(exc, OperationalError) and "connection" in text:
        return StorageError(f"database server for {where} is unreachable: {text.splitlines()[0]}")
    return None


def _describe(url: str | URL) -> str:
    """Where a register is, for messages: a file path, or a server URL without password."""
    if isinstance(url, str):
        scheme, sep, path = url.partition(":///")
        if sep and (scheme == "sqlite" or scheme.startswith("sqlite+")):
            # Register.url shows an SQLite path as is: parsing it would misread ? # and %.
            return path
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(url)
        except ArgumentError:
            return "(a malformed database URL)"
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


@contextmanager
def session_scope(register: Register, *, write: bool = False) -> Iterator[Session]:
    """The one place that commits: commit on success, roll back on any error."""
    session = Session(register.engine, expire_on_commit=False)
    try:
        if write and register.is_sqlite:
            session.connection(execution_options={"gpai_write": True})
        yield session
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        mapped = translate_db_error(exc, register.url)
        if mapped is not None:
            raise mapped from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
