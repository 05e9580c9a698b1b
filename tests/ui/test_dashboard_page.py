"""The dashboard shows the numbers metrics computes, and a click shows the items behind them."""

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QPointF, QSettings, Qt

from gpaitracker import metrics
from gpaitracker.enums import Status
from gpaitracker.services import demo
from gpaitracker.ui.app import make_context
from gpaitracker.ui.main_window import MainWindow


@pytest.fixture
def ws(ws):
    ws.create(demo.create, store=ws.store, admin_name="Olga", admin_email="olga@provider.eu")
    return ws


def _settle(qtbot, window):
    qtbot.waitUntil(lambda: window.ctx.worker.pool.activeThreadCount() == 0, timeout=10_000)
    qtbot.wait(50)


@pytest.fixture
def window(qtbot, ws):
    window = MainWindow(make_context(ws))
    qtbot.addWidget(window)
    window.resize(1300, 760)
    window.show()
    qtbot.waitExposed(window)
    _settle(qtbot, window)
    window.nav.setCurrentRow(window.PAGES.index("dashboard"))
    dashboard = window.pages["dashboard"]
    qtbot.waitUntil(lambda: dashboard.figures is not None, timeout=10_000)
    _settle(qtbot, window)
    return window


def _shown_ids(window):
    model = window.register_page.model
    return {model.row_at(n).id for n in range(model.rowCount())}


def test_tiles_and_charts_show_the_metrics(window, ws):
    page = window.pages["dashboard"]
    figs = ws.read(metrics.figures)
    assert page.tiles["overdue"].value.text() == str(figs.overdue) != "0"
    assert page.tiles["done"].value.text() == f"{figs.percent_done:.0f}%"
    assert page.tiles["due_30"].value.text() == str(figs.due_30)
    assert page.tiles["coverage"].value.text() == f"{figs.evidence_coverage:.0f}%"
    assert page.chapter_chart.categories == [g.name for g in reversed(figs.by_chapter)]
    series = page.chapter_chart.chart().series()[0]
    done = next(s for s in series.barSets() if s.label() == "Done")
    assert [int(done.at(n)) for n in range(done.count())] == [
        g.done for g in reversed(figs.by_chapter)
    ]
    assert len(page.trend_chart.chart().series()[0].points()) == len(figs.history)


def test_a_click_on_a_tile_shows_exactly_its_items(qtbot, window, ws):
    page = window.pages["dashboard"]
    figs = ws.read(metrics.figures)
    qtbot.mouseClick(page.tiles["overdue"], Qt.MouseButton.LeftButton)
    _settle(qtbot, window)
    assert window.stack.currentWidget() is window.splitter
    assert _shown_ids(window) == {i.id for i in figs.overdue_items}
    bar = window.register_page.pinned_bar
    assert bar.isVisible() and "Overdue" in bar.label.text()
    qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible() and len(_shown_ids(window)) == figs.total


def test_a_click_on_a_bar_filters_the_register_to_that_chapter_and_status(qtbot, window, ws):
    page = window.pages["dashboard"]
    view = page.chapter_chart
    chart = view.chart()
    row = view.categories.index("Safety and Security")
    group = view.groups[row]
    # The middle of the "Done" segment of that chapter's bar, clicked with the mouse.
    done = group.by_status["done"]
    assert done > 0
    series = chart.series()[0]
    position = chart.mapToPosition(QPointF(done / 2, row), series)
    point = view.mapFromScene(chart.mapToScene(position))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.splitter, timeout=5000)
    _settle(qtbot, window)
    wanted = ws.read(
        metrics.pick, choice=metrics.Pick(chapter="Safety and Security", status="done")
    )
    assert _shown_ids(window) == set(wanted) and len(wanted) == done
    rows = [window.register_page.model.row_by_id(i) for i in wanted]
    assert all(r.status == Status.DONE and r.code.startswith("COP-SS") for r in rows)


def test_model_and_as_of_choose_what_is_shown(qtbot, window, ws):
    page = window.pages["dashboard"]
    titan = page.model_combo.findText("Titan 1")
    page.model_combo.setCurrentIndex(titan)
    qtbot.waitUntil(lambda: page.figures.by_model[0].name == "Titan 1", timeout=5000)
    assert [g.name for g in page.figures.by_model] == ["Titan 1"]
    page.as_of_edit.setDate(QDate(2024, 1, 1))
    qtbot.waitUntil(lambda: page.figures.as_of == dt.date(2024, 1, 1), timeout=5000)
    assert page.figures.total == 0 and page.tiles["overdue"].value.text() == "0"
    qtbot.mouseClick(page.today_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.figures.as_of == dt.date.today(), timeout=5000)
    _settle(qtbot, window)


def test_large_type_is_remembered(qtbot, window):
    page = window.pages["dashboard"]
    small = page.tiles["done"].value.font().pointSizeF()
    page.large_check.setChecked(True)
    assert page.tiles["done"].value.font().pointSizeF() > small * 1.5
    assert QSettings().value("dashboard/large_type", type=bool) is True
    # Two charts a row instead of three, each at least as tall as its larger type needs.
    position = page.charts.getItemPosition(page.charts.indexOf(page.trend_chart))
    assert position[:2] == (2, 0)
    assert page.trend_chart.minimumHeight() > 300
    page.large_check.setChecked(False)
    position = page.charts.getItemPosition(page.charts.indexOf(page.trend_chart))
    assert position[:2] == (1, 2)


def test_axis_labels_are_whole_and_upright(window):
    page = window.pages["dashboard"]
    for chart in (page.due_chart, page.trend_chart):
        [weeks] = chart.chart_.axes(Qt.Orientation.Horizontal)
        labels = weeks.categoriesLabels()
        assert 3 <= len(labels) <= 4 and weeks.labelsAngle() == 0
    [names] = page.chapter_chart.chart_.axes(Qt.Orientation.Vertical)
    assert "Safety and<br>Security" in names.categories()
    assert page.chapter_chart.categories[-1] == "AI Act articles"  # the names stay whole


def test_incident_reports_and_requests_owed_have_a_tile_that_opens_their_page(
    qtbot, window, ws
):
    from gpaitracker.enums import RequestKind
    from gpaitracker.services import lookup, records_owed, requests_register

    today = dt.date.today()
    ws.write(
        requests_register.add_request,
        kind=RequestKind.AIO,
        subject="Information on the training data",
        received=today - dt.timedelta(days=20),
        deadline=today - dt.timedelta(days=5),
        model_id=ws.read(lookup.model_id, ref="titan-1"),
    )
    page = window.pages["dashboard"]
    page.figures = None
    page.refresh(None)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=10_000)
    owed = ws.read(records_owed.owed, until=today + dt.timedelta(days=30))
    late = [o for o in owed if o.late]
    assert late and any(o.title.endswith("Information on the training data") for o in late)
    tile = page.tiles["owed"]
    assert tile.value.text() == str(len(owed))
    assert f"{len(late)} late" in tile.detail.text() and "d83b3b" in tile.value.styleSheet()
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert window.nav.currentRow() == window.PAGES.index("records")
    _settle(qtbot, window)
