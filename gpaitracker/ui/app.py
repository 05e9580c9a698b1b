"""Start the Qt application and show the main window."""

from __future__ import annotations

import argparse
import sys

from gpaitracker.errors import StorageError, UserError
from gpaitracker.services import ai_models, organisation, queries
from gpaitracker.services.workspace import Workspace

NO_REGISTER_HINT = (
    "Create one with 'gpaitracker init --organisation NAME', "
    "or explore the example with 'gpaitracker demo'."
)


def register_summary(args: argparse.Namespace) -> tuple[str, str]:
    """Title and a few plain lines about the register this window opens."""
    try:
        ws = Workspace.open(getattr(args, "home", None), getattr(args, "db", None), create=False)
    except StorageError as exc:
        if "no register" not in str(exc):
            raise
        return "No register yet", f"{exc}\n\n{NO_REGISTER_HINT}"
    try:
        if not ws.read(organisation.exists):
            return "No register yet", f"{ws.url}\n\n{NO_REGISTER_HINT}"
        org = ws.read(organisation.get)
        models = ws.read(ai_models.list_models)
        rows = ws.read(queries.list_rows)
    finally:
        ws.close()
    counts = queries.status_counts(rows)
    red = sum(r.rag == "red" for r in rows)
    lines = [
        f"{len(models)} models, {len(rows)} register items",
        f"{counts['done']} done, {counts['in_review']} in review, "
        f"{counts['in_progress']} in progress, {counts['blocked']} blocked, "
        f"{counts['not_started']} not started",
        f"{red} need attention (overdue or blocked)",
        "",
        ws.url,
    ]
    return org.name, "\n".join(lines)


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from gpaitracker.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GPAI Tracker")
    app.setOrganizationName("gpaitracker")
    try:
        title, body = register_summary(args)
    except UserError as exc:
        QMessageBox.critical(None, "GPAI Tracker", str(exc))
        return 1
    window = MainWindow(title, body)
    window.show()
    return app.exec()
