"""Dashboard: where the register stands, in a few figures and the items that need attention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.changes import Changes
from gpaitracker.enums import Status
from gpaitracker.services import queries
from gpaitracker.ui.context import UiContext

ATTENTION_ROWS = 25


class Figures(NamedTuple):
    applicable: int
    done: int
    overdue: int
    due_30: int
    in_review: int
    blocked: int
    per_model: list[tuple[str, int, int, int]]  # model, items, done, overdue
    attention: list[queries.RegisterRow]  # overdue or blocked, most overdue first


def figures(rows: list[queries.RegisterRow], today: dt.date) -> Figures:
    """The dashboard's figures from the register rows (items that apply only)."""
    active = [r for r in rows if r.rag != "grey"]
    closed = {Status.DONE, Status.NOT_APPLICABLE}
    overdue = [r for r in active if r.due is not None and r.due < today and r.status not in closed]
    soon = today + dt.timedelta(days=30)
    models: dict[str, list[int]] = {}
    for r in active:
        counts = models.setdefault(r.model, [0, 0, 0])
        counts[0] += 1
        counts[1] += r.status == Status.DONE
        counts[2] += r.due is not None and r.due < today and r.status not in closed
    attention = sorted(
        [r for r in active if r.rag == "red"], key=lambda r: (r.due is None, r.due or today)
    )
    return Figures(
        applicable=len(active),
        done=sum(r.status in closed for r in active),
        overdue=len(overdue),
        due_30=sum(
            r.due is not None and today <= r.due <= soon and r.status not in closed for r in active
        ),
        in_review=sum(r.status == Status.IN_REVIEW for r in active),
        blocked=sum(r.status == Status.BLOCKED for r in active),
        per_model=[(m, c[0], c[1], c[2]) for m, c in sorted(models.items())],
        attention=attention[:ATTENTION_ROWS],
    )


class Tile(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("\u2013")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class DashboardPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.title = self.tr("Dashboard")
        self.tiles = {
            "done": Tile(self.tr("done or not applicable")),
            "overdue": Tile(self.tr("overdue")),
            "due_30": Tile(self.tr("due in the next 30 days")),
            "in_review": Tile(self.tr("waiting for review")),
            "blocked": Tile(self.tr("blocked")),
        }
        grid = QGridLayout()
        for n, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, 0, n)
        self.models_table = self._table(
            [self.tr("Model"), self.tr("Items"), self.tr("Done"), self.tr("Overdue")]
        )
        self.attention_table = self._table(
            [self.tr("Key"), self.tr("Title"), self.tr("Owner"), self.tr("Due"), self.tr("Status")]
        )
        self.attention_table.setToolTip(self.tr("Double-click to open the item in the register"))
        header = self.attention_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the title takes the rest
        self.loading = QLabel(self.tr("Loading the register…"))
        tables = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(QLabel(self.tr("<b>By model</b>")))
        left.addWidget(self.models_table)
        right.addWidget(QLabel(self.tr("<b>Needs attention</b> (overdue or blocked)")))
        right.addWidget(self.attention_table)
        tables.addLayout(left, 2)
        tables.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.loading)
        layout.addLayout(grid)
        layout.addLayout(tables, 1)
        self._connect()
        self.refresh(None)

    def _table(self, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def _connect(self) -> None:
        self.attention_table.cellDoubleClicked.connect(self._on_attention_opened)

    def refresh(self, changes: Changes | None) -> None:
        """Reload the figures; while the page is hidden, only note that they are stale (the
        register page loads the same 50,000 rows at start-up; no need to do it twice)."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        today = dt.date.today()
        ws = self.ctx.ws

        def job(_progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> Figures:
            rows = ws.read(queries.list_rows, filters=queries.Filters(include_inactive=True))
            return figures(rows, today)

        self.ctx.worker.start(job, finished=self._on_loaded)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if getattr(self, "_stale", True):
            self.refresh(None)

    def _on_loaded(self, result: Figures) -> None:
        self.loading.hide()
        share = f"{100 * result.done // result.applicable}%" if result.applicable else "\u2013"
        values = {
            "done": share,
            "overdue": result.overdue,
            "due_30": result.due_30,
            "in_review": result.in_review,
            "blocked": result.blocked,
        }
        for name, value in values.items():
            self.tiles[name].value.setText(str(value))
        self.tiles["done"].setToolTip(
            self.tr("%1 of %2 items that apply")
            .replace("%1", str(result.done))
            .replace("%2", str(result.applicable))
        )
        self._fill(self.models_table, [[m, n, d, o] for m, n, d, o in result.per_model])
        self._fill(
            self.attention_table,
            [
                [
                    r.key,
                    r.title,
                    r.owner or "\u2013",
                    r.due.isoformat() if r.due else "\u2013",
                    r.status.value,
                ]
                for r in result.attention
            ],
        )
        self._attention_ids = [r.id for r in result.attention]

    def _fill(self, table: QTableWidget, rows: list[list[object]]) -> None:
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if isinstance(value, int):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(r, c, item)

    def _on_attention_opened(self, row: int, _column: int) -> None:
        ids = getattr(self, "_attention_ids", [])
        if 0 <= row < len(ids):
            self.ctx.bus.item_selected.emit(ids[row])
            window = self.window()
            nav = getattr(window, "nav", None)
            pages = getattr(window, "PAGES", None)
            if nav is not None and pages is not None:
                nav.setCurrentRow(pages.index("register"))
