"""The dashboard's charts (Qt Charts), built from metrics figures; a click names what it hit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QWidget

from gpaitracker.enums import Status
from gpaitracker.metrics import Group, OwnerLoad, WeekPoint
from gpaitracker.ui.register_model import status_label

# One colour per status, used by every chart (and the report's charts use the same hues).
STATUS_COLOURS = {
    Status.DONE: "#2e9e48",
    Status.IN_REVIEW: "#3b7dd8",
    Status.IN_PROGRESS: "#e8a100",
    Status.NOT_STARTED: "#9aa0a6",
    Status.BLOCKED: "#d83b3b",
    Status.NOT_APPLICABLE: "#d5d8dc",
}
CHART_STATUSES = (
    Status.DONE,
    Status.IN_REVIEW,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.BLOCKED,
    Status.NOT_APPLICABLE,
)


MIN_HEIGHT = 220


class Chart(QChartView):
    """A chart view; `picked(series_key, category_index)` when a bar is clicked."""

    picked = Signal(object, int)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_ = QChart()
        self.title = title
        self.chart_.setTitle(title)
        self.chart_.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_.setMargins(QMargins(4, 4, 4, 4))
        self.setChart(self.chart_)
        self.setMinimumHeight(MIN_HEIGHT)
        self.scale = 1.0
        self.categories: list[str] = []

    def clear(self) -> None:
        self.chart_.removeAllSeries()
        for axis in self.chart_.axes():
            self.chart_.removeAxis(axis)

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.setMinimumHeight(round(MIN_HEIGHT * scale))
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * scale)
        title = QFont(font)
        title.setBold(True)
        self.chart_.setTitleFont(title)
        self.chart_.legend().setFont(font)
        for axis in self.chart_.axes():
            axis.setLabelsFont(font)

    def _bar_set(self, name: str, key: object, values: Sequence[int], colour: str) -> QBarSet:
        bar = QBarSet(name)
        bar.append([float(v) for v in values])
        bar.setColor(QColor(colour))
        bar.setBorderColor(QColor(colour))
        bar.clicked.connect(lambda index, k=key: self.picked.emit(k, index))
        return bar

    def _category_axes(
        self, series: object, categories: list[str], horizontal: bool, top: float
    ) -> None:
        self.categories = categories
        names = QBarCategoryAxis()
        names.append([_two_lines(c) for c in categories])
        values = QValueAxis()
        values.setLabelFormat("%d")
        self.chart_.addAxis(
            names, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom
        )
        self.chart_.addAxis(
            values, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft
        )
        series.attachAxis(names)  # type: ignore[attr-defined]
        series.attachAxis(values)  # type: ignore[attr-defined]
        _value_range(values, top)
        self.set_scale(self.scale)


class StatusBars(Chart):
    """Chapters or models as horizontal bars stacked by status; picked(Status, row)."""

    def show_groups(self, groups: list[Group]) -> None:
        self.clear()
        series = QHorizontalStackedBarSeries()
        rows = list(reversed(groups))  # Qt draws the first category at the bottom
        for status in CHART_STATUSES:
            values = [g.by_status.get(status.value, 0) for g in rows]
            if any(values):
                series.append(
                    self._bar_set(status_label(status), status, values, STATUS_COLOURS[status])
                )
        self.groups = rows
        self.chart_.legend().hide()  # one legend above both status charts: see status_legend
        self.chart_.addSeries(series)
        top = max((g.total for g in rows), default=0)
        self._category_axes(series, [g.name for g in rows], horizontal=True, top=top)


class WorkloadBars(Chart):
    """Open and overdue items per owner (the busiest first); picked("open"|"overdue", row)."""

    LIMIT = 10

    def show_loads(self, loads: list[OwnerLoad]) -> None:
        self.clear()
        rows = list(reversed(loads[: self.LIMIT]))
        series = QHorizontalBarSeries()
        series.append(self._bar_set(self.tr("Open"), "open", [r.open for r in rows], "#3b7dd8"))
        series.append(
            self._bar_set(self.tr("Overdue"), "overdue", [r.overdue for r in rows], "#d83b3b")
        )
        self.loads = rows
        self.chart_.addSeries(series)
        top = max((r.open for r in rows), default=0)
        self._category_axes(series, [r.owner for r in rows], horizontal=True, top=top)


class DueBars(Chart):
    """Open items falling due in each of the next weeks; picked("due", week index)."""

    WEEKS = 13

    def show_due(self, day: dt.date, dues: list[dt.date]) -> None:
        self.clear()
        counts = [0] * self.WEEKS
        for due in dues:
            week = (due - day).days // 7
            if 0 <= week < self.WEEKS:
                counts[week] += 1
        self.starts = [day + dt.timedelta(weeks=n) for n in range(self.WEEKS)]
        self.chart_.setTitle(
            self.title
            if any(counts)
            else self.tr("None due in the next %1 weeks").replace("%1", str(self.WEEKS))
        )
        series = QBarSeries()
        series.append(self._bar_set(self.tr("Due"), "due", counts, "#e8a100"))
        self.chart_.addSeries(series)
        self.chart_.legend().hide()
        self.categories = [s.strftime("%d %b") for s in self.starts]
        values = QValueAxis()
        values.setLabelFormat("%d")
        self.chart_.addAxis(week_axis(self.categories), Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        for axis in self.chart_.axes():
            series.attachAxis(axis)
        _value_range(values, max(counts, default=0))
        self.set_scale(self.scale)


class Trend(Chart):
    """Done and overdue at the end of each week."""

    def show_trend(self, points: list[WeekPoint]) -> None:
        self.clear()
        done, late = QLineSeries(), QLineSeries()
        done.setName(self.tr("Done"))
        late.setName(self.tr("Overdue"))
        done.setColor(QColor(STATUS_COLOURS[Status.DONE]))
        late.setColor(QColor(STATUS_COLOURS[Status.BLOCKED]))
        for n, p in enumerate(points):
            done.append(QPointF(n, p.done))
            late.append(QPointF(n, p.overdue))
        for line in (done, late):
            pen = line.pen()
            pen.setWidthF(2.5)
            line.setPen(pen)
            line.setPointsVisible(True)
            self.chart_.addSeries(line)
        weeks = week_axis([p.week_end.strftime("%d %b") for p in points])
        values = QValueAxis()
        values.setLabelFormat("%d")
        self.chart_.addAxis(weeks, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        for line in (done, late):
            line.attachAxis(weeks)
            line.attachAxis(values)
        _value_range(values, max([p.done for p in points] + [p.overdue for p in points]))
        self.set_scale(self.scale)


def _two_lines(label: str, longest: int = 14) -> str:
    """A long name broken at its middle space: Qt cuts long axis labels short with '...'."""
    if len(label) <= longest or " " not in label:
        return label
    middle = len(label) // 2
    cut = min((i for i, c in enumerate(label) if c == " "), key=lambda i: abs(i - middle))
    return f"{label[:cut]}<br>{label[cut + 1 :]}"


def status_legend() -> str:
    """The statuses in their chart colours, as rich text for one label above the charts."""
    swatch = '<span style="color:{colour}">&#9632;</span>&nbsp;{name}'
    return "&nbsp;&nbsp;&nbsp;".join(
        swatch.format(colour=STATUS_COLOURS[s], name=status_label(s)) for s in CHART_STATUSES
    )


def week_axis(labels: list[str], every: int = 4) -> QCategoryAxis:
    """Points or bars at 0, 1, 2 ... labelled every few weeks (the last always), upright:
    thirteen dates side by side do not fit a dashboard chart, and turned on end they are
    cut to dots."""
    axis = QCategoryAxis()
    axis.setRange(-0.5, len(labels) - 0.5)
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    last = len(labels) - 1
    for n, label in enumerate(labels):
        if (last - n) % every == 0:
            axis.append(label, n)
    axis.setGridLineVisible(False)
    return axis


def _value_range(axis: QValueAxis, top: float) -> None:
    """Whole-number ticks from 0; an empty chart still gets a range (0 to 5)."""
    if top <= 5:
        axis.setRange(0, 5)
        axis.setTickCount(6)
    else:
        axis.setRange(0, top * 1.05)
        axis.applyNiceNumbers()
