"""Automatic rotating backups in the register folder: daily, keeping the newest N.

The settings are register settings (the meta table, changed by an admin and audited):
`backup.daily` (on by default) and `backup.keep` (7 by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from gpaitracker import audit, paths
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.db import Register
from gpaitracker.enums import Entity
from gpaitracker.errors import ValidationError
from gpaitracker.models import Meta
from gpaitracker.services.backup import make_backup

DAILY_KEY, KEEP_KEY = "backup.daily", "backup.keep"
DEFAULT_KEEP, MAX_KEEP = 7, 365
PREFIX = "auto-"
STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupSettings:
    daily: bool = True
    keep: int = DEFAULT_KEEP


def settings(*, session: Session) -> BackupSettings:
    daily = session.get(Meta, DAILY_KEY)
    keep = session.get(Meta, KEEP_KEY)
    keep_n = int(keep.value) if keep is not None and keep.value.isdigit() else DEFAULT_KEEP
    return BackupSettings(daily is None or daily.value != "off", max(1, min(keep_n, MAX_KEEP)))


@write_service(Permission.ADMIN)
def set_settings(
    *, session: Session, actor: Actor, daily: bool | None = None, keep: int | None = None
) -> Changes:
    old = settings(session=session)
    changes: list[Change] = []
    if keep is not None:
        if not 1 <= keep <= MAX_KEEP:
            raise ValidationError(f"backups to keep {keep} must be between 1 and {MAX_KEEP}")
        if keep != old.keep:
            session.merge(Meta(key=KEEP_KEY, value=str(keep)))
            changes.append(
                Change("update", Entity.SETTING, None, KEEP_KEY, "value", old.keep, keep)
            )
    if daily is not None and daily != old.daily:
        session.merge(Meta(key=DAILY_KEY, value="on" if daily else "off"))
        changes.append(Change("update", Entity.SETTING, None, DAILY_KEY, "value", old.daily, daily))
    if changes:
        session.flush()
        audit.record(session, actor, changes)
    return audit.change_set(session)


def auto_dir(home: Path) -> Path:
    return paths.backups_dir(home) / "auto"


def existing(home: Path) -> list[Path]:
    """The automatic backups, oldest first (by the time in their names)."""
    folder = auto_dir(home)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"{PREFIX}*.zip"):
        try:
            dt.datetime.strptime(path.stem[len(PREFIX) :], STAMP)
        except ValueError:
            continue
        found.append(path)
    return sorted(found)


def due(home: Path, now: dt.datetime) -> bool:
    done = existing(home)
    if not done:
        return True
    last = dt.datetime.strptime(done[-1].stem[len(PREFIX) :], STAMP)
    return now - last >= dt.timedelta(days=1) or last > now


def run_if_due(
    register: Register,
    config: BackupSettings,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path | None:
    """Make today's automatic backup if none was made in the last day; prune to keep N."""
    now = now or dt.datetime.now()
    if not config.daily or not register.is_sqlite or not due(register.home, now):
        return None
    folder = auto_dir(register.home)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{PREFIX}{now.strftime(STAMP)}.zip"
    make_backup(register, out, progress, cancelled)
    for old in existing(register.home)[: -config.keep]:
        old.unlink(missing_ok=True)
    return out
