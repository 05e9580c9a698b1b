"""Copy a whole register to another database: rows with their ids, evidence, the audit chain.

Used to move a local register to a team server and to take a copy of a server's register
offline. Rows keep their ids, so the audit trail (which names rows by id) stays valid and its
hash chain verifies unchanged. Evidence objects are copied first (an interrupted copy leaves
only unreferenced objects, which `check --gc` collects); the rows go in one transaction, so
the target holds either the whole register or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, Table, func, insert, select, text
from sqlmodel import SQLModel

import gpaitracker.models  # noqa: F401  (registers the tables)
from gpaitracker import audit
from gpaitracker.db import Register
from gpaitracker.errors import Cancelled, StorageError
from gpaitracker.evidence_db import AnyStore, DatabaseEvidenceStore, store_for
from gpaitracker.evidence_store import CHUNK

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


def _chunks(store: AnyStore, digest: str) -> Iterator[bytes]:
    if isinstance(store, DatabaseEvidenceStore):
        yield from store.read_chunks(digest)
        return
    try:
        with open(store.path_of(digest), "rb") as f:
            while piece := f.read(CHUNK):
                yield piece
    except OSError as exc:
        raise StorageError(
            f"evidence {store.where(digest)} cannot be read: {exc.strerror}"
        ) from None


def _copy_object(src: AnyStore, dst: AnyStore, digest: str) -> str:
    """Copy one object; returns the SHA-256 of the bytes copied."""
    if isinstance(dst, DatabaseEvidenceStore):
        pieces = list(_chunks(src, digest))
        found = hashlib.sha256(b"".join(pieces)).hexdigest()
        if found == digest:
            dst.put(digest, pieces)
        return found
    with tempfile.TemporaryDirectory(prefix="gpaitracker-copy-") as folder:
        path = os.path.join(folder, "object")
        with open(path, "wb") as out:
            for piece in _chunks(src, digest):
                out.write(piece)
        return dst.import_file(path).sha256


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
        if _copy_object(src, dst, digest) != digest:
            raise StorageError(
                f"evidence {src.where(digest)} no longer matches its SHA-256; run "
                "gpaitracker check on the source; no rows were copied"
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
