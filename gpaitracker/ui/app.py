"""Start the Qt application: the first-run wizard when there is no register, then the window.

A plain window is painted first, before the register and its libraries (SQLAlchemy, the
models) are loaded, so the app answers at once; the real window replaces it when ready.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QWidget

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace
    from gpaitracker.ui.context import UiContext


def open_workspace(args: argparse.Namespace, parent: QWidget | None = None) -> Workspace | None:
    """The register to show; on first run the wizard creates it. None if the user gave up."""
    from gpaitracker.errors import StorageError
    from gpaitracker.services import organisation
    from gpaitracker.services.workspace import Workspace

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
    from PySide6.QtGui import QUndoStack

    from gpaitracker.ui.context import Bus, UiContext
    from gpaitracker.ui.worker import Worker

    undo = QUndoStack()
    undo.setUndoLimit(200)
    return UiContext(
        ws=ws, actor=ws.actor(), undo=undo, worker=Worker(), bus=Bus(), read_only=read_only
    )


def startup_window() -> QMainWindow:
    """What the user sees while the register opens: the window's frame, where it was left."""
    window = QMainWindow()
    window.setWindowTitle(QApplication.translate("app", "GPAI Tracker"))
    label = QLabel(QApplication.translate("app", "Opening the register…"))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    window.setCentralWidget(label)
    window.resize(1280, 800)
    geometry = QSettings().value("main_window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    return window


def run_gui(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GPAI Tracker")
    app.setOrganizationName("gpaitracker")
    first = startup_window()
    first.show()
    app.processEvents()

    from gpaitracker.errors import UserError
    from gpaitracker.ui.gc_guard import GarbageCollector
    from gpaitracker.ui.messages import install_excepthook

    install_excepthook()
    collector = GarbageCollector(app)  # cycles are freed on this thread, never on a worker
    try:
        ws = open_workspace(args, first)
        if ws is None:
            return 0
        ctx = make_context(ws, read_only=bool(getattr(args, "read_only", False)))
    except UserError as exc:
        QMessageBox.critical(first, "GPAI Tracker", str(exc))
        return 1
    from gpaitracker.services import evidence_export
    from gpaitracker.ui.main_window import MainWindow

    evidence_export.discard_old_copies()  # viewer copies left by an earlier session
    window = MainWindow(ctx)
    window.show()
    first.close()
    try:
        return int(app.exec())
    finally:
        collector.stop()
        ws.close()
