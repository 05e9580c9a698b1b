"""Export board report: choose models, as-of date and signing identity; the report is made off
the GUI thread with progress, then its first page is shown with Open and Show in folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QDate, QSettings, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.errors import ValidationError
from gpaitracker.services import ai_models
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.identity_dialog import (
    NewIdentityDialog,
    export_certificate_file,
    identity_files,
    import_identity_file,
)
from gpaitracker.ui.messages import CrashDialog, show_error
from gpaitracker.ui.pdf_preview import first_page_png
from gpaitracker.ui.progress import ProgressDialog

FOLDER_KEY = "reports/folder"
PREVIEW_WIDTH = 300


class Made(NamedTuple):
    number: int
    path: Path
    sha256: str
    signer: str
    preview: bytes | None  # PNG of the first page


class ReportDialog(QDialog):
    """The whole export in one dialog; the widgets a test drives are public attributes."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.made: Made | None = None
        self.setWindowTitle(self.tr("Export board report"))
        self.models_list = QListWidget()
        for model in ctx.ws.read(ai_models.list_models):
            if model.retired:
                continue
            item = QListWidgetItem(model.name)
            item.setData(Qt.ItemDataRole.UserRole, model.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.models_list.addItem(item)
        self.models_list.setMaximumHeight(110)
        self.as_of_edit = QDateEdit(QDate.currentDate())
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of_edit.setMaximumDate(QDate.currentDate())
        self.path_edit = QLineEdit(str(self._default_path()))
        self.browse_button = QPushButton(self.tr("&Browse..."))
        self.sign_check = QCheckBox(self.tr("&Sign with"))
        self.identity_combo = QComboBox()
        self.identity_combo.setMinimumContentsLength(24)
        self.new_identity_button = QPushButton(self.tr("&New..."))
        self.import_identity_button = QPushButton(self.tr("&Import..."))
        self.export_cert_button = QPushButton(self.tr("Export &certificate..."))
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setPlaceholderText(self.tr("asked for each report, never saved"))
        self.preview_label = QLabel(self.tr("The first page appears here once the report is made."))
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_label.setWordWrap(True)
        # The page on a darker ground, so that its white edges show.
        self.preview_label.setMinimumSize(PREVIEW_WIDTH + 24, 300)
        self.preview_label.setStyleSheet("QLabel { background: palette(mid); padding: 12px; }")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.make_button = self.buttons.addButton(
            self.tr("&Make report"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.make_button.setDefault(True)
        self.open_button = self.buttons.addButton(
            self.tr("&Open"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.folder_button = self.buttons.addButton(
            self.tr("Show in &folder"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self._lay_out()
        self._fill_identities()
        self._connect()
        self._update_buttons()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Models:"), self.models_list)
        form.addRow(self.tr("&As of:"), self.as_of_edit)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(self.browse_button)
        where_label = QLabel(self.tr("Save &to:"))
        where_label.setBuddy(self.path_edit)
        form.addRow(where_label, where)
        who = QHBoxLayout()
        who.addWidget(self.identity_combo, 1)
        who.addWidget(self.new_identity_button)
        who.addWidget(self.import_identity_button)
        form.addRow(self.sign_check, who)
        form.addRow(self.tr("&Passphrase:"), self.passphrase_edit)
        form.addRow("", self.export_cert_button)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.result_label)
        left.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addWidget(self.preview_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.buttons)
        self.resize(900, 480)

    def _connect(self) -> None:
        self.buttons.rejected.connect(self.reject)
        self.make_button.clicked.connect(self._on_make)
        self.open_button.clicked.connect(self._on_open)
        self.folder_button.clicked.connect(self._on_show_folder)
        self.browse_button.clicked.connect(self._on_browse)
        self.sign_check.toggled.connect(self._update_buttons)
        self.identity_combo.currentIndexChanged.connect(self._update_buttons)
        self.new_identity_button.clicked.connect(self._on_new_identity)
        self.import_identity_button.clicked.connect(self._on_import_identity)
        self.export_cert_button.clicked.connect(self._on_export_certificate)

    def _default_path(self) -> Path:
        folder = QSettings().value(FOLDER_KEY, "") or str(Path.home())
        return Path(str(folder)) / f"board-report-{dt.date.today().isoformat()}.pdf"

    def _fill_identities(self, choose: Path | None = None) -> None:
        self.identity_combo.clear()
        for path in identity_files(self.ctx):
            self.identity_combo.addItem(path.stem, str(path))
        if choose is not None:
            self.identity_combo.setCurrentIndex(self.identity_combo.findData(str(choose)))
            self.sign_check.setChecked(True)
        elif self.identity_combo.count():
            self.sign_check.setChecked(True)

    @Slot()
    def _update_buttons(self) -> None:
        has_identity = self.identity_combo.currentIndex() >= 0
        self.identity_combo.setEnabled(self.sign_check.isChecked())
        self.passphrase_edit.setEnabled(self.sign_check.isChecked() and has_identity)
        self.export_cert_button.setEnabled(has_identity)
        self.make_button.setEnabled(self.ctx.may_edit)
        if not self.ctx.may_edit:
            self.make_button.setToolTip(self.tr("Making a report records it: you may only read"))
        self.open_button.setEnabled(self.made is not None)
        self.folder_button.setEnabled(self.made is not None)

    def chosen_models(self) -> tuple[int, ...] | None:
        """The checked models' ids; None when all are checked (the report covers every model)."""
        items = [self.models_list.item(n) for n in range(self.models_list.count())]
        checked = [i for i in items if i.checkState() == Qt.CheckState.Checked]
        if len(checked) == len(items):
            return None
        return tuple(int(i.data(Qt.ItemDataRole.UserRole)) for i in checked)

    def identity(self) -> Path | None:
        data = self.identity_combo.currentData()
        return Path(data) if self.sign_check.isChecked() and data else None

    @Slot()
    def _on_make(self) -> None:
        from gpaitracker.services.report_make import make_report

        models = self.chosen_models()
        identity = self.identity()
        secret = self.passphrase_edit.text()
        try:
            if models == ():
                raise ValidationError("no model is chosen: tick at least one")
            if self.sign_check.isChecked() and identity is None:
                raise ValidationError("no signing identity: create or import one, or untick Sign")
            out = Path(self.path_edit.text().strip()).expanduser()
            if out.suffix.lower() != ".pdf":
                raise ValidationError(f"{out.name or 'the file name'} does not end in .pdf")
        except ValidationError as exc:
            show_error(self, exc, self.tr("No report made"))
            return
        as_of = self.as_of_edit.date().toPython()
        ws = self.ctx.ws

        def job(progress, cancelled):  # type: ignore[no-untyped-def]
            made = make_report(
                ws,
                out,
                as_of=as_of,
                model_ids=models,
                identity=identity,
                passphrase=secret or None,
                progress=progress,
                cancelled=cancelled,
            )
            return Made(
                made.number,
                made.path,
                made.sha256,
                made.signer,
                first_page_png(made.path, PREVIEW_WIDTH * 2),
            )

        self.make_button.setEnabled(False)
        self.result_label.setText(self.tr("Making the report..."))
        self.task = self.ctx.worker.start(
            job, finished=self._on_made, failed=self._on_failed, crashed=self._on_crashed
        )
        self.progress = ProgressDialog(
            self.task, self.tr("Making the board report..."), self.tr("Board report"), self
        )

    @Slot(object)
    def _on_made(self, made: Made) -> None:
        self.made = made
        self.passphrase_edit.clear()
        QSettings().setValue(FOLDER_KEY, str(made.path.parent))
        signed = (
            self.tr("signed by {signer}").format(signer=made.signer)
            if made.signer
            else self.tr("not signed")
        )
        self.result_label.setText(
            self.tr("Report {number} saved, {signed}:\n{path}\nSHA-256 {sha}").format(
                number=made.number, signed=signed, path=made.path, sha=made.sha256
            )
        )
        pixmap = QPixmap()
        if made.preview and pixmap.loadFromData(made.preview):
            self.preview_label.setPixmap(
                pixmap.scaledToWidth(PREVIEW_WIDTH, Qt.TransformationMode.SmoothTransformation)
            )
        else:
            self.preview_label.setText(self.tr("No preview: the PDF cannot be drawn here."))
        self.ctx.announce(None)
        self._update_buttons()
        self.open_button.setFocus()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.result_label.setText(self.tr("No report was saved."))
        self._update_buttons()
        show_error(self, exc, self.tr("No report made"))

    @Slot(str)
    def _on_crashed(self, report: str) -> None:
        self.result_label.setText(self.tr("No report was saved."))
        self._update_buttons()
        CrashDialog.show_for(self, report)

    @Slot()
    def _on_open(self) -> None:
        if self.made is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.made.path)))

    @Slot()
    def _on_show_folder(self) -> None:
        if self.made is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.made.path.parent)))

    @Slot()
    def _on_browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save board report"), self.path_edit.text(), self.tr("PDF (*.pdf)")
        )
        if name:
            self.path_edit.setText(name if name.lower().endswith(".pdf") else f"{name}.pdf")

    @Slot()
    def _on_new_identity(self) -> None:
        dialog = NewIdentityDialog(self.ctx, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.created is not None:
            self._fill_identities(dialog.created)

    @Slot()
    def _on_import_identity(self) -> None:
        found = import_identity_file(self.ctx, self)
        if found is not None:
            self._fill_identities(found)

    @Slot()
    def _on_export_certificate(self) -> None:
        data = self.identity_combo.currentData()
        if data:
            out = export_certificate_file(Path(data), self)
            if out is not None:
                self.result_label.setText(self.tr("Certificate saved to {path}").format(path=out))
