"""The register as a table model: 50,000 rows sorted and filtered in Python, formatted on demand.

Sorting and filtering happen here, not in a QSortFilterProxyModel (which took 10-20 s on a
Python model this size). The model keeps every loaded row (`_rows`, load order), a sorted
permutation of them (`_order`) and the filtered part of it (`_visible`). Sort keys are small
integers computed once per column and load, so a sort is a list sort of ints. Re-sorting and
re-filtering keep the selection: persistent indexes follow their row id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

from gpaitracker import workflow
from gpaitracker.enums import Status
from gpaitracker.services.queries import RegisterRow, inactive_reason, natural_key

KEY, TITLE, MODEL, CHAPTER, OWNER, REVIEWER, DUE, STATUS, RAG, EVIDENCE = range(10)
COLUMN_COUNT = 10
ID_ROLE = Qt.ItemDataRole.UserRole  # the row's requirement id
UNASSIGNED = 0  # RowFilter.owner_id for "items nobody owns" (row ids start at 1)

# Mid-tone colours read on light and dark backgrounds alike; tints blend with the base colour.
RAG_COLOURS = {"red": "#d83b3b", "amber": "#e8a100", "green": "#2e9e48", "grey": "#8c8c8c"}
_RAG_ORDER = {"red": 0, "amber": 1, "green": 2, "grey": 3}
_STATUS_ORDER = {s: i for i, s in enumerate(Status)}
_TINT_ALPHA = 56
_Index = QModelIndex | QPersistentModelIndex
# PySide6 emits a layout signal's arguments only through its explicit overload.
_LAYOUT_ARGS = "QList<QPersistentModelIndex>,QAbstractItemModel::LayoutChangeHint"
_NO_HINT = QAbstractItemModel.LayoutChangeHint.NoLayoutChangeHint


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    return QCoreApplication.translate("RegisterModel", text, disambiguation, n)


def column_titles() -> list[str]:
    return [
        tr("Key"),
        tr("Title"),
        tr("Model"),
        tr("Chapter"),
        tr("Owner"),
        tr("Reviewer"),
        tr("Due"),
        tr("Status"),
        tr("RAG"),
        tr("Evidence"),
    ]


def status_label(status: Status) -> str:
    labels = {
        Status.NOT_STARTED: tr("Not started"),
        Status.IN_PROGRESS: tr("In progress"),
        Status.IN_REVIEW: tr("In review"),
        Status.DONE: tr("Done"),
        Status.BLOCKED: tr("Blocked"),
        Status.NOT_APPLICABLE: tr("Not applicable"),
    }
    return labels[status]


def rag_label(rag: str) -> str:
    return {"red": tr("Red"), "amber": tr("Amber"), "green": tr("Green")}.get(rag, tr("Grey"))


def rag_meaning(rag: str) -> str:
    return {
        "red": tr("Overdue or blocked"),
        "amber": tr("Due within %n days", "", workflow.AMBER_DAYS),
        "green": tr("On track or closed"),
    }.get(rag, tr("No longer applies"))


def is_active(row: RegisterRow) -> bool:
    return row.applicable and not row.withdrawn


def is_overdue(row: RegisterRow, today: dt.date) -> bool:
    return row.due is not None and row.due < today and row.status not in workflow.CLOSED


@dataclass(frozen=True)
class RowFilter:
    """What the filter bar asks for; every field narrows the rows shown."""

    text: str = ""  # in the key, title or owner (case-insensitive)
    text_ids: frozenset[int] | None = None  # items the database matched for text (summary...)
    status: Status | None = None
    owner_id: int | None = None  # UNASSIGNED for items without an owner
    model_id: int | None = None
    chapter: str | None = None
    overdue: bool = False
    due_within: int | None = None  # open items due within this many days (overdue included)
    include_inactive: bool = False  # items that no longer apply or were withdrawn
    only_ids: frozenset[int] | None = None  # exactly these items (a dashboard figure's)

    def with_text_ids(self, ids: frozenset[int] | None) -> RowFilter:
        return replace(self, text_ids=ids)


def _ranks(values: Sequence[Any], key: Callable[[Any], Any] | None = None) -> list[int]:
    """Each value's rank among the distinct values (None last): sorting ints is fast."""
    distinct = sorted({v for v in values if v is not None}, key=key)
    rank = {v: i for i, v in enumerate(distinct)}
    last = len(distinct)
    return [rank.get(v, last) for v in values]


def _casefold_ranks(values: Sequence[str | None]) -> list[int]:
    return _ranks(values, key=lambda v: (v.casefold(), v))


