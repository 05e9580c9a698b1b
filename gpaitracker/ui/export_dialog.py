"""Choosing what to export: the format, the file, and for a calendar whose items."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

FORMATS = (
    ("xlsx", "Excel workbook (*.xlsx)"),
    ("csv", "CSV, items only (*.csv)"),
    ("json", "JSON, the whole register (*.json)"),
    ("ics", "Calendar of deadlines (*.ics)"),
)


class ExportDialog(QDialog):
    def __init__(
        self, models: list[tuple[int, str]], folder: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export the register"))
        self.folder = folder
        self.format_combo = QComboBox()
        for fmt, label in FORMATS:
            self.format_combo.addItem(self.tr(label), fmt)
        self.path_edit = QLineEdit(str(folder / "register.xlsx"))
        self.browse_button = QPushButton(self.tr("Choose…"))
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        self.mine_check = QCheckBox(self.tr("Only my items"))
        self.model_combo = QComboBox()
        self.model_combo.addItem(self.tr("All models"), None)
        for model_id, name in models:
            self.model_combo.addItem(name, model_id)
        form = QFormLayout()
        form.addRow(self.tr("Format"), self.format_combo)
        form.addRow(self.tr("File"), row)
        form.addRow(self.tr("Calendar"), self.mine_check)
        form.addRow(self.tr("Model"), self.model_combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Export"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._connect()
        self._on_format()

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.format_combo.currentIndexChanged.connect(self._on_format)
        self.browse_button.clicked.connect(self._on_browse)
        self.path_edit.textChanged.connect(self._on_path)

    @property
    def fmt(self) -> str:
        return str(self.format_combo.currentData())

    @property
    def path(self) -> Path:
        return Path(self.path_edit.text().strip())

    @property
    def model_id(self) -> int | None:
        data = self.model_combo.currentData()
        return int(data) if self.fmt == "ics" and data is not None else None

    @property
    def mine(self) -> bool:
        return self.fmt == "ics" and self.mine_check.isChecked()

    def _on_format(self) -> None:
        calendar = self.fmt == "ics"
        self.mine_check.setEnabled(calendar)
        self.model_combo.setEnabled(calendar)
        text = self.path_edit.text().strip()
        if text:
            self.path_edit.setText(str(Path(text).with_suffix(f".{self.fmt}")))

    def _on_path(self) -> None:
        self.ok_button.setEnabled(bool(self.path_edit.text().strip()))

    def _on_browse(self) -> None:
        label = dict(FORMATS)[self.fmt]
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export to"), str(self.path), label)
        if name:
            self.path_edit.setText(name)
