"""Undoable edits: every edit in the window goes through a service, and so does its undo.

push_edit runs the edit at once; only if the service accepted it does the command join the
undo stack. Undo runs the reverse edit through the services too (audited like any edit); if
the register changed meanwhile and the service refuses, the user is told and the command is
dropped from the stack.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from gpaitracker.changes import Changes
from gpaitracker.errors import UserError
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.messages import show_error

Edit = Callable[[], Changes]


class ServiceEdit(QUndoCommand):
    def __init__(
        self, ctx: UiContext, text: str, apply: Edit, revert: Edit, parent: QWidget | None
    ) -> None:
        super().__init__(text)
        self.ctx, self.apply, self.revert, self.widget = ctx, apply, revert, parent
        self._first = True  # push_edit already ran it

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, edit: Edit) -> None:
        try:
            changes = edit()
        except UserError as exc:
            show_error(self.widget, exc, self.ctx.undo.tr("Cannot undo or redo"))
            self.setObsolete(True)
            self.ctx.announce(None)
            return
        self.ctx.announce(changes)


def push_edit(
    ctx: UiContext, text: str, apply: Edit, revert: Edit, parent: QWidget | None = None
) -> Changes | None:
    """Make an edit now; on success it can be undone. Returns its changes, or None if refused."""
    try:
        changes = apply()
    except UserError as exc:
        show_error(parent, exc)
        return None
    ctx.undo.push(ServiceEdit(ctx, text, apply, revert, parent))
    ctx.announce(changes)
    for note in changes.notes:
        ctx.bus.status_message.emit(note)
    return changes