def _key_ranks(rows: Sequence[RegisterRow]) -> list[int]:
    """Model slug, then code in natural order (COP-SS-2.1 before COP-SS-10.1), then #n."""
    slugs = _ranks([r.model_slug for r in rows], key=natural_key)
    codes = _ranks([r.code for r in rows], key=natural_key)
    occurrence = [int(r.key.rpartition("#")[2]) if "#" in r.key else 1 for r in rows]
    return [(s << 40) + (c << 20) + o for s, c, o in zip(slugs, codes, occurrence, strict=True)]


_SORT_KEYS: dict[int, Callable[[Sequence[RegisterRow]], list[int]]] = {
    KEY: _key_ranks,
    TITLE: lambda rows: _casefold_ranks([r.title for r in rows]),
    MODEL: lambda rows: _casefold_ranks([r.model for r in rows]),
    CHAPTER: lambda rows: _ranks([r.chapter for r in rows], key=natural_key),
    OWNER: lambda rows: _casefold_ranks([r.owner for r in rows]),
    REVIEWER: lambda rows: _casefold_ranks([r.reviewer for r in rows]),
    DUE: lambda rows: _ranks([r.due for r in rows]),
    STATUS: lambda rows: [_STATUS_ORDER[r.status] for r in rows],
    RAG: lambda rows: [_RAG_ORDER.get(r.rag, 4) for r in rows],
    EVIDENCE: lambda rows: [r.evidence_count for r in rows],
}


