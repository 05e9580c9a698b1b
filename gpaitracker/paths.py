"""Where the register lives: platformdirs, overridden by GPAITRACKER_HOME / GPAITRACKER_DB."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

APP_NAME = "gpaitracker"
DB_FILENAME = "register.sqlite"


def home_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the register file and the evidence store."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("GPAITRACKER_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_url(home: Path, override: str | None = None) -> URL:
    """The SQLAlchemy URL of the register: --db, then GPAITRACKER_DB, then the local file.

    The local file's URL is built from parts, never from text, so a folder named with
    ``?``, ``#``, ``%`` or ``@`` is the folder used. A malformed override is a StorageError.
    """
    from sqlalchemy.engine import URL, make_url  # sqlalchemy costs ~0.4 s: only when needed
    from sqlalchemy.exc import ArgumentError

    from gpaitracker.errors import StorageError

    text = override or os.environ.get("GPAITRACKER_DB")
    if not text:
        return URL.create("sqlite", database=str(home / DB_FILENAME))
    try:
        return make_url(text)
    except ArgumentError:
        raise StorageError(f"database URL {text!r} is not a valid SQLAlchemy URL") from None


def display_url(url: URL) -> str:
    """The URL as a person reads it: an SQLite path as is (not %-quoted), never a password."""
    if url.get_backend_name() == "sqlite":
        return f"{url.drivername}:///{url.database or ''}"
    return url.render_as_string(hide_password=True)


def file_kind(mode: int) -> str:
    """What an ``st_mode`` describes, for messages: "a file", "a folder", "a device"..."""
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def evidence_dir(home: Path) -> Path:
    return home / "evidence"


def backups_dir(home: Path) -> Path:
    return home / "backups"


def cache_dir(home: Path) -> Path:
    """Derived data kept to save time (the weekly trend); safe to delete at any moment."""
    return home / "cache"
