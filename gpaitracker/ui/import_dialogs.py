"""The import's two dialogs: mapping a foreign spreadsheet's columns, and the preview."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.interchange.fields import IGNORE, ITEM_FIELDS, resolve
from gpaitracker.services.interchange_import import ImportResult, Outcome

Index = QModelIndex | QPersistentModelIndex


class ColumnMappingDialog(QDialog):
    """One row per column of the file: which register field it holds, or none."""

    def __init__(
        self,
        headers: list[str],
        current: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Match the columns"))
        self.headers = headers
        intro = QLabel(
            self.tr(
                "Say which column holds what. An item is found by its key, or by its model and "
                "code; columns left out are not changed."
            )
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        found = _guess(headers, current or {})
        self.combos: dict[str, QComboBox] = {}
        for index, header in enumerate(headers):
            combo = QComboBox()
            combo.addItem(self.tr("(not imported)"), IGNORE)
            for field in ITEM_FIELDS:
                combo.addItem(field, field)
            field = next((f for f, i in found.items() if i == index), IGNORE)
            combo.setCurrentIndex(max(0, combo.findData(field)))
            self.combos[header] = combo
            form.addRow(header or self.tr("(no name)"), combo)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._connect()
        self._on_changed()

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for combo in self.combos.values():
            combo.currentIndexChanged.connect(self._on_changed)

    def mapping(self) -> dict[str, str]:
        return {header: str(combo.currentData()) for header, combo in self.combos.items()}

    def _on_changed(self) -> None:
        chosen = [f for f in self.mapping().values() if f != IGNORE]
        twice = sorted({f for f in chosen if chosen.count(f) > 1})
        has_key = "key" in chosen or ("model" in chosen and "code" in chosen)
        if twice:
            text = self.tr("Two columns give the {field}.").format(field=twice[0])
        elif not has_key:
            text = self.tr("Choose the key column, or the model and code columns.")
        else:
            text = ""
        self.problem.setText(text)
        self.ok_button.setEnabled(not text)


def _guess(headers: list[str], current: dict[str, str]) -> dict[str, int]:
    try:
        return resolve(headers, current)
    except Exception:  # a clash or an unknown column: start from nothing chosen
        return {}


_KIND_COLOURS = {"added": "#1b7f3a", "changed": "#1f5fbf", "rejected": "#b3261e"}


class OutcomeModel(QAbstractTableModel):
    HEADERS = ("Sheet", "Row", "Item", "Result", "What")

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__()
        self.outcomes = outcomes

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.outcomes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        o = self.outcomes[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (o.sheet, o.row, o.label, o.kind, o.detail)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 3:
            return QBrush(QColor(_KIND_COLOURS.get(o.kind, "#000000")))
        return None


class ImportPreviewDialog(QDialog):
    """What the file adds, changes and rejects (with why); Apply, or cancel.

    A file with rejected rows is applied only with "Skip the rejected rows" ticked.
    """

    def __init__(self, result: ImportResult, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import {name}").format(name=file_name))
        self.result = result
        counts = {k: len(result.of_kind(k)) for k in ("added", "changed", "rejected")}
        self.summary = QLabel(
            self.tr("{a} added, {c} changed, {r} rejected, {u} unchanged").format(
                a=counts["added"], c=counts["changed"], r=counts["rejected"], u=result.unchanged
            )
        )
        self.model = OutcomeModel(list(result.outcomes))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Sheet, row, item key and result as wide as their text (a key never wraps); the
        # reason takes the rest.
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.skip_invalid = QCheckBox(self.tr("Skip the rejected rows and apply the others"))
        self.skip_invalid.setVisible(counts["rejected"] > 0)
        self.map_button = QPushButton(self.tr("Match columns…"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.addButton(
            self.tr("Apply"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(self.map_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.remap = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.skip_invalid)
        layout.addWidget(self.buttons)
        self.resize(900, 480)
        self._connect()
        self._on_skip_toggled()

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.skip_invalid.toggled.connect(self._on_skip_toggled)
        self.map_button.clicked.connect(self._on_map)

    def _on_skip_toggled(self) -> None:
        rejected = bool(self.result.rejected)
        nothing = not any(o.kind != "rejected" for o in self.result.outcomes)
        self.apply_button.setEnabled(
            not nothing and (not rejected or self.skip_invalid.isChecked())
        )

    def _on_map(self) -> None:
        self.remap = True
        self.reject()
