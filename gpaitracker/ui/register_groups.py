"""The register grouped by model (and chapter): a tree model over the RegisterModel.

The RegisterModel stays the source of rows, sort order and filter: groups are built from the
rows it shows, in its order, each time its rows or their order change. Leaves are its rows and
are formatted by it. No per-leaf objects are made, so a rebuild at 50,000 rows is one pass.

An index's internal id is the number of its parent group (0: the root), so parent() is a
lookup. Across rebuilds, persistent indexes (selection, current, expanded groups) follow their
group key or item id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from gpaitracker.services.queries import RegisterRow, natural_key
from gpaitracker.ui import register_model as rm

GROUP_KEY = "register/group_by"
_Index = QModelIndex | QPersistentModelIndex
_NO_HINT = QAbstractItemModel.LayoutChangeHint.NoLayoutChangeHint
_LAYOUT_ARGS = "QList<QPersistentModelIndex>,QAbstractItemModel::LayoutChangeHint"


class GroupBy(Enum):
    NONE = "none"
    MODEL = "model"
    CHAPTER = "chapter"  # model, then chapter

    @classmethod
    def parse(cls, value: object) -> GroupBy:
        try:
            return cls(value)
        except ValueError:
            return cls.NONE


def group_by_label(group_by: GroupBy) -> str:
    return {
        GroupBy.NONE: rm.tr("No grouping"),
        GroupBy.MODEL: rm.tr("Group by model"),
        GroupBy.CHAPTER: rm.tr("Group by model and chapter"),
    }[group_by]


@dataclass
class _Group:
    parent: int  # the parent group's number; -1 for the root
    row: int  # place under the parent
    key: tuple[Any, ...]  # (model id,) or (model id, chapter): stable across rebuilds
    label: str
    groups: list[int] = field(default_factory=list)  # sub-groups' numbers, or ...
    leaves: list[int] = field(default_factory=list)  # ... the source's view rows
    items: int = 0
    overdue: int = 0


class GroupModel(QAbstractItemModel):
    """Models, then chapters (when asked), then the register's items, with counts per group."""

    def __init__(self, source: rm.RegisterModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.group_by = GroupBy.NONE
        self._groups: list[_Group] = [_Group(-1, 0, (), "")]
        self._leaf_ids: list[list[int]] = [[]]  # per group: its leaves' item ids
        self._saved: list[tuple[str, Any]] = []
        self._bold: QFont | None = None
        source.modelAboutToBeReset.connect(self.beginResetModel)
        source.modelReset.connect(self._on_reset)
        source.layoutAboutToBeChanged.connect(self._before_change)
        source.layoutChanged.connect(self._after_change)
        source.dataChanged.connect(self._on_data_changed)

    # --- Qt model interface -------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        gid = self._group_of(parent) if parent.isValid() else 0
        return QModelIndex() if gid is None else self.createIndex(row, column, gid)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        gid = index.internalId()
        if gid == 0:
            return QModelIndex()
        group = self._groups[gid]
        return self.createIndex(group.row, 0, group.parent)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._groups[0].groups)
        if parent.column() != 0:
            return 0
        gid = self._group_of(parent)
        if gid is None:
            return 0
        group = self._groups[gid]
        return len(group.groups) or len(group.leaves)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return rm.COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return self.source.headerData(section, orientation, role)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        gid = self._group_of(index)
        if gid is None:
            view_row = self._groups[index.internalId()].leaves[index.row()]
            return self.source.data(self.source.index(view_row, index.column()), role)
        if index.column() != 0:
            return None
        group = self._groups[gid]
        if role == Qt.ItemDataRole.DisplayRole:
            counts = rm.tr("%n item(s)", "", group.items)
            if group.overdue:
                counts += ", " + rm.tr("%n overdue", "", group.overdue)
            return f"{group.label} ({counts})"
        if role == Qt.ItemDataRole.FontRole:
            return self._bold_font()
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source.sort(column, order)  # groups follow the register's order

    # --- queries ------------------------------------------------------------------------

    def row_of(self, index: _Index) -> RegisterRow | None:
        """The register row a leaf shows; None for a group."""
        if not index.isValid() or self._group_of(index) is not None:
            return None
        return self.source.row_at(self._groups[index.internalId()].leaves[index.row()])

    def index_of(self, row_id: int) -> QModelIndex:
        for gid, ids in enumerate(self._leaf_ids):
            if row_id in ids:
                return self.createIndex(ids.index(row_id), 0, gid)
        return QModelIndex()

    def counts(self, index: _Index = QModelIndex()) -> tuple[str, int, int]:
        """A group's label, items and overdue items (the root's for an invalid index)."""
        gid = self._group_of(index) if index.isValid() else 0
        if gid is None:
            raise ValueError("not a group")
        group = self._groups[gid]
        return group.label, group.items, group.overdue

    def set_group_by(self, group_by: GroupBy) -> None:
        if group_by == self.group_by:
            return
        self.beginResetModel()
        self.group_by = group_by
        self._build()
        self.endResetModel()

    # --- building -----------------------------------------------------------------------

    def _group_of(self, index: _Index) -> int | None:
        """The group number an index shows, or None for a leaf."""
        parent = self._groups[index.internalId()]
        if parent.groups:
            return parent.groups[index.row()] if index.row() < len(parent.groups) else None
        return None

    def _build(self) -> None:
        root = _Group(-1, 0, (), "")
        self._groups, self._leaf_ids = [root], [[]]
        if self.group_by == GroupBy.NONE:
            return
        source, today = self.source, dt.date.today()
        by_chapter = self.group_by == GroupBy.CHAPTER
        tops: dict[int, int] = {}
        subs: dict[tuple[int, str | None], int] = {}
        names: dict[int, str] = {}
        for view_row in range(source.rowCount()):
            row = source.row_at(view_row)
            overdue = rm.is_overdue(row, today)
            top = tops.get(row.model_id)
            if top is None:
                top = tops[row.model_id] = self._new(0, (row.model_id,), row.model)
                names[row.model_id] = row.model
            chain = [0, top]
            if by_chapter:
                key = (row.model_id, row.chapter)
                sub = subs.get(key)
                if sub is None:
                    label = row.chapter or rm.tr("No chapter")
                    sub = subs[key] = self._new(top, key, label)
                chain.append(sub)
            for gid in chain:
                self._groups[gid].items += 1
                self._groups[gid].overdue += overdue
            self._groups[chain[-1]].leaves.append(view_row)
            self._leaf_ids[chain[-1]].append(row.id)
        # Models by name, chapters in natural order (COP-SS-2 before COP-SS-10); items keep
        # the register's sort order.
        self._order(0, lambda g: (g.label.casefold(), g.key))
        for top in root.groups:
            self._order(top, lambda g: (g.key[1] is None, natural_key(g.key[1] or "")))

    def _new(self, parent: int, key: tuple[Any, ...], label: str) -> int:
        gid = len(self._groups)
        self._groups.append(_Group(parent, 0, key, label))
        self._leaf_ids.append([])
        self._groups[parent].groups.append(gid)
        return gid

    def _order(self, parent: int, key: Any) -> None:
        group = self._groups[parent]
        group.groups.sort(key=lambda gid: key(self._groups[gid]))
        for row, gid in enumerate(group.groups):
            self._groups[gid].row = row

    def _identity(self, index: QModelIndex) -> tuple[str, Any]:
        gid = self._group_of(index)
        if gid is not None:
            return "g", self._groups[gid].key
        return "i", self._leaf_ids[index.internalId()][index.row()]

    def _on_reset(self) -> None:
        self._build()
        self.endResetModel()

    def _before_change(self, *_: object) -> None:
        self.layoutAboutToBeChanged[_LAYOUT_ARGS].emit([], _NO_HINT)
        self._saved = [self._identity(p) for p in self.persistentIndexList()]

    def _after_change(self, *_: object) -> None:
        old = self.persistentIndexList()
        saved, self._saved = self._saved, []
        self._build()
        if old:
            places: dict[tuple[str, Any], tuple[int, int]] = {}
            for gid, group in enumerate(self._groups):
                if gid:
                    places["g", group.key] = group.row, group.parent
            for gid, ids in enumerate(self._leaf_ids):
                for row, row_id in enumerate(ids):
                    places["i", row_id] = row, gid
            new = []
            for p, identity in zip(old, saved, strict=True):
                at = places.get(identity)
                new.append(self.createIndex(at[0], p.column(), at[1]) if at else QModelIndex())
            self.changePersistentIndexList(old, new)
        self.layoutChanged[_LAYOUT_ARGS].emit([], _NO_HINT)

    def _on_data_changed(self, *_: object) -> None:
        # Rows changed in place: counts may have changed, the groups' members not their place.
        self._before_change()
        self._after_change()

    def _bold_font(self) -> QFont:
        if self._bold is None:
            self._bold = QFont(QGuiApplication.font())
            self._bold.setBold(True)
        return self._bold


