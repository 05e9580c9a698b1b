"""Take the README's screenshots of the window on the example register.

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        .venv/bin/python docs/screenshots/take.py docs/screenshots

Builds the example register in a temporary folder, opens the real window at 1366x768 and saves
PNGs of the register with an item selected, the evidence page, the dashboard and the board
report dialog, and each page of the signed demo report in docs/report/. (The
first-run wizard's picture is a shot of the whole virtual screen while the app starts on an
empty folder, cropped to the wizard.)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings
from PySide6.QtWidgets import QApplication


def _wait(app: QApplication, ms: int) -> None:
    # Not app.exec() + quit(): quitting the event loop closes the window (aboutToQuit).
    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def _wait_for(app: QApplication, done: Callable[[], bool], seconds: float) -> None:
    """Until done() holds (at most seconds), then a little longer for the paint."""
    for _ in range(int(seconds * 10)):
        _wait(app, 100)
        if done():
            break
    _wait(app, 300)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        QCoreApplication.setOrganizationName("gpaitracker-screenshots")
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        app = QApplication(sys.argv[:1])
        from gpaitracker.services import demo, lookup
        from gpaitracker.services.workspace import Workspace
        from gpaitracker.ui.app import make_context
        from gpaitracker.ui.main_window import MainWindow

        ws = Workspace.open(Path(tmp) / "demo")
        ws.create(
            demo.create,
            store=ws.store,
            admin_name="Ada Admin",
            admin_email="ada.admin@northwind.example",
        )
        # The officer of the example register: her items fill the "Needs attention" panel.
        ws.act_as("olga.lindqvist@northwind.example")
        window = MainWindow(make_context(ws))
        window.setGeometry(0, 0, 1366, 768)
        window.show()
        _wait(app, 2500)
        item = ws.read(lookup.requirement_id, key="titan-1/COP-SS-1.1")
        window.ctx.bus.item_selected.emit(item)
        window.register_page.show_item(item)
        _wait(app, 1200)
        window.grab().save(str(out / "register.png"))
        window.nav.setCurrentRow(window.PAGES.index("evidence"))
        _wait(app, 1500)
        window.grab().save(str(out / "evidence.png"))
        window.reminders.show()  # closed at first on a screen this narrow; shown for the shot
        window.nav.setCurrentRow(window.PAGES.index("dashboard"))
        dashboard = window.pages["dashboard"]
        _wait_for(app, lambda: dashboard.figures is not None, seconds=10)
        window.grab().save(str(out / "dashboard.png"))
        dashboard.large_check.setChecked(True)
        _wait(app, 500)
        window.grab().save(str(out / "dashboard-large.png"))
        dashboard.large_check.setChecked(False)
        _report(app, window, ws, Path(tmp), out)
        window.close()
        ws.close()


def _report(app: QApplication, window: object, ws: object, tmp: Path, out: Path) -> None:
    """The export dialog after a signed report was made, and the report's pages as PNGs."""
    from gpaitracker.reports.identity import create_identity, default_identity_path

    email = "olga.lindqvist@northwind.example"
    create_identity(
        "Olga Lindqvist", email, "screenshot", default_identity_path(ws.home, email), key_type="ec"
    )
    window.report_action.trigger()
    dialog = window.reports_page.dialog
    pdf = tmp / "board-report.pdf"
    dialog.path_edit.setText(str(pdf))
    dialog.passphrase_edit.setText("screenshot")
    dialog.make_button.click()
    _wait_for(app, lambda: dialog.made is not None, seconds=30)
    dialog.grab().save(str(out / "report-dialog.png"))
    dialog.reject()
    pages = out.parent / "report"
    pages.mkdir(exist_ok=True)
    for old in pages.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(pages / "page")], check=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
