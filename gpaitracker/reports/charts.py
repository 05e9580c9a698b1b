"""The report's charts, drawn with reportlab.graphics from the same figures as its tables."""

from __future__ import annotations

import math
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart  # type: ignore[import-untyped]
from reportlab.graphics.charts.legends import Legend  # type: ignore[import-untyped]
from reportlab.graphics.charts.linecharts import (  # type: ignore[import-untyped]
    HorizontalLineChart,
)
from reportlab.graphics.shapes import Drawing, Group, String  # type: ignore[import-untyped]
from reportlab.graphics.widgets.markers import makeMarker  # type: ignore[import-untyped]

from gpaitracker.reports.data import STATUSES, Breakdown, TrendPoint
from gpaitracker.reports.styles import (
    INK,
    MUTED,
    RULE,
    SANS,
    SANS_BOLD,
    STATUS_COLOURS,
    one_line,
)

# English names whatever the process locale, like the rest of the report's text.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LABEL_SIZE = 7.5
BAR_PITCH = 22  # points per bar: room for a 7.5 pt label and a gap
LEFT_LABELS = 120  # room for chapter and model names left of the bars


def nice_scale(top: int, ticks: int = 5) -> tuple[int, int]:
    """An axis maximum and step in round numbers (1, 2, 5 x 10^n) that cover `top`."""
    top = max(top, 1)
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(int(step), 1)
    return step * math.ceil(top / step), step


def _drawing(width: float, height: float) -> Any:
    drawing = Drawing(width, height)
    # The renderer starts each drawing in this font; its default is unembedded Helvetica.
    drawing.initialFontName = SANS
    return drawing


def _axis_title(text: str, x: float, y: float, *, vertical: bool = False) -> Any:
    title = String(
        0, 0, text, fontName=SANS, fontSize=LABEL_SIZE + 0.5, fillColor=MUTED, textAnchor="middle"
    )
    group = Group(title)
    group.translate(x, y)
    if vertical:
        group.rotate(90)
    return group


def _legend(pairs: list[tuple[Any, str]], x: float, y: float, width: float) -> Any:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"  # swatch left of its caption
    legend.columnMaximum = 1  # one row: every entry in its own column
    legend.deltax = width / max(len(pairs), 1)
    legend.dx = legend.dy = 7
    legend.dxTextSpace = 4
    legend.fontName, legend.fontSize, legend.fillColor = SANS, LABEL_SIZE, INK
    legend.strokeWidth = 0
    legend.colorNamePairs = pairs
    return legend


def status_bars(rows: list[Breakdown], width: float, axis_title: str) -> Any:
    """A horizontal bar per chapter or model, stacked by status, its total at the end."""
    statuses = [value for value, _ in STATUSES]
    plot_h = BAR_PITCH * len(rows)
    bottom, legend_h = 34, 22  # value axis labels and title below the plot; legend above
    drawing = _drawing(width, plot_h + bottom + legend_h)

    chart = HorizontalBarChart()
    chart.x, chart.y = LEFT_LABELS, bottom
    chart.width, chart.height = width - LEFT_LABELS - 24, plot_h
    # The first category is drawn at the bottom; reverse so the list reads top-down.
    ordered = list(reversed(rows))
    chart.data = [[row.by_status.get(s, 0) for row in ordered] for s in statuses]
    chart.categoryAxis.categoryNames = [one_line(row.name, 24) for row in ordered]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = SANS
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = RULE
    chart.barWidth = BAR_PITCH * 0.6
    chart.groupSpacing = BAR_PITCH * 0.4
    for index, status in enumerate(statuses):
        chart.bars[index].fillColor = STATUS_COLOURS[status]
        chart.bars[index].strokeColor = None
    top, step = nice_scale(max((row.total for row in rows), default=0))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = SANS
    chart.valueAxis.labels.fontSize = LABEL_SIZE
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.gridStrokeWidth = 0.3
    drawing.add(chart)

    for index, row in enumerate(ordered):
        x = chart.x + chart.width * row.total / top + 3
        y = chart.y + BAR_PITCH * index + BAR_PITCH / 2 - LABEL_SIZE / 3
        drawing.add(
            String(x, y, str(row.total), fontName=SANS_BOLD, fontSize=LABEL_SIZE, fillColor=INK)
        )
    drawing.add(_axis_title("Items", chart.x + chart.width / 2, 4))
    drawing.add(_axis_title(axis_title, 8, chart.y + plot_h / 2, vertical=True))
    pairs = [(STATUS_COLOURS[value], caption) for value, caption in STATUSES]
    drawing.add(_legend(pairs, 0, plot_h + bottom + 12, width - 10))
    return drawing


def trend_lines(points: list[TrendPoint], width: float) -> Any:
    """Done and overdue items at the end of each week, oldest week on the left."""
    height, bottom, left = 190, 44, 44
    drawing = _drawing(width, height + 26)
    chart = HorizontalLineChart()
    chart.x, chart.y = left, bottom
    chart.width, chart.height = width - left - 16, height - bottom
    chart.data = [[p.done for p in points], [p.overdue for p in points]]
    chart.categoryAxis.categoryNames = [
        f"{p.week_end.day} {MONTHS[p.week_end.month - 1]}" for p in points
    ]
    chart.categoryAxis.labels.fontName = SANS
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.angle = 30 if len(points) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(points) > 8 else "n"
    chart.categoryAxis.strokeColor = RULE
    top, step = nice_scale(max((max(p.done, p.overdue) for p in points), default=0))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = SANS
    chart.valueAxis.labels.fontSize = LABEL_SIZE
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.gridStrokeWidth = 0.3
    series = [("done", "Done"), ("blocked", "Overdue")]  # overdue shares the alarm red
    for index, (status, _) in enumerate(series):
        chart.lines[index].strokeColor = STATUS_COLOURS[status]
        chart.lines[index].strokeWidth = 1.8
        chart.lines[index].symbol = makeMarker("FilledCircle", size=4)
        chart.lines[index].symbol.fillColor = STATUS_COLOURS[status]
    drawing.add(chart)
    drawing.add(_axis_title("Week ending", chart.x + chart.width / 2, 2))
    drawing.add(_axis_title("Items", 10, chart.y + chart.height / 2, vertical=True))
    pairs = [(STATUS_COLOURS[status], caption) for status, caption in series]
    drawing.add(_legend(pairs, width - 170, height + 14, 160))
    return drawing
