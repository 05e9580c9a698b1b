"""Backups: a consistent copy of the register (SQLite's online backup, so the app may be
running), its evidence objects and a manifest of hashes, in one zip; and restoring one.

Restoring checks the whole archive before anything is written, extracts into a folder inside
the target, verifies every file against the manifest, refuses a schema newer than this
GPAI Tracker knows, and only then moves the files into place. A live register is replaced
only with force, after it was copied to backups/.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gpaitracker import __version__, paths
from gpaitracker.db import Register, session_scope
from gpaitracker.errors import SchemaTooNewError, StorageError, ValidationError
from gpaitracker.evidence_store import shown_path
from gpaitracker.interchange.archive import DATABASE, BackupReader, object_name
from gpaitracker.interchange.archive_write import write_archive
from gpaitracker.migrate import current_revision, known_revisions, open_register
from gpaitracker.models import EvidenceRevision

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
STAGING_PREFIX = ".restore-"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    files: int
    evidence_objects: int
    size: int
    schema: str | None


def _sqlite_path(register: Register) -> Path:
    if not register.is_sqlite:
        raise StorageError(
            "backup copies a local register file; a database server is backed up with its own "
            "tools (for PostgreSQL: pg_dump)"
        )
    database = register.engine.url.database
    assert database is not None
    return Path(database)


def _referenced(register: Register) -> list[str]:
    with session_scope(register) as session:
        v = EvidenceRevision.__table__.c  # type: ignore[attr-defined]
        found: Any = session.execute(select(v.sha256).distinct()).scalars()
        return sorted(str(d) for d in found)


def online_copy(source: Path, target: Path) -> None:
    """Copy the register with SQLite's online backup: consistent even while others write."""
    try:
        src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
                # A restored file must open on its own, without a -wal beside it.
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise StorageError(f"cannot copy register {shown_path(source)}: {exc}") from None


def make_backup(
    register: Register,
    out: Path,
    progress: Progress | None = None,
    cancelled: Cancel | None = None,
) -> BackupInfo:
    """Write the register, its evidence objects and a manifest to out (a .zip)."""
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise ValidationError(f"backup file {shown_path(out)} must end in .zip")
    db_file = _sqlite_path(register)
    store = paths.evidence_dir(register.home)
    digests = _referenced(register)
    schema = current_revision(register)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=out.parent) as tmp:
        copy = Path(tmp) / DATABASE
        online_copy(db_file, copy)
        files = [(DATABASE, copy)]
        for digest in digests:
            obj = store / digest[:2] / digest[2:]
            if not obj.is_file():
                raise StorageError(
                    f"evidence object {digest[:12]} is missing from {shown_path(store)}; "
                    "run `gpaitracker check` before backing up"
                )
            files.append((object_name(digest), obj))
        write_archive(
            out,
            files,
            app_version=__version__,
            schema=schema,
            progress=progress,
            cancelled=cancelled,
        )
    return BackupInfo(out, len(files), len(digests), out.stat().st_size, schema)


@dataclass(frozen=True)
class RestoreInfo:
    home: Path
    evidence_objects: int
    schema: str | None
    replaced: Path | None  # where the register that was there before was copied


def _check_target(home: Path, force: bool) -> bool:
    """Whether a register is there (refused without force); anything else there is refused."""
    if home.exists() and not home.is_dir():
        raise ValidationError(f"restore target {shown_path(home)} is not a folder")
    if not home.exists():
        return False
    live = (home / paths.DB_FILENAME).exists()
    others = [p for p in home.iterdir() if not p.name.startswith(STAGING_PREFIX)]
    if others and not force:
        what = "holds a register" if live else "is not empty"
        raise ValidationError(
            f"restore target {shown_path(home)} {what}; restore into an empty folder "
            "(--home DIR) or replace it with --force"
        )
    return live


def _check_schema(schema: str | None, shown: str) -> None:
    revisions, head = known_revisions()
    if schema is not None and schema not in revisions:
        raise SchemaTooNewError(
            f"backup {shown} holds register schema {schema}, newer than this GPAI Tracker knows "
            f"(latest {head}); update GPAI Tracker to restore it"
        )


def restore(
    archive: Path,
    home: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    cancelled: Cancel | None = None,
) -> RestoreInfo:
    """Restore archive into home (see the module docstring)."""
    home = Path(home)
    with BackupReader(Path(archive)) as reader:
        manifest = reader.manifest
        _check_schema(manifest.schema, reader.shown)
        live = _check_target(home, force)
        _check_space(home, sum(e.size for e in manifest.entries))
        home.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=home))
        try:
            total = sum(e.size for e in manifest.entries) or 1
            done = [0]

            def step(n: int) -> None:
                done[0] += n
                if progress is not None:
                    progress(done[0], total)

            for entry in manifest.entries:
                dest = staging.joinpath(*entry.name.split("/"))
                if staging.resolve() not in dest.resolve().parents:
                    raise StorageError(f"backup entry {entry.name!r} leaves the target folder")
                dest.parent.mkdir(parents=True, exist_ok=True)
                reader.extract(entry, dest, cancelled, step)
            _check_staged(staging / DATABASE, reader.shown)
            replaced = _put_in_place(staging, home, live)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    register = open_register(home, create=False)  # an older schema is upgraded here
    register.engine.dispose()
    objects = sum(1 for e in manifest.entries if e.name != DATABASE)
    return RestoreInfo(home, objects, manifest.schema, replaced)


def _check_space(home: Path, needed: int) -> None:
    probe = home if home.exists() else home.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if needed * 2 > free:  # staged copy, then moved: allow for both briefly
        raise StorageError(
            f"restoring needs {needed:,} bytes twice over; {shown_path(probe)} has {free:,} free"
        )


def _check_staged(db_file: Path, shown: str) -> None:
    """The register file in the backup is an SQLite register of a schema we know."""
    try:
        con = sqlite3.connect(db_file.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise StorageError(f"backup {shown}: its register file is not usable ({exc})") from None
    if not ok or ok[0] != "ok":
        raise StorageError(f"backup {shown}: its register file is damaged ({ok})")
    _check_schema(row[0] if row else None, shown)


def _put_in_place(staging: Path, home: Path, live: bool) -> Path | None:
    replaced = None
    target = home / paths.DB_FILENAME
    if live:
        backups = paths.backups_dir(home)
        backups.mkdir(parents=True, exist_ok=True)
        from gpaitracker.migrate import backup_sqlite

        replaced = backup_sqlite(target, backups, "before-restore")
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    store = paths.evidence_dir(home)
    staged_store = staging / "evidence"
    if staged_store.is_dir():
        for obj in staged_store.glob("??/*"):
            final = store / obj.parent.name / obj.name
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(obj, 0o444)
            os.replace(obj, final)
    os.replace(staging / DATABASE, target)
    return replaced