class GroupTree(QTreeView):
    """The grouped register: models (and chapters) with their counts, items as leaves."""

    def __init__(self, groups: GroupModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.groups = groups
        self.setModel(groups)
        self.setUniformRowHeights(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setAllColumnsShowFocus(True)
        header = self.header()
        header.setSortIndicator(rm.DUE, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.resizeSection(rm.KEY, 260)
        header.sortIndicatorChanged.connect(groups.sort)  # the register sorts, groups follow
        groups.modelReset.connect(self._expand_models)

    def _expand_models(self) -> None:
        for row in range(self.groups.rowCount()):
            self.expand(self.groups.index(row, 0))

    def share_header(self, table: QHeaderView, to_tree: bool) -> None:
        """Take the table's sort indicator and hidden columns (to_tree), or give it the sort."""
        tree = self.header()
        old, new = (table, tree) if to_tree else (tree, table)
        if to_tree:
            for column in range(rm.COLUMN_COUNT):
                tree.setSectionHidden(column, table.isSectionHidden(column))
        new.blockSignals(True)  # the register is sorted so already
        new.setSortIndicator(old.sortIndicatorSection(), old.sortIndicatorOrder())
        new.blockSignals(False)

    def selected_rows(self) -> list[RegisterRow]:
        found = (self.groups.row_of(i) for i in self.selectionModel().selectedRows())
        return [r for r in found if r is not None]

    def show_item(self, row_id: int) -> bool:
        index = self.groups.index_of(row_id)
        if not index.isValid():
            return False
        flags = self.selectionModel().SelectionFlag
        self.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.scrollTo(index)
        return True
