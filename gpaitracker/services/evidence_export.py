"""Copying evidence files out of the store, proving on the way that their bytes are unchanged."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from gpaitracker.errors import NotFoundError, StorageError, ValidationError
from gpaitracker.evidence_db import AnyStore
from gpaitracker.evidence_store import CHUNK, Progress, display_name, read_into
from gpaitracker.services import evidence

VIEW_PREFIX = "gpaitracker-view-"
_SEPARATORS = tuple(sep for sep in (os.sep, os.altsep) if sep)
_BINARY = getattr(os, "O_BINARY", 0)


def _target(out_path: str | os.PathLike[str], name: str) -> Path:
    """The file to write: out_path, or name inside it if it is a folder. A path ending in a
    separator means a folder, which must exist (Path() would drop the separator)."""
    text = os.fspath(out_path)
    out = Path(text)
    if text.endswith(_SEPARATORS) and not out.is_dir():
        what = "is not a folder" if out.exists() else "does not exist"
        raise ValidationError(f"output folder {text} {what}")
    if out.is_dir():
        out = out / name.replace("/", "_").replace("\\", "_")
    return out


def _create_beside(out: Path) -> tuple[int, str]:
    """A new temporary file in out's folder, created 0666 less the umask like any file the
    user makes (mkstemp would make it 0600, and the export would stay private)."""
    for _ in range(100):
        tmp = out.parent / f".gpaitracker-export-{secrets.token_hex(8)}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY
            return os.open(tmp, flags, 0o666), str(tmp)
        except FileExistsError:
            continue
        except OSError as exc:
            raise StorageError(
                f"output folder {out.parent} cannot be written: {exc.strerror}"
            ) from None
    raise StorageError(f"output folder {out.parent}: no free temporary file name")


def export(
    *,
    session: Session,
    store: AnyStore,
    evidence_id: int,
    out_path: str | os.PathLike[str],
    revision: int | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> Path:
    """Copy a revision (default: the latest) to a file, or into an existing folder."""
    row = evidence.get(session=session, evidence_id=evidence_id)
    revs = evidence.revisions(session=session, evidence_id=evidence_id)
    if not revs:
        raise ValidationError(f"evidence {evidence_id} is a link; there is no file to export")
    chosen = revs[-1] if revision is None else next((r for r in revs if r.number == revision), None)
    if chosen is None:
        raise NotFoundError(f"evidence {evidence_id} has no revision {revision}")
    out = _target(out_path, chosen.name or display_name(chosen.sha256))
    if out.exists() and not overwrite:
        raise ValidationError(f"output file {out} already exists")
    src = store.open(chosen.sha256)
    try:
        tmp_fd, tmp = _create_beside(out)
    except StorageError:
        os.close(src)
        raise
    try:
        hasher, buf, done = hashlib.sha256(), bytearray(CHUNK), 0
        with os.fdopen(tmp_fd, "wb") as dst:
            while n := read_into(src, buf):
                hasher.update(memoryview(buf)[:n])
                dst.write(memoryview(buf)[:n])
                done += n
                if progress is not None:
                    progress(done, chosen.size)
        if hasher.hexdigest() != chosen.sha256:
            raise StorageError(
                f"evidence {row.id} ({row.title!r}) revision {chosen.number} was changed in the "
                "evidence store since it was filed; not exported"
            )
        os.replace(tmp, out)
        tmp = ""
    except OSError as exc:
        raise StorageError(f"output file {out} could not be written: {exc.strerror}") from None
    finally:
        os.close(src)
        if tmp:
            Path(tmp).unlink(missing_ok=True)
    return out


def open_copy(
    *,
    session: Session,
    store: AnyStore,
    evidence_id: int,
    revision: int | None = None,
    parent: Path | None = None,
) -> Path:
    """A verified, writable temporary copy to hand to a viewer; the stored object stays as is.

    The copy is alone in a new gpaitracker-view-* folder (in parent, default the system's
    temporary folder); discard_copy removes it once the viewer is done, and
    discard_old_copies removes those a crash or a viewer left behind.
    """
    folder = Path(tempfile.mkdtemp(prefix=VIEW_PREFIX, dir=parent))
    try:
        return export(
            session=session,
            store=store,
            evidence_id=evidence_id,
            out_path=folder,
            revision=revision,
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def discard_copy(copy: Path) -> None:
    """Remove a copy made by open_copy, with its folder; anything else is left alone."""
    folder = Path(copy).parent
    if folder.name.startswith(VIEW_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def discard_old_copies(max_age_s: float = 24 * 3600, parent: Path | None = None) -> int:
    """Remove this user's viewer copies older than max_age_s; returns how many were removed."""
    base = Path(parent or tempfile.gettempdir())
    removed = 0
    cutoff = time.time() - max_age_s
    for folder in base.glob(f"{VIEW_PREFIX}*"):
        try:
            st = folder.lstat()
        except OSError:
            continue
        mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
        if folder.is_dir() and not folder.is_symlink() and mine and st.st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
