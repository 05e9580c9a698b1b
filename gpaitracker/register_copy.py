"""Copy a whole register to another database: rows with their ids, evidence, the audit chain.

Used to move a local register to a team server and to take a copy of a server's register
offline. Rows keep their ids, so the audit trail (which names rows by id) stays valid and its
hash chain verifies unchanged. Evidence objects are copied first (an interrupted copy leaves
only unreferenced objects, which `check --gc` collects); the rows go in one transaction, so
the target holds either the whole register or nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, Table, func, insert, select, text
from sqlmodel import SQLModel

import gpaitracker.models  # noqa: F401  (registers the tables)
from gpaitracker import audit
from gpaitracker.db import Register
from gpaitracker.errors import Cancelled, StorageError
from gpaitracker.evidence_db import AnyStore, store_for

# Server-only tables: logins mean nothing elsewhere; evidence objects are copied store to store.
NOT_COPIED = frozenset({"team_login", "evidence_object", "evidence_chunk"})
BATCH = 5000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CopySummary:
    rows: dict[str, int]
    objects: int
    audit_head: str | None


def tables() -> list[Table]:
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in NOT_COPIED]


def _utc(row: dict[str, Any]) -> dict[str, Any]:
    # SQLite hands back naive UTC times; a server would read them in its own time zone.
    for key, value in row.items():
        if isinstance(value, dt.datetime):
            row[key] = (
                value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
            )
    return row


def _store(register: Register) -> AnyStore:
    return store_for(register.engine, register.home, register.url)


def _refuse_unless_empty(conn: Connection, where: str) -> None:
    for table in ("person", "organisation", "audit_event", "requirement"):
        if conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None:
            raise StorageError(
                f"{where} already holds a register ({table} has rows); nothing was copied"
            )


def _copy_objects(
    source: Register, target: Register, progress: Progress | None, cancelled: Callable[[], bool]
) -> int:
    with source.engine.connect() as conn:
        digests = sorted(
            {str(d) for (d,) in conn.execute(text("SELECT sha256 FROM evidence_revision"))}
        )
    src, dst = _store(source), _store(target)
    for done, digest in enumerate(digests, 1):
        if cancelled():
            raise Cancelled("copy cancelled; the target register was left empty")
        fd = src.open(digest)
        try:
            with tempfile.TemporaryDirectory(prefix="gpaitracker-copy-") as folder:
                path = os.path.join(folder, "object")
                with open(path, "wb") as out, os.fdopen(os.dup(fd), "rb") as inp:
                    while piece := inp.read(1 << 20):
                        out.write(piece)
                stored = dst.import_file(path)
        finally:
            os.close(fd)
        if stored.sha256 != digest:
            raise StorageError(
                f"evidence {src.where(digest)} no longer matches its SHA-256; run "
                "gpaitracker check on the source; nothing was copied"
            )
        if progress is not None:
            progress("evidence", done, len(digests))
    return len(digests)


def _reset_sequences(conn: Connection, table: Table) -> None:
    if conn.dialect.name != "postgresql":
        return
    pk = list(table.primary_key.columns)
    if len(pk) != 1 or not isinstance(pk[0].type, Integer):
        return
    name = pk[0].name
    conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{name}'), "
            f"coalesce((SELECT max({name}) FROM {table.name}), 0) + 1, false)"
        )
    )


def copy_register(
    source: Register,
    target: Register,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> CopySummary:
    """Copy every row and evidence object of source into the empty register target."""
    with target.engine.connect() as conn:
        _refuse_unless_empty(conn, target.url)
    objects = _copy_objects(source, target, progress, cancelled)
    counts: dict[str, int] = {}
    with source.engine.connect() as src, target.engine.connect() as dst, dst.begin():
        if dst.dialect.name == "sqlite":
            dst.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        _refuse_unless_empty(dst, target.url)
        for table in tables():
            total = src.execute(select(func.count()).select_from(table)).scalar_one()
            done = 0
            result = src.execution_options(stream_results=True).execute(
                select(table).order_by(*table.primary_key.columns)
            )
            while rows := result.fetchmany(BATCH):
                if cancelled():
                    raise Cancelled("copy cancelled; the target register was left empty")
                dst.execute(insert(table), [_utc(dict(r._mapping)) for r in rows])
                done += len(rows)
                if progress is not None:
                    progress(table.name, done, total)
            counts[table.name] = done
            _reset_sequences(dst, table)
        head = audit.head(dst)
    return CopySummary(counts, objects, None if head is None else str(head))


def row_counts(register: Register) -> dict[str, int]:
    with register.engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables()
        }
