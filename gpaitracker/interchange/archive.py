"""Backup archives: a zip holding the register file, its evidence objects and a manifest.

Reading one trusts nothing in it: only the names a backup can hold are accepted (no absolute
paths, no `..`, no links, nothing else), sizes and compression ratios are bounded before a
byte is extracted, every file is streamed with a byte limit and checked against the hash and
size the manifest gives, and a damaged or truncated archive is a plain error.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from gpaitracker.errors import Cancelled, StorageError, ValidationError
from gpaitracker.evidence_store import shown_path

FORMAT = "gpaitracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "register.sqlite"
_OBJECT = re.compile(r"evidence/([0-9a-f]{2})/([0-9a-f]{62})\Z")
MAX_MANIFEST_BYTES = 64 << 20
MAX_TOTAL_BYTES = 1 << 40  # 1 TiB: more than any register; a bigger claim is a bomb
MAX_RATIO = 200  # SQLite pages of text compress well, but not 200:1 across a large file
RATIO_FLOOR = 16 << 20  # below 16 MB a high ratio does no harm
CHUNK = 1 << 20
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Entry:
    """One file of a backup, as the manifest lists it."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    app_version: str
    schema: str | None
    created_at: str
    entries: tuple[Entry, ...]

    def as_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": self.app_version,
            "schema": self.schema,
            "created_at": self.created_at,
            "files": [{"name": e.name, "size": e.size, "sha256": e.sha256} for e in self.entries],
        }
        return json.dumps(data, indent=1).encode("utf-8")


def object_name(sha256: str) -> str:
    return f"evidence/{sha256[:2]}/{sha256[2:]}"


def hash_file(path: Path, cancelled: Callable[[], bool] | None = None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if cancelled is not None and cancelled():
                raise Cancelled("the backup was cancelled; no file was written")
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def refuse_name(name: str) -> str | None:
    """Why a name may not be extracted, or None if it is one a backup holds."""
    if name in (MANIFEST, DATABASE) or _OBJECT.match(name):
        return None
    if "\x00" in name:
        return "holds a NUL character"
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return "climbs out of the folder with '..'"
    return "is not a file a GPAI Tracker backup holds"


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode)


def _entry(raw: Any, where: str) -> Entry:
    try:
        name, size, digest = raw["name"], raw["size"], raw["sha256"]
    except (TypeError, KeyError):
        raise StorageError(
            f"backup {where}: its manifest lists a file without name, size or hash"
        ) from None
    if not isinstance(name, str) or not isinstance(size, int) or not isinstance(digest, str):
        raise StorageError(f"backup {where}: its manifest has a malformed entry")
    if not re.fullmatch(r"[0-9a-f]{64}", digest) or not 0 <= size <= MAX_TOTAL_BYTES:
        raise StorageError(f"backup {where}: its manifest has a malformed entry for {name!r}")
    return Entry(name, size, digest)


class BackupReader:
    """An opened backup whose structure and manifest were checked (contents not yet)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = shown_path(path)
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise ValidationError(f"backup {self.shown} does not exist") from None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise StorageError(
                f"backup {self.shown} is damaged or truncated: not a complete zip archive ({exc})"
            ) from None
        try:
            self.manifest = self._check()
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> BackupReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self) -> Manifest:
        infos = self.zip.infolist()
        seen: set[str] = set()
        total = 0
        for info in infos:
            why = refuse_name(info.filename)
            if why is not None:
                raise StorageError(f"backup {self.shown}: entry {info.filename!r} {why}")
            if _is_link(info):
                raise StorageError(f"backup {self.shown}: entry {info.filename!r} is a link")
            if info.filename in seen:
                raise StorageError(f"backup {self.shown}: entry {info.filename!r} appears twice")
            seen.add(info.filename)
            total += info.file_size
            ratio_ok = info.file_size <= RATIO_FLOOR or (
                info.compress_size > 0 and info.file_size / info.compress_size <= MAX_RATIO
            )
            if not ratio_ok or total > MAX_TOTAL_BYTES:
                raise StorageError(
                    f"backup {self.shown}: entry {info.filename!r} would expand to "
                    f"{info.file_size:,} bytes from {info.compress_size:,}; refused as a zip bomb"
                )
        if MANIFEST not in seen:
            raise StorageError(f"backup {self.shown} has no {MANIFEST}: not a GPAI Tracker backup")
        manifest = self._manifest()
        listed = {e.name for e in manifest.entries}
        if listed != seen - {MANIFEST}:
            extra = sorted((seen - {MANIFEST}) ^ listed)
            raise StorageError(
                f"backup {self.shown}: its files and its manifest differ (first: {extra[0]!r})"
            )
        for info in infos:
            if info.filename != MANIFEST:
                want = next(e for e in manifest.entries if e.name == info.filename)
                if want.size != info.file_size:
                    raise StorageError(
                        f"backup {self.shown}: {info.filename!r} is not the size its manifest says"
                    )
        if DATABASE not in listed:
            raise StorageError(f"backup {self.shown} holds no register file")
        return manifest

    def _manifest(self) -> Manifest:
        info = self.zip.getinfo(MANIFEST)
        if info.file_size > MAX_MANIFEST_BYTES:
            raise StorageError(f"backup {self.shown}: its manifest is too large")
        try:
            data = json.loads(self._read_small(info).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise StorageError(f"backup {self.shown}: its manifest is not valid JSON") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise StorageError(f"backup {self.shown} is not a GPAI Tracker backup")
        version = data.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise StorageError(
                f"backup {self.shown} was made by a newer GPAI Tracker (backup format "
                f"{version}); update GPAI Tracker to restore it"
            )
        files = data.get("files")
        if not isinstance(files, list):
            raise StorageError(f"backup {self.shown}: its manifest lists no files")
        schema = data.get("schema")
        return Manifest(
            app_version=str(data.get("app_version", "")),
            schema=schema if isinstance(schema, str) else None,
            created_at=str(data.get("created_at", "")),
            entries=tuple(_entry(f, self.shown) for f in files),
        )

    def _read_small(self, info: zipfile.ZipInfo) -> bytes:
        try:
            with self.zip.open(info) as fh:
                return fh.read(info.file_size + 1)[: info.file_size + 1]
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
            raise StorageError(f"backup {self.shown} is damaged or truncated ({exc})") from None

    def extract(
        self,
        entry: Entry,
        dest: Path,
        cancelled: Callable[[], bool] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Stream one file to dest (a new file), checking its size and hash as it comes."""
        digest, size = hashlib.sha256(), 0
        try:
            with self.zip.open(entry.name) as src, open(dest, "xb") as out:
                while chunk := src.read(CHUNK):
                    size += len(chunk)
                    if size > entry.size:
                        raise StorageError(
                            f"backup {self.shown}: {entry.name!r} is longer than its manifest says"
                        )
                    if cancelled is not None and cancelled():
                        raise Cancelled("the restore was cancelled; nothing was changed")
                    digest.update(chunk)
                    out.write(chunk)
                    if progress is not None:
                        progress(len(chunk))
                out.flush()
                os.fsync(out.fileno())
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise StorageError(f"backup {self.shown} is damaged or truncated ({exc})") from None
        except OSError as exc:
            raise StorageError(f"cannot write {shown_path(dest)}: {exc.strerror}") from None
        if size != entry.size or digest.hexdigest() != entry.sha256:
            raise StorageError(
                f"backup {self.shown}: {entry.name!r} does not match the hash in its manifest"
            )
