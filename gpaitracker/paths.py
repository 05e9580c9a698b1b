"""Where the register lives: platformdirs, overridden by GPAITRACKER_HOME / GPAITRACKER_DB."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

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


def database_url(home: Path, override: str | None = None) -> str:
    """The SQLAlchemy URL of the register: --db, then GPAITRACKER_DB, then the local file."""
    url = override or os.environ.get("GPAITRACKER_DB")
    if url:
        return url
    return f"sqlite:///{home / DB_FILENAME}"


def evidence_dir(home: Path) -> Path:
    return home / "evidence"


def backups_dir(home: Path) -> Path:
    return home / "backups"
