"""How the window tells the user what went wrong: a message they can act on, never a traceback."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType
from typing import ClassVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gpaitracker import __version__
from gpaitracker.errors import UserError


def tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def show_error(parent: QWidget | None, exc: BaseException, title: str = "") -> None:
    """A user error as a plain message box; anything else as a crash report."""
    if isinstance(exc, UserError):
        QMessageBox.warning(parent, title or tr("Not saved"), str(exc))
    else:
        CrashDialog.show_for(parent, "".join(traceback.format_exception(exc)))


class CrashDialog(QDialog):
    """An unexpected error: what happened, a report to copy, and the app keeps running."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Something went wrong"))
        self.report = QPlainTextEdit(f"GPAI Tracker {__version__}\n\n{report}")
        self.report.setReadOnly(True)
        intro = QLabel(
            tr(
                "GPAI Tracker hit an unexpected error. Your register is safe: the change in "
                "progress was not saved. Copy this report for the support team."
            )
        )
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(
            tr("Copy report"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.clicked.connect(self._on_copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def _on_copy(self) -> None:
        QApplication.clipboard().setText(self.report.toPlainText())

    _open: ClassVar[list[CrashDialog]] = []  # keeps parentless dialogs alive while shown

    @classmethod
    def show_for(cls, parent: QWidget | None, report: str) -> CrashDialog:
        dialog = cls(report, parent)
        dialog.setModal(True)
        cls._open.append(dialog)
        dialog.finished.connect(dialog._on_finished)
        dialog.show()
        return dialog

    def _on_finished(self, _result: int) -> None:
        if self in self._open:
            self._open.remove(self)


def install_excepthook() -> None:
    """Exceptions escaping a slot become a report dialog instead of ending the app."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        if isinstance(exc, UserError):
            QMessageBox.warning(QApplication.activeWindow(), tr("Not saved"), str(exc))
            return
        CrashDialog.show_for(
            QApplication.activeWindow(), "".join(traceback.format_exception(kind, exc, tb))
        )

    sys.excepthook = hook
