"""Content-addressed evidence files: evidence/ab/cdef... named by their SHA-256, read-only."""

from __future__ import annotations

import errno
import hashlib
import mimetypes
import os
import re
import stat
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from gpaitracker import paths
from gpaitracker.errors import Cancelled, StorageError, ValidationError

CHUNK = 1 << 20  # big enough for full disk speed, small enough for constant memory
TEMP_PREFIX = ".tmp-"
MAX_NAME_CHARS = 255
_HEX64 = re.compile(r"^[0-9a-f]{64}\Z")  # \Z: $ would accept a final newline
_BINARY = getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

Progress = Callable[[int, int], None]


class _Flag(Protocol):
    def is_set(self) -> bool: ...


Cancel = Callable[[], bool] | _Flag


@dataclass(frozen=True)
class StoredObject:
    sha256: str
    size: int
    name: str  # safe display name of the source (a symlink's own name)
    media_type: str
    deduplicated: bool  # the same bytes were already stored (and were checked to be)
    repaired: bool = False  # a stored object under this name held other bytes: replaced


def display_name(path: str | os.PathLike[str]) -> str:
    """A printable, length-limited name: undecodable bytes and control characters replaced."""
    raw = os.fsencode(os.path.basename(os.fspath(path)) or os.fspath(path))
    name = raw.decode("utf-8", "replace")
    name = "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in name).strip()
    if len(name) > MAX_NAME_CHARS:
        _stem, dot, ext = name.rpartition(".")
        keep = f"{dot}{ext}" if dot and len(ext) <= 16 else ""
        name = name[: MAX_NAME_CHARS - 1 - len(keep)] + "…" + keep
    return name or "unnamed"


def shown_path(path: str | os.PathLike[str]) -> str:
    """The full path made printable for messages, shortened from the left when long."""
    text = os.fsencode(path).decode("utf-8", "replace")
    text = "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in text)
    return text if len(text) <= 300 else "…" + text[-299:]


def _cancelled(cancel: Cancel | None) -> bool:
    if cancel is None:
        return False
    is_set = getattr(cancel, "is_set", None)
    if is_set is not None:
        return bool(is_set())
    return bool(cast("Callable[[], bool]", cancel)())


def read_into(fd: int, buf: bytearray) -> int:
    """Fill buf from fd without a new bytes object per chunk where the OS allows it."""
    if hasattr(os, "readv"):
        return os.readv(fd, [buf])
    data = os.read(fd, len(buf))  # Windows has no readv
    buf[: len(data)] = data
    return len(data)


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _open_regular(source: Path, shown: str) -> tuple[int, os.stat_result]:
    """Open a regular file for reading; refuse anything else before an open could block."""
    try:
        st = os.stat(source)  # follows symlinks: a link stores its target's bytes
    except FileNotFoundError:
        raise ValidationError(f"file {shown} does not exist") from None
    except OSError as exc:
        raise ValidationError(f"file {shown} cannot be read: {exc.strerror}") from None
    kind = _kind(st.st_mode)
    if kind:
        raise ValidationError(f"file {shown} is {kind}; only regular files can be evidence")
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO since the stat, open must not hang.
        fd = os.open(source, os.O_RDONLY | _NONBLOCK | _BINARY)
    except OSError as exc:
        raise ValidationError(f"file {shown} cannot be read: {exc.strerror}") from None
    fst = os.fstat(fd)
    if kind := _kind(fst.st_mode):
        os.close(fd)
        raise ValidationError(f"file {shown} is {kind}; only regular files can be evidence")
    return fd, fst


