"""Copying evidence files out of the store, proving on the way that their bytes are unchanged."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from gpaitracker.errors import NotFoundError, StorageError, ValidationError
from gpaitracker.evidence_store import CHUNK, EvidenceStore, Progress, display_name, read_into
from gpaitracker.services import evidence


def export(
    *,
    session: Session,
    store: EvidenceStore,
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
    out = Path(out_path)
    if out.is_dir():
        out = out / (chosen.name or display_name(chosen.sha256)).replace("/", "_")
    if out.exists() and not overwrite:
        raise ValidationError(f"output file {out} already exists")
    src = store.open(chosen.sha256)
    try:
        tmp_fd, tmp = tempfile.mkstemp(prefix=".gpaitracker-export-", dir=out.parent)
    except OSError as exc:
        os.close(src)
        raise StorageError(
            f"output folder {out.parent} cannot be written: {exc.strerror}"
        ) from None
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
    *, session: Session, store: EvidenceStore, evidence_id: int, revision: int | None = None
) -> Path:
    """A verified, writable temporary copy to hand to a viewer; the stored object stays as is."""
    folder = Path(tempfile.mkdtemp(prefix="gpaitracker-view-"))
    return export(
        session=session, store=store, evidence_id=evidence_id, out_path=folder, revision=revision
    )
