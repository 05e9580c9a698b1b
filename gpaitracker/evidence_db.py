"""Evidence objects inside the database (team mode): content-addressed, in 1 MiB chunks.

A register on a server keeps its evidence next to its rows, so the server is the only thing
a team runs and backs up. Like the file store, an object is written (and committed) before
the evidence row that names it: a failure in between leaves an unreferenced object that
`check` reports and `check --gc` collects, never a row naming missing bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from gpaitracker.db import translate_db_error
from gpaitracker.errors import Cancelled, StorageError
from gpaitracker.evidence_store import (
    CHUNK,
    Cancel,
    EvidenceStore,
    Progress,
    StoredObject,
    _cancelled,
    _open_regular,
    display_name,
    read_into,
    shown_path,
)

_OBJECT = "evidence_object"


class DatabaseEvidenceStore:
    """The evidence objects of a register held in its own database."""

    def __init__(self, engine: Engine, where: str) -> None:
        self.engine = engine
        self.root = f"the database {where}"
        self.where_url = where

    def where(self, sha256: str) -> str:
        return f"object {sha256[:12]} in {self.root}"

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            mapped = translate_db_error(exc, self.where_url)
            if mapped is not None:
                raise mapped from exc
            raise

    def import_file(
        self,
        source: str | os.PathLike[str],
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> StoredObject:
        """Hash source while reading it, then store its chunks in one transaction."""
        source = Path(source)
        shown = shown_path(source)
        fd, st = _open_regular(source, shown)
        try:
            digest, chunks, size = self._read(fd, st.st_size, shown, progress, cancel)
            after = os.fstat(fd)
            if after.st_size != size or after.st_mtime_ns != st.st_mtime_ns:
                raise StorageError(f"file {shown} changed while it was being copied; try again")
        finally:
            os.close(fd)
        with self._translated():
            deduplicated = self._insert(digest, size, chunks)
        name = display_name(source)
        media = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
        return StoredObject(digest, size, name, media, deduplicated)

    def _read(
        self,
        fd: int,
        total: int,
        shown: str,
        progress: Progress | None,
        cancel: Cancel | None,
    ) -> tuple[str, list[bytes], int]:
        # Chunks are held until the hash (the object's name) is known. Evidence files are
        # documents: this keeps the write to one short transaction.
        hasher, done = hashlib.sha256(), 0
        chunks: list[bytes] = []
        buf = bytearray(CHUNK)
        if progress is not None:
            progress(0, total)
        while True:
            if _cancelled(cancel):
                raise Cancelled(f"import of file {shown} was cancelled; nothing was kept")
            try:
                n = read_into(fd, buf)
            except OSError as exc:
                raise StorageError(f"file {shown} could not be read: {exc.strerror}") from None
            if n == 0:
                return hasher.hexdigest(), chunks, done
            piece = bytes(buf[:n])
            hasher.update(piece)
            chunks.append(piece)
            done += n
            if progress is not None:
                progress(done, max(total, done))

    def _insert(self, digest: str, size: int, chunks: list[bytes]) -> bool:
        """Store the object unless it is there already; True when it was (deduplicated)."""
        with self.engine.begin() as conn:
            # A reused object gets a fresh time, which keeps a concurrent --gc off it;
            # xmax = 0 tells a row this statement inserted from one it updated.
            created = conn.execute(
                text(
                    f"INSERT INTO {_OBJECT} (sha256, size, chunks, created_at) "
                    "VALUES (:s, :n, :c, :t) ON CONFLICT (sha256) DO UPDATE "
                    "SET created_at = excluded.created_at RETURNING (xmax = 0), size"
                ),
                {"s": digest, "n": size, "c": len(chunks), "t": dt.datetime.now(dt.UTC)},
            ).one()
            if not created[0]:
                if int(created[1]) != size:
                    raise StorageError(
                        f"evidence {self.where(digest)} holds other bytes than its name says; "
                        "run gpaitracker check"
                    )
                return True
            if chunks:
                conn.execute(
                    text("INSERT INTO evidence_chunk (sha256, seq, data) VALUES (:s, :q, :d)"),
                    [{"s": digest, "q": i, "d": c} for i, c in enumerate(chunks)],
                )
        return False

    def put(self, sha256: str, chunks: list[bytes]) -> bool:
        """Store bytes already known to hash to sha256 (a copy between registers)."""
        with self._translated():
            return self._insert(sha256, sum(map(len, chunks)), chunks)

    def has(self, sha256: str) -> bool:
        return self.size_of(sha256) is not None

    def size_of(self, sha256: str) -> int | None:
        with self._translated(), self.engine.connect() as conn:
            row = conn.execute(
                text(f"SELECT size FROM {_OBJECT} WHERE sha256 = :s"), {"s": sha256}
            ).first()
        return None if row is None else int(row[0])

    def read_chunks(self, sha256: str) -> Iterator[bytes]:
        """The object's bytes, chunk by chunk, from one consistent read."""
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, max_row_buffer=4).execute(
                text("SELECT data FROM evidence_chunk WHERE sha256 = :s ORDER BY seq"),
                {"s": sha256},
            )
            for (data,) in result:
                yield bytes(cast(bytes, data))

    def open(self, sha256: str) -> int:
        """A read-only file descriptor of a private, already unlinked copy of the object."""
        if not self.has(sha256):
            raise StorageError(f"evidence {self.where(sha256)} is missing")
        fd, name = tempfile.mkstemp(prefix="gpaitracker-object-")
        try:
            os.unlink(name)
            for piece in self.read_chunks(sha256):
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view) :]
            os.lseek(fd, 0, os.SEEK_SET)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def rehash(self, sha256: str, progress: Progress | None = None) -> str | None:
        if not self.has(sha256):
            return None
        hasher = hashlib.sha256()
        for piece in self.read_chunks(sha256):
            hasher.update(piece)
            if progress is not None:
                progress(len(piece), 0)
        return hasher.hexdigest()

    def objects(self) -> Iterator[tuple[str, str]]:
        with self.engine.connect() as conn:
            digests = [r[0] for r in conn.execute(text(f"SELECT sha256 FROM {_OBJECT}"))]
        for digest in sorted(digests):
            yield digest, self.where(digest)

    def temp_files(self) -> list[str]:
        return []  # an import is one transaction: nothing half-written stays behind

    def collect(self, referenced: set[str], min_age_s: float = 0.0) -> list[str]:
        """Remove objects no revision names, older than min_age_s; returns what was removed."""
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=min_age_s)
        removed = []
        with self._translated(), self.engine.begin() as conn:
            rows = conn.execute(
                text(f"SELECT sha256 FROM {_OBJECT} WHERE created_at <= :c"), {"c": cutoff}
            ).all()
            for (digest,) in rows:
                digest = str(digest)
                if digest in referenced:
                    continue
                conn.execute(text("DELETE FROM evidence_chunk WHERE sha256 = :s"), {"s": digest})
                conn.execute(text(f"DELETE FROM {_OBJECT} WHERE sha256 = :s"), {"s": digest})
                removed.append(self.where(digest))
        return removed


AnyStore = EvidenceStore | DatabaseEvidenceStore


def store_for(engine: Engine, home: Path, where: str) -> AnyStore:
    """The file store beside a local register; the database itself for a server."""
    if engine.dialect.name == "sqlite":
        return EvidenceStore.of_home(home)
    return DatabaseEvidenceStore(engine, where)
