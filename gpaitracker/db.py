"""Engine, sessions and opening a register (with its migrations)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from gpaitracker.errors import ConflictError, PermissionDenied, StorageError, UserError

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
    raw = os.environ.get("GPAITRACKER_BUSY_TIMEOUT_MS", "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 7:  # at most ~3 hours
        return int(raw)
    return DEFAULT_BUSY_TIMEOUT_MS


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


# SQLite primary result codes (the low byte of sqlite_errorcode) and extended ones we name.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_CONSTRAINT, SQLITE_NOTADB = 11, 13, 14, 19, 26
SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY = 2067, 1555


def translate_db_error(exc: BaseException, url: str) -> UserError | None:
    """Map driver errors the user can act on to a plain message, by the driver's error code.

    SQLite errors carry sqlite_errorcode; PostgreSQL (psycopg) errors carry sqlstate.
    Anything else is a bug and is not translated.
    """
    orig = getattr(exc, "orig", exc)
    where = _describe(url)
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _sqlite_error(code, str(orig), where)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(state, str):
        return _postgres_error(state, str(orig), where)
    if isinstance(exc, OperationalError) and getattr(exc, "connection_invalidated", False):
        return StorageError(f"database server for {where} is unreachable")
    if isinstance(exc, OperationalError) and type(orig).__module__.startswith("psycopg"):
        # A failed connection attempt carries no SQLSTATE, only the server's words.
        first = _first_connect_line(str(orig))
        if "password authentication failed" in first or "no pg_hba.conf entry" in first:
            return StorageError(f"database server for {where} refused the login: {first}")
        return StorageError(f"database server for {where} is unreachable: {first}")
    return None


def _first_connect_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    text = lines[0] if lines else "no reason given"
    return text.removeprefix("connection failed: ")[:300]


def _sqlite_error(code: int, message: str, where: str) -> UserError | None:
    if code in (SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY):
        what = message.partition(":")[2].strip() or "a unique value"
        return ConflictError(
            f"{what} was just taken by another change; nothing was saved, try again"
        )
    primary = code & 0xFF
    messages = {
        SQLITE_NOTADB: f"register {where} is not an SQLite database",
        SQLITE_CORRUPT: f"register {where} is damaged ({message})",
        SQLITE_READONLY: f"register {where} is read-only; changes cannot be saved",
        SQLITE_BUSY: f"register {where} is busy with another change (another GPAI Tracker "
        "window or command, or another program, is writing); nothing was saved, try again",
        SQLITE_LOCKED: f"register {where} is locked by another change; try again",
        SQLITE_CANTOPEN: f"register {where} cannot be opened",
        SQLITE_IOERR: f"register {where} could not be read or written (disk error: {message})",
        SQLITE_FULL: f"register {where} could not be written: the disk is full",
    }
    text = messages.get(primary)
    return StorageError(text) if text else None


def _postgres_error(state: str, message: str, where: str) -> UserError | None:
    first = message.strip().splitlines()[0] if message.strip() else state
    if state == "23505":
        return ConflictError(f"{first}: taken by another change; nothing was saved, try again")
    if state in ("40001", "40P01"):
        return ConflictError("another change to the same rows was saved first; try again")
    if state == "42501":
        return PermissionDenied(f"you have read-only access to {where}")
    if state.startswith(("08", "57P")):
        return StorageError(f"database server for {where} is unreachable: {first}")
    if state.startswith("28"):
        return StorageError(f"database server for {where} refused the login: {first}")
    if state == "53100":
        return StorageError(f"database server for {where} is out of disk space")
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
    except LookupError as exc:
        session.rollback()
        if type(exc) is not LookupError:  # KeyError, IndexError: bugs
            raise
        # SQLAlchemy's Enum type: a value stored outside the app that no enum member has.
        raise StorageError(
            f"the register holds a value GPAI Tracker does not know ({exc}); it was changed "
            "outside GPAI Tracker"
        ) from exc
    except StaleDataError as exc:
        stale = stale_rows(session)
        session.rollback()
        raise conflict_error(register, stale) from exc
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


_ENTITY_OF_TABLE = {
    "requirement": "requirement",
    "person": "person",
    "ai_model": "model",
    "evidence": "evidence",
    "organisation": "organisation",
}


_FLUSHING = "gpaitracker.flushing"


@event.listens_for(Session, "before_flush")
def _remember_flushed_rows(session: Session, _context: object, _instances: object) -> None:
    # A stale-row error names no row; remember which versioned rows this flush updates.
    rows = []
    for obj in session.dirty:
        table = getattr(obj, "__tablename__", "")
        if table in _ENTITY_OF_TABLE and getattr(obj, "id", None) is not None:
            rows.append((_ENTITY_OF_TABLE[table], int(obj.id)))
    session.info[_FLUSHING] = rows


def stale_rows(session: Session) -> list[tuple[str, int]]:
    """(entity, id) of the versioned rows the failed flush was saving."""
    rows: list[tuple[str, int]] = session.info.get(_FLUSHING, [])
    return rows


def conflict_error(register: Register, stale: list[tuple[str, int]]) -> ConflictError:
    """Someone saved the same row first: say who and when, from the audit trail."""
    with register.engine.connect() as conn:
        for entity, row_id in stale:
            found = last_change(conn, entity, row_id)
            if found is not None:
                label, actor, at = found
                return ConflictError(changed_by_message(label, actor, at))
    return ConflictError(
        "the record was changed by someone else meanwhile; nothing was saved, reload and try again"
    )


def last_change(
    conn: Connection | OrmSession, entity: str, row_id: int
) -> tuple[str, str, str] | None:
    """(label, actor, time) of the newest audit event about one row."""
    row = conn.execute(
        text(
            "SELECT label, actor, at FROM audit_event WHERE entity = :e AND row_id = :r "
            "ORDER BY id DESC LIMIT 1"
        ),
        {"e": entity, "r": row_id},
    ).first()
    if row is None:
        return None
    return str(row[0]), str(row[1]), str(row[2])[:19].replace("T", " ")


def changed_by_message(label: str, actor: str, at: str) -> str:
    return (
        f"{label} was changed by {actor} at {at} UTC since you read it; nothing was saved, "
        "reload and try again"
    )
