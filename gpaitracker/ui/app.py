"""Start the Qt application and show the main window."""

from __future__ import annotations

import argparse
import sys

from gpaitracker import paths
from gpaitracker.db import session_scope
from gpaitracker.errors import UserError
from gpaitracker.migrate import open_register
from gpaitracker.services import ai_models, organisation, queries


def register_summary(args: argparse.Namespace) -> tuple[str, str]:
    """Title and a few plain lines about the register this window opens."""
    home = paths.home_dir(getattr(args, "home", None))
    register = open_register(home, getattr(args, "db", None))
    try:
        with session_scope(register) as s:
            if not organisation.exists(session=s):
                return "No register yet", (
                    f"{register.url}\n\nCreate one with 'gpaitracker init --organisation NAME',"
                    " or explore the example with 'gpaitracker demo'."
                )
            org = organisation.get(session=s)
            models = ai_models.list_models(session=s)
            rows = queries.list_rows(session=s)
    finally:
        register.engine.dispose()
    counts = queries.status_counts(rows)
    red = sum(r.rag == "red" for r in rows)
    lines = [
        f"{len(models)} models, {len(rows)} register items",
        f"{counts['done']} done, {counts['in_review']} in review, "
        f"{counts['in_progress']} in progress, {counts['blocked']} blocked, "
        f"{counts['not_started']} not started",
        f"{red} need attention (overdue or blocked)",
        "",
        register.url,
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
