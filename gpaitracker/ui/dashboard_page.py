"""Dashboard: where the register stands in ten seconds, and a click away from the items behind
each figure. Every figure comes from gpaitracker.metrics, the same as the CLI and the reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gpaitracker import metrics, paths
from gpaitracker.changes import Changes
from gpaitracker.enums import Status
from gpaitracker.metrics import Figures, Pick
from gpaitracker.services import ai_models, records_owed
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.dashboard_charts import (
    DueBars,
    StatusBars,
    Trend,
    WorkloadBars,
    status_legend,
)
from gpaitracker.ui.messages import CrashDialog, show_error
from gpaitracker.ui.register_model import status_label

LARGE_TYPE_KEY = "dashboard/large_type"
LARGE = 1.6
OWED_DAYS = 30  # the owed tile counts what falls due within this many days, and what is late


class Tile(QPushButton):
    """A headline figure; clicking it shows the items behind it in the register."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = caption
        self.value = QLabel("\u2013")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel(caption)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        self.setMinimumHeight(96)
        self.set_scale(1.0)

    def set_scale(self, scale: float) -> None:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 2.4 * scale)
        font.setBold(True)
        self.value.setFont(font)
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * scale)
        self.detail.setFont(small)
        self.setMinimumHeight(int(96 * scale))

    def show_value(self, value: str, detail: str, colour: str | None = None) -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.value.setStyleSheet(f"color: {colour};" if colour else "")
        self.setAccessibleName(f"{self.caption}: {value}")


class DashboardPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.title = self.tr("Dashboard")
        self.figures: Figures | None = None
        self._stale = True
        self._loading = False
        self.model_combo = QComboBox()
        self.model_combo.setToolTip(self.tr("Show one model or all of them"))
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.as_of_edit = QDateEdit(QDate.currentDate())
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of_edit.setToolTip(self.tr("The register as it stood at the end of this day"))
        self.today_button = QPushButton(self.tr("&Today"))
        self.large_check = QCheckBox(self.tr("&Large type"))
        self.large_check.setToolTip(self.tr("Bigger figures and labels, for a projector"))
        self.status_label = QLabel(self.tr("Loading the register…"))
        self.tiles = {
            "done": Tile(self.tr("done")),
            "overdue": Tile(self.tr("overdue")),
            "due_30": Tile(self.tr("due in the next 30 days")),
            "coverage": Tile(self.tr("evidence coverage")),
            "owed": Tile(self.tr("incident reports and request answers owed")),
        }
        self.chapter_chart = StatusBars(self.tr("Status by chapter"))
        self.model_chart = StatusBars(self.tr("Status by model"))
        self.trend_chart = Trend(self.tr("Done and overdue, week by week"))
        self.due_chart = DueBars(self.tr("Open items due, by week"))
        self.workload_chart = WorkloadBars(self.tr("Workload: open items per owner"))
        self.legend_label = QLabel(status_legend())
        self._build()
        self._connect()
        self.large_check.setChecked(bool(QSettings().value(LARGE_TYPE_KEY, False, type=bool)))
        self._apply_scale()

    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("&Model:")))
        bar.itemAt(0).widget().setBuddy(self.model_combo)  # type: ignore[attr-defined]
        bar.addWidget(self.model_combo)
        as_of = QLabel(self.tr("&As of:"))
        as_of.setBuddy(self.as_of_edit)
        bar.addWidget(as_of)
        bar.addWidget(self.as_of_edit)
        bar.addWidget(self.today_button)
        bar.addWidget(self.large_check)
        bar.addStretch(1)
        bar.addWidget(self.status_label)
        tiles = QHBoxLayout()
        for tile in self.tiles.values():
            tiles.addWidget(tile)
        self.charts = QGridLayout()
        self.charts.addWidget(self.legend_label, 0, 0, 1, 2, Qt.AlignmentFlag.AlignCenter)
        self._place_charts(columns=3)
        area = QWidget()
        area.setLayout(self.charts)
        self.scroll = QScrollArea()
        self.scroll.setWidget(area)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(tiles)
        layout.addWidget(self.scroll, 1)

    def _place_charts(self, columns: int) -> None:
        """Three charts a row; two in large type, where the page scrolls instead of cramming."""
        grid = self.charts
        first, second, third, fourth, wide = (
            self.chapter_chart,
            self.model_chart,
            self.trend_chart,
            self.due_chart,
            self.workload_chart,
        )
        for chart in (first, second, third, fourth, wide):
            grid.removeWidget(chart)
        if columns == 3:
            places = [(first, 1, 0, 1), (second, 1, 1, 1), (third, 1, 2, 1), (fourth, 2, 0, 1)]
            places.append((wide, 2, 1, 2))
        else:
            places = [(first, 1, 0, 1), (second, 1, 1, 1), (third, 2, 0, 1), (fourth, 2, 1, 1)]
            places.append((wide, 3, 0, 2))
        for chart, row, column, span in places:
            grid.addWidget(chart, row, column, 1, span)
        for row in (1, 2, 3):
            grid.setRowStretch(row, 1 if row <= (2 if columns == 3 else 3) else 0)

    def _connect(self) -> None:
        self.model_combo.currentIndexChanged.connect(self._on_scope_changed)
        self.as_of_edit.dateChanged.connect(self._on_scope_changed)
        self.today_button.clicked.connect(self._on_today)
        self.large_check.toggled.connect(self._on_large_toggled)
        for name, tile in self.tiles.items():
            tile.clicked.connect(lambda _=False, n=name: self._on_tile(n))
        self.chapter_chart.picked.connect(self._on_chapter_picked)
        self.model_chart.picked.connect(self._on_model_picked)
        self.workload_chart.picked.connect(self._on_workload_picked)
        self.due_chart.picked.connect(self._on_due_picked)

    # --- loading ---------------------------------------------------------------------------

    def refresh(self, changes: Changes | None) -> None:
        """Reload the figures; while hidden, only note that they are stale."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh(None)

    def as_of(self) -> dt.date:
        return self.as_of_edit.date().toPython()  # type: ignore[no-any-return]

    def model_ids(self) -> tuple[int, ...] | None:
        data = self.model_combo.currentData()
        return (int(data),) if data is not None else None

    def _load(self) -> None:
        ws, as_of, model_ids = self.ctx.ws, self.as_of(), self.model_ids()
        self.status_label.setText(self.tr("Loading the register…"))
        self._loading = True

        def job(_progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            models = ws.read(ai_models.list_models)
            figs = ws.read(
                metrics.figures,
                as_of=as_of,
                model_ids=model_ids,
                cache_dir=paths.cache_dir(ws.home),
                cancelled=cancelled,
            )
            owed = ws.read(
                records_owed.owed, today=as_of, until=as_of + dt.timedelta(days=OWED_DAYS)
            )
            if model_ids is not None:
                slugs = {m.slug for m in models if m.id in model_ids}
                owed = [o for o in owed if o.model in slugs]
            return models, figs, owed

        self.ctx.worker.start(
            job, finished=self._on_loaded, failed=self._on_failed, crashed=self._on_crashed
        )

    def _on_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.status_label.setText(self.tr("The figures could not be loaded."))
        show_error(self, str(exc))

    def _on_crashed(self, report: str) -> None:
        self._loading = False
        self.status_label.setText(self.tr("The figures could not be loaded."))
        CrashDialog.show_for(self, report)

    def _on_loaded(
        self, result: tuple[list[ai_models.ModelRow], Figures, list[records_owed.Owed]]
    ) -> None:
        models, figs, owed = result
        self.owed = owed
        self._loading = False
        self._fill_models(models)
        self.figures = figs
        self.status_label.setText(
            self.tr("%1 items apply on %2")
            .replace("%1", str(figs.total))
            .replace("%2", figs.as_of.isoformat())
        )
        self.tiles["done"].show_value(
            f"{figs.percent_done:.0f}%",
            self.tr("done: %1 of %2 items")
            .replace("%1", str(figs.done))
            .replace("%2", str(figs.total - figs.not_applicable)),
            "#2e9e48",
        )
        self.tiles["overdue"].show_value(
            str(figs.overdue), self.tr("overdue"), "#d83b3b" if figs.overdue else None
        )
        self.tiles["due_30"].show_value(
            str(figs.due_30), self.tr("due in the next 30 days"), "#b37b00" if figs.due_30 else None
        )
        self.tiles["coverage"].show_value(
            f"{figs.evidence_coverage:.0f}%",
            self.tr("with valid evidence: %1 of %2")
            .replace("%1", str(figs.evidence_covered))
            .replace("%2", str(figs.evidence_base)),
        )
        late = sum(o.late for o in owed)
        self.tiles["owed"].show_value(
            str(len(owed)),
            self.tr("incident reports and answers owed, %1 late").replace("%1", str(late)),
            "#d83b3b" if late else None,
        )
        self.tiles["owed"].setToolTip(
            self.tr(
                "Serious-incident reports and answers to requests (AI Office, downstream "
                "providers, the Art. 52(1) notification) due within %1 days or late"
            ).replace("%1", str(OWED_DAYS))
        )
        self.chapter_chart.show_groups(figs.by_chapter)
        self.model_chart.show_groups(figs.by_model)
        self.trend_chart.show_trend(figs.history)
        self.due_chart.show_due(figs.as_of, [i.due for i in figs.upcoming if i.due])
        self.workload_chart.show_loads(figs.workload)

    def _fill_models(self, models: list[ai_models.ModelRow]) -> None:
        current = self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItem(self.tr("All models"), None)
        for m in models:
            if not m.retired:
                self.model_combo.addItem(m.name, m.id)
        self.model_combo.setCurrentIndex(max(self.model_combo.findData(current), 0))
        self.model_combo.blockSignals(False)

    # --- scope and type size ---------------------------------------------------------------

    def _on_scope_changed(self, *_: object) -> None:
        if self.isVisible():
            self._load()
        else:
            self._stale = True

    def _on_today(self) -> None:
        self.as_of_edit.setDate(QDate.currentDate())

    def _on_large_toggled(self, on: bool) -> None:
        QSettings().setValue(LARGE_TYPE_KEY, on)
        self._apply_scale()

    def _apply_scale(self) -> None:
        scale = LARGE if self.large_check.isChecked() else 1.0
        for tile in self.tiles.values():
            tile.set_scale(scale)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * scale)
        self.legend_label.setFont(font)
        self._place_charts(columns=2 if scale > 1 else 3)
        for chart in (
            self.chapter_chart,
            self.model_chart,
            self.trend_chart,
            self.due_chart,
            self.workload_chart,
        ):
            chart.set_scale(scale)

    # --- clicks: the register shows exactly the items behind a figure ----------------------

    def _on_tile(self, name: str) -> None:
        figs = self.figures
        if figs is None:
            return
        if name == "owed":  # records, not items: their own page
            self.ctx.bus.show_page.emit("records")
            return
        if name == "overdue":
            self._show([i.id for i in figs.overdue_items], self.tr("Overdue"))
        elif name == "due_30":
            until = figs.as_of + dt.timedelta(days=30)
            ids = [i.id for i in figs.upcoming if i.due is not None and i.due <= until]
            self._show(ids, self.tr("Due in the next 30 days"))
        elif name == "done":
            self._pick(Pick(status=Status.DONE.value), self.tr("Done"))
        else:
            self._pick(Pick(without_evidence=True), self.tr("Without valid evidence"))

    def _on_chapter_picked(self, status: Status, row: int) -> None:
        group = self.chapter_chart.groups[row]
        self._pick(
            Pick(chapter=group.name, status=status.value),
            f"{group.name}: {status_label(status)}",
        )

    def _on_model_picked(self, status: Status, row: int) -> None:
        group = self.model_chart.groups[row]
        self._pick(
            Pick(model_id=group.ref, status=status.value), f"{group.name}: {status_label(status)}"
        )

    def _on_workload_picked(self, kind: str, row: int) -> None:
        load = self.workload_chart.loads[row]
        if kind == "overdue":
            self._pick(Pick(owner_id=load.owner_id, overdue=True), f"{load.owner}: overdue")
        else:
            self._pick(Pick(owner_id=load.owner_id, open_only=True), f"{load.owner}: open")

    def _on_due_picked(self, _kind: str, row: int) -> None:
        figs = self.figures
        if figs is None:
            return
        start = self.due_chart.starts[row]
        end = start + dt.timedelta(days=6)
        ids = [i.id for i in figs.upcoming if i.due is not None and start <= i.due <= end]
        self._show(
            ids,
            self.tr("Due %1 to %2").replace("%1", start.isoformat()).replace("%2", end.isoformat()),
        )

    def _pick(self, choice: Pick, caption: str) -> None:
        ws, as_of, model_ids = self.ctx.ws, self.as_of(), self.model_ids()

        def job(_progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> object:
            return ws.read(metrics.pick, choice=choice, as_of=as_of, model_ids=model_ids), caption

        self.ctx.worker.start(
            job, finished=self._on_picked, failed=self._on_failed, crashed=self._on_crashed
        )

    def _on_picked(self, result: tuple[tuple[int, ...], str]) -> None:
        self._show(list(result[0]), result[1])

    def _show(self, ids: list[int], caption: str) -> None:
        self.ctx.bus.show_items.emit(tuple(ids), caption)
