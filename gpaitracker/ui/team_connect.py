"""The "Connect to team server" dialog: host, port, database, user and a password.

Host, port, database and user are remembered in the settings; the password is asked for each
time, or kept in the system keyring when the user ticks the box and a keyring is available.
It is never written to a settings file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.services import credentials
from gpaitracker.ui.worker import Task, Worker

if TYPE_CHECKING:
    from gpaitracker.services.workspace import Workspace

DEFAULT_PORT = 5432
_KEYS = ("host", "port", "database", "user", "remember")
_open_windows: list[QMainWindow] = []  # windows opened on a server, kept alive


class TeamConnectDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect to team server"))
        self.workspace: Workspace | None = None
        self.worker = Worker(self)
        self.task: Task | None = None
        self._given_up = False
        self.host_edit = QLineEdit()
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        self.database_edit = QLineEdit()
        self.user_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_check = QCheckBox(self.tr("Keep the password in the system keyring"))
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.connect_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.connect_button.setText(self.tr("Connect"))
        form = QFormLayout()
        form.addRow(self.tr("Host:"), self.host_edit)
        form.addRow(self.tr("Port:"), self.port_spin)
        form.addRow(self.tr("Database:"), self.database_edit)
        form.addRow(self.tr("User:"), self.user_edit)
        form.addRow(self.tr("Password:"), self.password_edit)
        form.addRow("", self.remember_check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        if not credentials.keyring_available():
            self.remember_check.setEnabled(False)
            self.remember_check.setToolTip(
                self.tr("No system keyring is available: the password is asked for each time.")
            )
        self._restore()
        self._connect()

    def _connect(self) -> None:
        self.buttons.accepted.connect(self._on_connect)
        self.buttons.rejected.connect(self.reject)

    def _restore(self) -> None:
        settings = QSettings()
        self.host_edit.setText(str(settings.value("team/host", "") or ""))
        port = settings.value("team/port", DEFAULT_PORT)
        self.port_spin.setValue(int(port) if str(port).isdigit() else DEFAULT_PORT)
        self.database_edit.setText(str(settings.value("team/database", "") or ""))
        self.user_edit.setText(str(settings.value("team/user", "") or ""))
        remember = str(settings.value("team/remember", "false")) == "true"
        self.remember_check.setChecked(remember and self.remember_check.isEnabled())
        if self.remember_check.isChecked():
            saved = credentials.saved_password(self._account())
            if saved:
                self.password_edit.setText(saved)

    def _account(self) -> str:
        return credentials.account(
            self.user_edit.text().strip(),
            self.host_edit.text().strip(),
            self.port_spin.value(),
            self.database_edit.text().strip(),
        )

    def _on_connect(self) -> None:
        """Connect in the background (a server may take seconds to answer); the dialog waits."""
        from gpaitracker.errors import UserError

        self.error_label.clear()
        try:
            url = credentials.server_url(
                self.host_edit.text(),
                self.port_spin.value(),
                self.database_edit.text(),
                self.user_edit.text(),
                self.password_edit.text(),
            )
        except UserError as exc:
            self.error_label.setText(str(exc))
            return
        self.connect_button.setEnabled(False)
        self.error_label.setText(self.tr("Connecting…"))
        self.task = self.worker.start(
            lambda _progress, _cancelled: _open(url),
            finished=self._on_connected,
            failed=self._on_failed,
            crashed=self._on_failed,
        )

    def reject(self) -> None:
        self._given_up = True  # a connection still on its way is closed when it arrives
        super().reject()

    @Slot(object)
    def _on_connected(self, ws: Workspace) -> None:
        self.connect_button.setEnabled(True)
        if self._given_up:
            ws.close()
            return
        self.error_label.clear()
        self._save()
        self.workspace = ws
        self.accept()

    @Slot(object)
    def _on_failed(self, error: object) -> None:
        self.connect_button.setEnabled(True)
        self.error_label.setText(str(error))

    def _save(self) -> None:
        settings = QSettings()
        settings.setValue("team/host", self.host_edit.text().strip())
        settings.setValue("team/port", self.port_spin.value())
        settings.setValue("team/database", self.database_edit.text().strip())
        settings.setValue("team/user", self.user_edit.text().strip())
        remember = self.remember_check.isChecked() and self.remember_check.isEnabled()
        settings.setValue("team/remember", "true" if remember else "false")
        if remember and credentials.save_password(self._account(), self.password_edit.text()):
            return
        credentials.forget_password(self._account())


def _open(url: str) -> Workspace:
    """The workspace on the server, if the login may act as someone in the register."""
    from gpaitracker.errors import UserError
    from gpaitracker.services.workspace import Workspace

    ws = Workspace.open(None, url, create=False)
    try:
        ws.actor()
    except UserError:
        ws.close()
        raise
    return ws


def switch_to_team_server(window: QMainWindow) -> QMainWindow | None:
    """Ask for a server; on success open a window on it and close this one."""
    from gpaitracker.ui.app import make_context
    from gpaitracker.ui.main_window import MainWindow

    dialog = TeamConnectDialog(window)
    if not dialog.exec() or dialog.workspace is None:
        return None
    opened = MainWindow(make_context(dialog.workspace))
    _open_windows.append(opened)
    opened.show()
    window.close()
    return opened
