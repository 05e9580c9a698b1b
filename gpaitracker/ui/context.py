"""What every page and dialog of the window shares: the workspace, undo, the worker, the bus."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from gpaitracker.authz import Actor, Permission
from gpaitracker.changes import Changes
from gpaitracker.services.workspace import Workspace
from gpaitracker.ui.worker import Worker


class Bus(QObject):
    """Tells every view what changed, so each refreshes only that."""

    changed = Signal(object)  # Changes, or None for "anything may have changed" (F5, other program)
    item_selected = Signal(object)  # a requirement id, or None
    status_message = Signal(str)
    show_items = Signal(object, str)  # requirement ids, what they are (the register shows them)
    show_page = Signal(str)  # a page of the window by name (MainWindow.PAGES)


@dataclass
class UiContext:
    ws: Workspace
    actor: Actor
    undo: QUndoStack
    worker: Worker
    bus: Bus
    read_only: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def may_edit(self) -> bool:
        return not self.read_only and self.actor.may(Permission.EDIT)

    @property
    def may_admin(self) -> bool:
        return not self.read_only and self.actor.may(Permission.ADMIN)

    def announce(self, changes: Changes | None) -> None:
        self.bus.changed.emit(changes)