class EvidenceStore:
    """The folder of evidence objects of one register."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def of_home(cls, home: Path) -> EvidenceStore:
        return cls(paths.evidence_dir(home))

    def where(self, sha256: str) -> str:
        """Where an object is, for messages."""
        return f"file {self.path_of(sha256)}"

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def size_of(self, sha256: str) -> int | None:
        path = self.path_of(sha256)
        return path.stat().st_size if path.is_file() else None

    def path_of(self, sha256: str) -> Path:
        if not _HEX64.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def _ensure_dir(self, path: Path) -> None:
        if not path.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            _fsync_dir(path.parent)  # the new folder's entry must survive a crash too

    def import_file(
        self,
        source: str | os.PathLike[str],
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> StoredObject:
        """Stream source into the store while hashing; returns the (possibly shared) object."""
        source = Path(source)
        shown = shown_path(source)
        src_fd, st = _open_regular(source, shown)
        temp: str | None = None
        try:
            try:
                self._ensure_dir(self.root)
                tmp_fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.root)
            except OSError as exc:
                raise StorageError(
                    f"evidence store {self.root} cannot be written: {exc.strerror}"
                ) from None
            try:
                digest, size = self._copy(src_fd, tmp_fd, st.st_size, shown, progress, cancel)
                self._same_file_after_copy(source, src_fd, st, size, shown)
                _read_only(tmp_fd, temp)
                os.fsync(tmp_fd)
            except OSError as exc:
                raise self._write_error(exc, shown) from None
            finally:
                os.close(tmp_fd)
            deduplicated, repaired = self._place(temp, digest, size, shown)
            temp = None
        finally:
            os.close(src_fd)
            if temp is not None:
                _remove(Path(temp))
        name = display_name(source)
        media = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
        return StoredObject(digest, size, name, media, deduplicated, repaired)

    def _copy(
        self,
        src_fd: int,
        dst_fd: int,
        total: int,
        shown: str,
        progress: Progress | None,
        cancel: Cancel | None,
    ) -> tuple[str, int]:
        hasher = hashlib.sha256()
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        done = 0
        if progress is not None:
            progress(0, total)
        while True:
            if _cancelled(cancel):
                raise Cancelled(f"import of file {shown} was cancelled; nothing was kept")
            try:
                n = read_into(src_fd, buf)
            except OSError as exc:
                raise StorageError(f"file {shown} could not be read: {exc.strerror}") from None
            if n == 0:
                return hasher.hexdigest(), done
            chunk = view[:n]
            hasher.update(chunk)
            _write_all(dst_fd, chunk)
            done += n
            if progress is not None:
                progress(done, max(total, done))

    @staticmethod
    def _same_file_after_copy(
        source: Path, fd: int, before: os.stat_result, size: int, shown: str
    ) -> None:
        """The bytes copied are the file as filed only if it did not move or change meanwhile."""
        after = os.fstat(fd)
        try:
            now = os.stat(source)
        except OSError:
            raise StorageError(f"file {shown} vanished while it was being copied") from None
        if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise StorageError(f"file {shown} was replaced while it was being copied")
        if size != after.st_size or after.st_mtime_ns != before.st_mtime_ns:
            raise StorageError(f"file {shown} changed while it was being copied; try again")

    def _write_error(self, exc: OSError, shown: str) -> StorageError:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StorageError(f"evidence store {self.root} is full; file {shown} was not stored")
        return StorageError(f"file {shown} could not be stored in {self.root}: {exc.strerror}")

    def _place(self, temp: str, digest: str, size: int, shown: str) -> tuple[bool, bool]:
        """Give temp its object name; returns (deduplicated, repaired)."""
        final = self.path_of(digest)
        try:
            self._ensure_dir(final.parent)
            try:
                os.utime(final)  # a fresh mtime keeps a concurrent --gc off a reused object
                existing = True
            except FileNotFoundError:
                existing = False
            # An object of the right name is trusted only if its bytes still hash to it.
            if existing and _holds(final, digest, size):
                _remove(Path(temp))
                return True, False
            # No object, or a damaged or altered one: the new bytes are the genuine ones.
            os.replace(temp, final)
            _fsync_dir(final.parent)
        except OSError as exc:
            raise self._write_error(exc, shown) from None
        return False, existing

    def open(self, sha256: str) -> int:
        """A read-only file descriptor of an object; StorageError if missing."""
        try:
            return os.open(self.path_of(sha256), os.O_RDONLY | _BINARY)
        except OSError as exc:
            raise StorageError(
                f"evidence object {sha256[:12]} cannot be read: {exc.strerror}"
            ) from None

    def rehash(self, sha256: str, progress: Progress | None = None) -> str | None:
        """The object's current digest, or None when it is missing."""
        path = self.path_of(sha256)
        try:
            fd = os.open(path, os.O_RDONLY | _BINARY)
        except FileNotFoundError:
            return None
        try:
            return _hash_fd(fd, progress)
        finally:
            os.close(fd)

    def objects(self) -> Iterator[tuple[str, Path]]:
        """Every object in the store as (sha256, path)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if len(folder.name) != 2 or not folder.is_dir():
                continue
            for item in sorted(folder.iterdir()):
                digest = folder.name + item.name
                if _HEX64.match(digest):
                    yield digest, item

    def temp_files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.name.startswith(TEMP_PREFIX))

    def collect(self, referenced: set[str], min_age_s: float = 0.0) -> list[Path]:
        """Remove unreferenced objects and temp files older than min_age_s; returns them."""
        cutoff = time.time() - min_age_s
        removed = []
        candidates = [p for d, p in self.objects() if d not in referenced] + self.temp_files()
        for path in candidates:
            try:
                if path.stat().st_mtime > cutoff:
                    continue  # maybe an import in progress in another process
            except FileNotFoundError:
                continue
            _remove(path)
            removed.append(path)
        return removed


def _hash_fd(fd: int, progress: Progress | None = None) -> str:
    hasher = hashlib.sha256()
    buf = bytearray(CHUNK)
    while n := read_into(fd, buf):
        hasher.update(memoryview(buf)[:n])
        if progress is not None:
            progress(n, 0)
    return hasher.hexdigest()


def _holds(path: Path, digest: str, size: int) -> bool:
    """Whether path is a regular file (not a link, pipe or folder) whose bytes hash to digest."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOFOLLOW | _BINARY)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):  # a link, socket, folder
            return False
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return False
        return _hash_fd(fd) == digest
    finally:
        os.close(fd)


def _read_only(fd: int, path: str) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o444)
    else:  # Windows has no fchmod; chmod by name works on an open file there
        os.chmod(path, 0o444)


def _remove(path: Path) -> None:
    try:
        if os.name == "nt":  # Windows refuses to delete read-only files
            os.chmod(path, 0o644)
        path.unlink()
    except FileNotFoundError:
        pass
