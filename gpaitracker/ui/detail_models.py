"""The detail panel's small table models: an item's evidence and its audit history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from gpaitracker.services.evidence import EvidenceRow
from gpaitracker.services.queries import AuditRow

Index = QModelIndex | QPersistentModelIndex
STATE_COLOURS = {"expired": QColor("#c62828"), "expiring": QColor("#b26a00")}


def local_time(at: dt.datetime) -> str:
    """A stored time (UTC) as the user's local time, to the minute."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


class EvidenceModel(QAbstractTableModel):
    TITLE, STATE, FILE, SIZE, VALID_UNTIL = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[EvidenceRow] = []
        self.today = dt.date.today()
        self.headers = [
            self.tr("Title"),
            self.tr("State"),
            self.tr("File"),
            self.tr("Size"),
            self.tr("Valid until"),
        ]
        self.states = {
            "valid": self.tr("valid"),
            "expiring": self.tr("expiring"),
            "expired": self.tr("expired"),
            "not_yet_valid": self.tr("not yet valid"),
        }

    def set_rows(self, rows: Sequence[EvidenceRow], today: dt.date | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.today = today or dt.date.today()
        self.endResetModel()

    def row_at(self, index: Index) -> EvidenceRow | None:
        return self.rows[index.row()] if index.isValid() else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [row.title, row.description, row.url or "", row.sha256 or ""]
            return "\n".join(line for line in lines if line)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATE:
            return STATE_COLOURS.get(row.state(self.today))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: EvidenceRow, column: int) -> str:
        if column == self.TITLE:
            return row.title
        if column == self.STATE:
            return self.states[row.state(self.today)]
        if column == self.FILE:
            return row.name or row.url or ""
        if column == self.SIZE:
            return _size_text(row.size) if row.size is not None else ""
        return row.valid_until.isoformat() if row.valid_until else ""


def _size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{value:,.1f} TB"


class HistoryModel(QAbstractTableModel):
    """The item's audit events, oldest first."""

    WHEN, WHO, ACTION, FIELD, OLD, NEW = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AuditRow] = []
        self.headers = [
            self.tr("When"),
            self.tr("Who"),
            self.tr("Action"),
            self.tr("Field"),
            self.tr("Old"),
            self.tr("New"),
        ]

    def set_rows(self, rows: Sequence[AuditRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row = self.rows[index.row()]
        values = (
            local_time(row.at),
            row.actor,
            row.action,
            row.field,
            row.old or "",
            row.new or "",
        )
        return values[index.column()]
