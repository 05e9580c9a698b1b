"""Writing a backup archive: files in, a zip with a manifest of their sizes and hashes out."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from gpaitracker.errors import Cancelled, StorageError
from gpaitracker.evidence_store import shown_path
from gpaitracker.interchange.archive import (
    CHUNK,
    MANIFEST,
    Entry,
    Manifest,
)
from gpaitracker.interchange.writers import atomic_target, finish

Progress = Callable[[int, int], None]


def write_archive(
    out: Path,
    files: Sequence[tuple[str, Path]],
    *,
    app_version: str,
    schema: str | None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Manifest:
    """Write (archive name, source path) pairs and a manifest to out, atomically."""
    total = sum(p.stat().st_size for _, p in files) or 1
    done = 0
    entries: list[Entry] = []
    fd, temp = atomic_target(out)
    os.close(fd)
    try:
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for name, path in files:
                info = zipfile.ZipInfo(name, date_time=_stamp(path))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                digest, size = hashlib.sha256(), 0
                with path.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                    while chunk := src.read(CHUNK):
                        if cancelled is not None and cancelled():
                            raise Cancelled("the backup was cancelled; no file was written")
                        dst.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
                entries.append(Entry(name, size, digest.hexdigest()))
            manifest = Manifest(
                app_version=app_version,
                schema=schema,
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                entries=tuple(entries),
            )
            zf.writestr(MANIFEST, manifest.as_json())
        with open(temp, "rb+") as fh:
            os.fsync(fh.fileno())
    except OSError as exc:
        _unlink(temp)
        raise StorageError(f"cannot write backup {shown_path(out)}: {exc.strerror}") from None
    except BaseException:
        _unlink(temp)
        raise
    finish(temp, out)
    return manifest


def _stamp(path: Path) -> tuple[int, int, int, int, int, int]:
    at = dt.datetime.fromtimestamp(path.stat().st_mtime)
    at = max(at, dt.datetime(1980, 1, 1))  # zip cannot hold earlier times
    return (at.year, at.month, at.day, at.hour, at.minute, at.second)


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
