"""Move a register between a local file and a server (either way), then check both sides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gpaitracker import checks, paths, register_copy
from gpaitracker.authz import Permission, authorise
from gpaitracker.db import Register, session_scope
from gpaitracker.errors import PermissionDenied, ValidationError
from gpaitracker.migrate import open_register
from gpaitracker.services.workspace import Workspace

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


@dataclass(frozen=True)
class MoveResult:
    source: str
    target: str
    rows: dict[str, int]
    objects: int
    audit_head: str | None
    source_check: checks.CheckReport
    target_check: checks.CheckReport
    target_rows: dict[str, int]


def location(text: str) -> tuple[Path, str | None]:
    """(register folder, database URL or None for that folder's register.sqlite).

    A URL (with ://) is a database; anything else is a register folder or an SQLite file
    (an existing file, or a new name ending in .sqlite, .sqlite3 or .db).
    """
    if "://" in text:
        return paths.home_dir(), text
    path = Path(text).expanduser().resolve()
    if path.is_dir() or (not path.exists() and path.suffix.lower() not in SQLITE_SUFFIXES):
        return path, None
    if path.name == paths.DB_FILENAME:
        return path.parent, None
    if any(c in str(path) for c in "?#%"):
        raise ValidationError(f"path {text!r}: name the register's folder instead")
    return path.parent, f"sqlite:///{path}"


def _open(text: str, *, create: bool) -> Register:
    home, url = location(text)
    return open_register(home, url, create=create)


def move_register(
    source_text: str,
    target_text: str,
    acting: str | None = None,
    progress: register_copy.Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> MoveResult:
    """Copy the register at source into a new, empty register at target; check both.

    Only an admin of the source register may copy it whole.
    """
    source = _open(source_text, create=False)
    target: Register | None = None
    try:
        ws = Workspace(source, acting)
        actor = ws.actor()
        with session_scope(source) as session:
            authorise(session, actor, Permission.ADMIN)
        target = _open(target_text, create=True)
        if target.url == source.url:
            raise ValidationError("source and target are the same register")
        summary = register_copy.copy_register(source, target, progress, cancelled)
        copied = register_copy.row_counts(target)  # before check notes what it verified
        return MoveResult(
            source.url,
            target.url,
            summary.rows,
            summary.objects,
            summary.audit_head,
            checks.run_checks(source, full=True),
            checks.run_checks(target, full=True),
            copied,
        )
    except PermissionDenied as exc:
        raise PermissionDenied(f"copying a whole register needs an admin: {exc}") from None
    finally:
        source.engine.dispose()
        if target is not None:
            target.engine.dispose()
