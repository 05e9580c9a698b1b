"""Start the Qt application and show the main window."""

from __future__ import annotations

import argparse
import sys


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from gpaitracker.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GPAI Tracker")
    app.setOrganizationName("gpaitracker")
    window = MainWindow()
    window.show()
    return app.exec()
