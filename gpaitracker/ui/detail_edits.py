"""Undoable edits of one register item that keep its optimistic-locking version.

An edit passes the version the panel displayed, so a stale edit is refused naming who changed
the item. Undo and redo pass the version the window's own last edit of that item left (kept
per item in the context, as several commands on the undo stack touch the same row), so an
undo made after someone else changed the item is refused instead of overwriting them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from gpaitracker.changes import Changes
from gpaitracker.services import queries
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.undo import push_edit

VersionedEdit = Callable[[int | None], Changes]  # takes expected_version
VERSIONS_KEY = "item_versions"


def known_versions(ctx: UiContext) -> dict[int, int]:
    """requirement id -> the version the window's own last edit of that item left."""
    versions = ctx.extra.setdefault(VERSIONS_KEY, {})
    assert isinstance(versions, dict)
    return versions


class _Versioned:
    def __init__(self, ctx: UiContext, requirement_id: int, shown_version: int) -> None:
        self.ctx, self.requirement_id = ctx, requirement_id
        self.first: int | None = shown_version

    def run(self, edit: VersionedEdit) -> Callable[[], Changes]:
        def step() -> Changes:
            versions = known_versions(self.ctx)
            expected: int | None
            if self.first is not None:
                expected, self.first = self.first, None
            else:
                expected = versions.get(self.requirement_id)
            changes = edit(expected)
            row = self.ctx.ws.read(queries.row, requirement_id=self.requirement_id)
            versions[self.requirement_id] = row.version
            return changes

        return step


def push_item_edit(
    ctx: UiContext,
    text: str,
    requirement_id: int,
    version: int,
    apply: VersionedEdit,
    revert: VersionedEdit,
    parent: QWidget | None = None,
) -> Changes | None:
    """Make an edit of one item now, undoably; None if a service refused it (already shown)."""
    versioned = _Versioned(ctx, requirement_id, version)
    return push_edit(ctx, text, versioned.run(apply), versioned.run(revert), parent)
