"""Errors reach the user as messages; an unexpected one as a report to copy, app still running."""

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from gpaitracker.errors import ConflictError
from gpaitracker.ui import messages


def test_user_errors_are_plain_messages(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    messages.show_error(None, ConflictError("atlas-2/X was changed by olga@provider.eu at ..."))
    assert shown == ["atlas-2/X was changed by olga@provider.eu at ..."]


def test_an_unexpected_error_shows_a_copyable_report(qtbot, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    messages.install_excepthook()
    try:
        raise KeyError("surprise")
    except KeyError:
        sys.excepthook(*sys.exc_info())
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, messages.CrashDialog)]
    assert dialogs, "a report dialog is shown"
    dialog = dialogs[-1]
    qtbot.addWidget(dialog)
    assert "KeyError: 'surprise'" in dialog.report.toPlainText()
    dialog.copy_button.click()
    assert "KeyError" in QApplication.clipboard().text()
    dialog.close()