class RegisterModel(QAbstractTableModel):
    """Register rows for a QTableView; sorts and filters itself, formats only what is asked."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RegisterRow] = []
        self._at: dict[int, int] = {}  # row id -> index in _rows
        self._active = bytearray()  # 1 where _rows[i] applies and was not withdrawn
        self._order: list[int] = []
        self._visible: list[int] = []
        self._sort_keys: dict[int, list[int]] = {}
        self._haystack: list[str] | None = None
        self._overdue: tuple[dt.date, bytearray] | None = None  # 1 where _rows[i] is overdue
        self._counts: tuple[dt.date, tuple[int, int, int]] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._filter = RowFilter()
        self._titles = column_titles()
        self._italic: QFont | None = None
        self._dots: dict[str, QIcon] = {}
        self._tints = {rag: QColor(c) for rag, c in RAG_COLOURS.items() if rag != "grey"}
        for colour in self._tints.values():
            colour.setAlpha(_TINT_ALPHA)

    # --- Qt model interface -------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < COLUMN_COUNT:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._titles[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == RAG:
                return tr("Red: overdue or blocked. Amber: due soon. Green: on track or closed.")
            return tr("Click to sort; right-click to choose the columns")
        return None

    # flags() is QAbstractTableModel's (enabled, selectable): Qt asks it for every cell of a
    # whole-table selection, 500,000 calls at 50,000 rows, which a Python override makes slow.

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._visible):
            return None
        row = self._rows[self._visible[index.row()]]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == RAG:
            return self._dot(row.rag)
        if role == Qt.ItemDataRole.BackgroundRole and column in (STATUS, RAG):
            tint = self._tints.get(row.rag)
            return QBrush(tint) if tint is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == EVIDENCE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if not is_active(row):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QGuiApplication.palette().brush(
                    QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
                )
            if role == Qt.ItemDataRole.FontRole:
                return self._italic_font()
        return None

    def _display(self, row: RegisterRow, column: int) -> str | int | None:
        if column == KEY:
            return row.key
        if column == TITLE:
            return row.title
        if column == MODEL:
            return row.model
        if column == CHAPTER:
            return row.chapter or ""
        if column == OWNER:
            return row.owner or ""
        if column == REVIEWER:
            return row.reviewer or ""
        if column == DUE:
            return row.due.isoformat() if row.due else ""
        if column == STATUS:
            return status_label(row.status)
        if column == RAG:
            return rag_label(row.rag)
        return row.evidence_count

    def _tooltip(self, row: RegisterRow, column: int) -> str | None:
        reason = inactive_reason(row)
        if reason is not None:
            return tr("No longer active: {reason}").format(reason=reason)
        if column in (KEY, TITLE):
            return f"{row.title}\n{row.reference}"
        if column == RAG:
            return rag_meaning(row.rag)
        return None

    def _dot(self, rag: str) -> QIcon:
        icon = self._dots.get(rag)
        if icon is None:
            pixmap = QPixmap(12, 12)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(RAG_COLOURS.get(rag, RAG_COLOURS["grey"])))
            painter.drawEllipse(1, 1, 10, 10)
            painter.end()
            icon = self._dots[rag] = QIcon(pixmap)
        return icon

    def _italic_font(self) -> QFont:
        if self._italic is None:
            self._italic = QFont(QGuiApplication.font())
            self._italic.setItalic(True)
        return self._italic

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column not in _SORT_KEYS:
            return
        self._sort = (column, order)
        self._relayout(self._resort, QAbstractItemModel.LayoutChangeHint.VerticalSortHint)

    # --- rows -----------------------------------------------------------------------------

    def set_rows(self, rows: Iterable[RegisterRow]) -> None:
        """Show these rows (sorted and filtered as now); the selection follows row ids."""
        rows = list(rows)
        if not self.persistentIndexList():
            self.beginResetModel()
            self._load(rows)
            self.endResetModel()
        else:
            self._relayout(lambda: self._load(rows))

    def update_rows(self, ids: Iterable[int], rows: Iterable[RegisterRow]) -> None:
        """Replace the rows with these ids by rows (a partial reload); ids not in rows are gone.

        Rows keep their place until the next sort; rows that stop or start matching the
        filter leave or join the view.
        """
        fresh = {r.id: r for r in rows}
        wanted = set(ids) | set(fresh)
        if any(i not in self._at for i in fresh) or any(i not in fresh for i in wanted):
            merged = [fresh.get(r.id, r) for r in self._rows if r.id in fresh or r.id not in wanted]
            merged += [r for i, r in fresh.items() if i not in self._at]
            self._relayout(lambda: self._load(merged, keep_order=True))
            return
        before = set(self._visible)
        changed = [self._at[i] for i in fresh]
        for i in changed:
            self._rows[i] = fresh[self._rows[i].id]
            self._active[i] = is_active(self._rows[i])
            if self._haystack is not None:
                self._haystack[i] = _haystack(self._rows[i])
        self._sort_keys.clear()
        self._overdue = self._counts = None
        kept = set(self._filtered(changed))
        if any((i in kept) != (i in before) for i in changed):
            self._relayout(self._refilter)
            return
        position = {m: v for v, m in enumerate(self._visible)}
        shown = [position[i] for i in changed if i in position]
        if shown:
            self.dataChanged.emit(
                self.index(min(shown), 0), self.index(max(shown), COLUMN_COUNT - 1)
            )

    def set_filter(self, row_filter: RowFilter) -> None:
        if row_filter == self._filter:
            return
        old, self._filter = self._filter, row_filter
        # Typing on narrows the rows already shown: filter those instead of all of them.
        narrowing = (
            old.text.strip()
            and row_filter.text.strip().casefold().startswith(old.text.strip().casefold())
            and row_filter.text_ids is None
            and replace(row_filter, text=old.text, text_ids=old.text_ids) == old
        )
        if narrowing:
            self._relayout(lambda: self._show(self._filtered(self._visible)))
        else:
            self._relayout(self._refilter)

    @property
    def row_filter(self) -> RowFilter:
        return self._filter

    def row_at(self, view_row: int) -> RegisterRow:
        return self._rows[self._visible[view_row]]

    def row_by_id(self, row_id: int) -> RegisterRow | None:
        at = self._at.get(row_id)
        return self._rows[at] if at is not None else None

    def view_row_of(self, row_id: int) -> int | None:
        at = self._at.get(row_id)
        if at is None:
            return None
        try:
            return self._visible.index(at)
        except ValueError:
            return None

    @property
    def rows(self) -> list[RegisterRow]:
        """Every loaded row, shown or not, in load order."""
        return list(self._rows)

    def chapters(self) -> list[str]:
        return sorted({r.chapter for r in self._rows if r.chapter}, key=natural_key)

    def overdue_total(self, today: dt.date | None = None) -> int:
        """Overdue items in the whole register (those that apply), whatever the filter."""
        flags = self._overdue_flags(today or dt.date.today())
        both = int.from_bytes(flags, "big") & int.from_bytes(self._active, "big")
        return both.bit_count()  # each byte is 0 or 1

    def _overdue_flags(self, today: dt.date) -> bytearray:
        if self._overdue is None or self._overdue[0] != today:
            self._overdue = today, bytearray(is_overdue(r, today) for r in self._rows)
        return self._overdue[1]

    def counts(self, today: dt.date | None = None) -> tuple[int, int, int]:
        """Rows shown, rows the inactive toggle allows, overdue rows shown."""
        today = today or dt.date.today()
        # A sort leaves the counts as they were: they are kept until the rows shown change.
        if self._counts is None or self._counts[0] != today:
            overdue = sum(map(self._overdue_flags(today).__getitem__, self._visible))
            include = self._filter.include_inactive
            total = len(self._rows) if include else self._active.count(1)
            self._counts = today, (len(self._visible), total, overdue)
        return self._counts[1]

    # --- sorting and filtering ------------------------------------------------------------

    def _load(self, rows: list[RegisterRow], keep_order: bool = False) -> None:
        old_ids = [self._rows[i].id for i in self._order] if keep_order else []
        self._rows = rows
        self._at = {r.id: i for i, r in enumerate(rows)}
        self._active = bytearray(is_active(r) for r in rows)
        self._sort_keys.clear()
        self._haystack = None
        self._overdue = None
        if keep_order:
            # Known rows keep their place; new ones go where the current sort puts them.
            known = [self._at[i] for i in old_ids if i in self._at]
            seen = set(known)
            self._order = known + [i for i in range(len(rows)) if i not in seen]
            if len(seen) < len(rows) and self._sort is not None:
                self._resort(refilter=False)
        else:
            self._order = list(range(len(rows)))
            if self._sort is not None:
                self._resort(refilter=False)
        self._show(self._filtered(self._order))

    def _resort(self, refilter: bool = True) -> None:
        assert self._sort is not None
        column, order = self._sort
        keys = self._sort_keys.get(column)
        if keys is None:
            keys = self._sort_keys[column] = _SORT_KEYS[column](self._rows)
        self._order.sort(key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
        if refilter:
            shown = bytearray(len(self._rows))
            for i in self._visible:
                shown[i] = 1
            self._visible = [i for i in self._order if shown[i]]

    def _refilter(self) -> None:
        self._show(self._filtered(self._order))

    def _show(self, visible: list[int]) -> None:
        self._visible = visible
        self._counts = None

    def _filtered(self, indexes: list[int]) -> list[int]:
        """The indexes (into _rows) whose rows match the filter, in the order given."""
        f, rows = self._filter, self._rows
        today = dt.date.today()
        keep = indexes
        if f.status == Status.NOT_APPLICABLE:
            # As in the database query: re-scoped items do not apply whatever their status.
            keep = [
                i for i in keep if rows[i].status == Status.NOT_APPLICABLE or not rows[i].applicable
            ]
        else:
            if not f.include_inactive:
                active = self._active
                keep = [i for i in keep if active[i]]
            if f.status is not None:
                keep = [i for i in keep if rows[i].status == f.status]
        if f.only_ids is not None:
            only = f.only_ids
            keep = [i for i in keep if rows[i].id in only]
        if f.owner_id is not None:
            owner = None if f.owner_id == UNASSIGNED else f.owner_id
            keep = [i for i in keep if rows[i].owner_id == owner]
        if f.model_id is not None:
            keep = [i for i in keep if rows[i].model_id == f.model_id]
        if f.chapter is not None:
            keep = [i for i in keep if rows[i].chapter == f.chapter]
        if f.overdue:
            keep = [i for i in keep if is_overdue(rows[i], today)]
        if f.due_within is not None:
            until = today + dt.timedelta(days=f.due_within)
            keep = [i for i in keep if _open_due_by(rows[i], until)]
        text = f.text.strip().casefold()
        if text:
            hay = self._haystack_list()
            if f.text_ids:
                at = self._at
                also = {at[i] for i in f.text_ids if i in at}
                keep = [i for i in keep if text in hay[i] or i in also]
            else:
                keep = [i for i in keep if text in hay[i]]
        return keep

    def _haystack_list(self) -> list[str]:
        if self._haystack is None:
            self._haystack = [_haystack(r) for r in self._rows]
        return self._haystack

    def _relayout(
        self,
        change: Callable[[], None],
        hint: QAbstractItemModel.LayoutChangeHint = _NO_HINT,
    ) -> None:
        """Change order or membership; persistent indexes (selection, current) follow ids."""
        self.layoutAboutToBeChanged[_LAYOUT_ARGS].emit([], hint)
        old = self.persistentIndexList()
        ids = [
            self._rows[self._visible[p.row()]].id if 0 <= p.row() < len(self._visible) else None
            for p in old
        ]
        change()
        if old:
            rows = self._rows
            position = {rows[m].id: v for v, m in enumerate(self._visible)}
            new = []
            for p, row_id in zip(old, ids, strict=True):
                at = position.get(row_id) if row_id is not None else None
                new.append(self.index(at, p.column()) if at is not None else QModelIndex())
            self.changePersistentIndexList(old, new)
        self.layoutChanged[_LAYOUT_ARGS].emit([], hint)


def _haystack(row: RegisterRow) -> str:
    return f"{row.key}\n{row.title}\n{row.owner or ''}".casefold()


def _open_due_by(row: RegisterRow, until: dt.date) -> bool:
    return row.due is not None and row.due <= until and row.status not in workflow.CLOSED
