"""A small table model over plain rows (named tuples), described by column specs.

For the pages whose tables hold hundreds or a few thousand rows (models, people, evidence,
the audit log): it sorts and filters its own Python list, which stays fast at those sizes
and keeps the selection across a sort. The register's 50,000 items use their own model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole  # data(index, ROW_ROLE) is the row itself
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the value the column sorts by


class Column(NamedTuple):
    """How one column shows a row: its text, and optionally its sort key, tooltip, colour."""

    title: str
    text: Callable[[Any], str]
    key: Callable[[Any], Any] | None = None  # default: the text, case-folded
    numeric: bool = False  # right-aligned
    tip: Callable[[Any], str | None] | None = None
    colour: Callable[[Any], Any] | None = None  # a QColor or QBrush, or None


class TableModel(QAbstractTableModel):
    """Rows with set_rows(); sort() and set_filter() work on the Python list itself."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._all: list[Any] = []
        self._shown: list[Any] = []
        self._accept: Callable[[Any], bool] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- rows ------------------------------------------------------------------------------

    def set_rows(self, rows: Iterable[Any]) -> None:
        """Replace every row; the current sort and filter still apply."""
        self.beginResetModel()
        self._all = list(rows)
        self._shown = self._visible()
        self.endResetModel()

    def set_filter(self, accept: Callable[[Any], bool] | None) -> None:
        """Show only the rows accept(row) is true for (None: every row)."""
        self.beginResetModel()
        self._accept = accept
        self._shown = self._visible()
        self.endResetModel()

    @property
    def rows(self) -> tuple[Any, ...]:
        """The rows shown, in their shown order."""
        return tuple(self._shown)

    @property
    def all_rows(self) -> tuple[Any, ...]:
        return tuple(self._all)

    def row(self, at: int | Index) -> Any:
        return self._shown[at if isinstance(at, int) else at.row()]

    def find(self, match: Callable[[Any], bool]) -> int:
        """The shown position of the first row match(row) is true for, or -1."""
        return next((n for n, r in enumerate(self._shown) if match(r)), -1)

    def _visible(self) -> list[Any]:
        rows = self._all if self._accept is None else [r for r in self._all if self._accept(r)]
        if self._sort is None:
            return list(rows)
        column, order = self._sort
        key = self._key(column)
        keyed = [(key(r), r) for r in rows]
        # Unknown values (None) come last in either order and are never compared.
        known = [pair for pair in keyed if pair[0] is not None]
        known.sort(key=lambda pair: pair[0], reverse=order == Qt.SortOrder.DescendingOrder)
        return [r for _, r in known] + [r for k, r in keyed if k is None]

    def _key(self, column: int) -> Callable[[Any], Any]:
        spec = self.columns[column]
        if spec.key is not None:
            return spec.key
        return lambda r: spec.text(r).casefold()

    # -- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, spec = self._shown[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tip(row) if spec.tip is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and spec.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and spec.colour is not None:
            return spec.colour(row)
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return self._key(index.column())(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        old_rows = self._shown
        self._sort = (column, order)
        self._shown = self._visible()
        # Selection and current index follow their rows to where the sort put them.
        position = {id(r): n for n, r in enumerate(self._shown)}
        moved_from = self.persistentIndexList()
        moved_to = [
            self.index(position[id(old_rows[old.row()])], old.column()) for old in moved_from
        ]
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()


class _ColumnFitter(QObject):
    """Sizes the columns to their contents the first time rows arrive; after that the
    widths are the user's."""

    def __init__(self, view: QTableView, max_width: int) -> None:
        super().__init__(view)
        self.view, self.max_width = view, max_width
        view.model().modelReset.connect(self._on_reset)

    def _on_reset(self) -> None:
        model = self.view.model()
        if model.rowCount() == 0:
            return
        model.modelReset.disconnect(self._on_reset)
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for column in range(model.columnCount()):
            header.resizeSection(column, min(header.sectionSize(column), self.max_width))


def table_view(
    model: TableModel, parent: QWidget | None = None, max_width: int = 320
) -> QTableView:
    """The table view every page uses: whole rows, one selected, sortable, compact rows,
    columns fitted to the first rows (at most max_width pixels), last column stretched."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    rows = view.verticalHeader()
    rows.hide()
    rows.setDefaultSectionSize(int(view.fontMetrics().height() * 1.5) + 2)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    _ColumnFitter(view, max_width)
    return view
