"""Start the Qt application: the first-run wizard when there is no register, then the window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from gpaitracker.errors import StorageError, UserError
from gpaitracker.services import organisation
from gpaitracker.services.workspace import Workspace
from gpaitracker.ui.context import Bus, UiContext
from gpaitracker.ui.messages import install_excepthook
from gpaitracker.ui.worker import Worker


def open_workspace(args: argparse.Namespace, parent: QWidget | None = None) -> Workspace | None:
    """The register to show; on first run the wizard creates it. None if the user gave up."""
    home, db = getattr(args, "home", None), getattr(args, "db", None)
    acting = getattr(args, "as_user", None)
    try:
        ws = Workspace.open(home, db, acting=acting, create=False)
    except StorageError as exc:
        if "no register" not in str(exc):
            raise
        ws = None
    if ws is not None and ws.read(organisation.exists):
        return ws
    from gpaitracker.ui.wizard import FirstRunWizard

    if ws is None:
        ws = Workspace.open(home, db, acting=acting, create=True)
    wizard = FirstRunWizard(ws, parent)
    if not wizard.exec():
        ws.close()
        return None
    ws.act_as(acting or getattr(wizard, "created_admin_email", None))
    return ws


def make_context(ws: Workspace, *, read_only: bool = False) -> UiContext:
    undo = QUndoStack()
    undo.setUndoLimit(200)
    return UiContext(
        ws=ws, actor=ws.actor(), undo=undo, worker=Worker(), bus=Bus(), read_only=read_only
    )


def run_gui(args: argparse.Namespace) -> int:
    from gpaitracker.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GPAI Tracker")
    app.setOrganizationName("gpaitracker")
    install_excepthook()
    try:
        ws = open_workspace(args)
        if ws is None:
            return 0
        ctx = make_context(ws, read_only=bool(getattr(args, "read_only", False)))
    except UserError as exc:
        QMessageBox.critical(None, "GPAI Tracker", str(exc))
        return 1
    from gpaitracker.services import evidence_export

    evidence_export.discard_old_copies()  # viewer copies left by an earlier session
    window = MainWindow(ctx)
    window.show()
    try:
        return int(app.exec())
    finally:
        ws.close()
