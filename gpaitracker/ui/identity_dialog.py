"""Signing identities in the app: create one, import one from the corporate PKI, export its
certificate for the people who verify the reports.

Identities are PKCS#12 files under the data folder (owner-only); the passphrase is typed each
time and kept only as long as the work that needs it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from gpaitracker.errors import UserError, ValidationError
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.messages import show_error


def identity_files(ctx: UiContext) -> list[Path]:
    """The identities kept in the data folder, by name."""
    from gpaitracker.reports.identity import identities_dir

    folder = identities_dir(ctx.ws.home)
    return sorted(folder.glob("*.p12")) if folder.is_dir() else []


def ask_passphrase(parent: QWidget, path: Path) -> str | None:
    """The passphrase of one identity file, typed by the user; None when they cancel."""
    text, ok = QInputDialog.getText(
        parent,
        parent.tr("Passphrase"),
        parent.tr("Passphrase of {name}:").format(name=path.name),
        QLineEdit.EchoMode.Password,
    )
    return text if ok else None


class NewIdentityDialog(QDialog):
    """Name, email, key type and a passphrase typed twice; creates the file off the GUI thread."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.created: Path | None = None
        self.setWindowTitle(self.tr("New signing identity"))
        self.name_edit = QLineEdit(ctx.actor.name)
        self.email_edit = QLineEdit(ctx.actor.email)
        self.key_combo = QComboBox()
        self.key_combo.addItem(self.tr("RSA 3072 (widest support)"), "rsa")
        self.key_combo.addItem(self.tr("Elliptic curve P-256 (smaller, faster)"), "ec")
        self.passphrase_edit = QLineEdit()
        self.repeat_edit = QLineEdit()
        for edit in (self.passphrase_edit, self.repeat_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        note = QLabel(
            self.tr(
                "A key and a self-signed certificate are saved in your data folder, readable "
                "only by you and locked with the passphrase. Export the certificate for the "
                "people who verify your reports."
            )
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText(self.tr("Create"))
        form = QFormLayout(self)
        form.addRow(note)
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&Email:"), self.email_edit)
        form.addRow(self.tr("&Key:"), self.key_combo)
        form.addRow(self.tr("&Passphrase:"), self.passphrase_edit)
        form.addRow(self.tr("&Repeat:"), self.repeat_edit)
        form.addRow(self.buttons)
        self.setMinimumWidth(460)
        self._connect()

    def _connect(self) -> None:
        self.buttons.accepted.connect(self._on_create)
        self.buttons.rejected.connect(self.reject)

    @Slot()
    def _on_create(self) -> None:
        from gpaitracker.reports.identity import create_identity, default_identity_path

        name, email = self.name_edit.text(), self.email_edit.text().strip()
        secret = self.passphrase_edit.text()
        if secret != self.repeat_edit.text():
            show_error(self, ValidationError("the two passphrases differ: type them again"))
            return
        out = default_identity_path(self.ctx.ws.home, email or "identity")
        key_type = self.key_combo.currentData()
        out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.create_button.setEnabled(False)
        self.ctx.worker.start(
            lambda _progress, _cancelled: (
                create_identity(name, email, secret, out, key_type=key_type).path
            ),
            finished=self._on_created,
            failed=self._on_failed,
            crashed=self._on_failed,
        )

    @Slot(object)
    def _on_created(self, path: Path) -> None:
        self.created = path
        self.passphrase_edit.clear()
        self.repeat_edit.clear()
        self.accept()

    @Slot(object)
    def _on_failed(self, problem: object) -> None:
        self.create_button.setEnabled(True)
        if isinstance(problem, BaseException):
            show_error(self, problem, self.tr("No identity created"))
        else:
            from gpaitracker.ui.messages import CrashDialog

            CrashDialog.show_for(self, str(problem))


def import_identity_file(ctx: UiContext, parent: QWidget) -> Path | None:
    """Ask for a .p12 file and its passphrase, check it can sign, and copy it in."""
    from gpaitracker.reports.identity import identities_dir, import_identity

    name, _ = QFileDialog.getOpenFileName(
        parent,
        parent.tr("Import signing identity"),
        "",
        parent.tr("PKCS#12 identities (*.p12 *.pfx);;All files (*)"),
    )
    if not name:
        return None
    secret = ask_passphrase(parent, Path(name))
    if secret is None:
        return None
    try:
        return import_identity(Path(name), secret, identities_dir(ctx.ws.home)).path
    except UserError as exc:
        show_error(parent, exc, parent.tr("Not imported"))
        return None


def export_certificate_file(path: Path, parent: QWidget) -> Path | None:
    """Save the identity's certificate (PEM) where the user chooses."""
    from gpaitracker.reports.identity import export_certificate

    secret = ask_passphrase(parent, path)
    if secret is None:
        return None
    try:
        pem = export_certificate(path, secret)
    except UserError as exc:
        show_error(parent, exc, parent.tr("Not exported"))
        return None
    name, _ = QFileDialog.getSaveFileName(
        parent,
        parent.tr("Export certificate"),
        str(Path.home() / f"{path.stem}.pem"),
        parent.tr("Certificates (*.pem)"),
    )
    if not name:
        return None
    out = Path(name)
    try:
        out.write_bytes(pem)
    except OSError as exc:
        QMessageBox.warning(parent, parent.tr("Not exported"), f"{out}: {exc.strerror or exc}")
        return None
    return out
