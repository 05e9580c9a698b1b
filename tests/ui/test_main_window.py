"""The main window: pages, shortcuts, remembered layout, other writers noticed, read-only mode."""

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt

from gpaitracker.services import queries, register
from gpaitracker.services.workspace import Workspace
from gpaitracker.ui.app import make_context
from gpaitracker.ui.main_window import MainWindow
from tests.services.helpers import add_model, add_people, item_id


@pytest.fixture
def ws(org_ws):
    add_people(org_ws)
    add_model(org_ws)
    return org_ws


def _window(qtbot, ws, **kw):
    ctx = make_context(ws, **kw)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _settle(qtbot, window):
    qtbot.waitUntil(lambda: window.ctx.worker.pool.activeThreadCount() == 0, timeout=10_000)
    qtbot.wait(50)


def test_window_opens_on_the_register_and_navigates_by_keyboard(qtbot, ws):
    window = _window(qtbot, ws)
    with qtbot.waitActive(window):
        window.activateWindow()
    assert window.windowTitle() == "GPAI Tracker"
    assert window.stack.currentWidget() is window.splitter
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentRow() == window.PAGES.index("audit")
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.pages["dashboard"]
    window.find_action.trigger()
    assert window.stack.currentWidget() is window.splitter
    assert "ada@provider.eu" in window.user_label.text()
    _settle(qtbot, window)


def test_window_remembers_its_size_page_and_splitter(qtbot, ws):
    window = _window(qtbot, ws)
    window.resize(window.minimumSizeHint().width(), 500)  # the offscreen screen is 800x600
    size = (window.width(), window.height())
    window.nav.setCurrentRow(window.PAGES.index("people"))
    _settle(qtbot, window)
    window.close()
    assert QSettings().value("main_window/page") == "people"
    again = _window(qtbot, ws)
    assert (again.width(), again.height()) == size
    assert again.nav.currentRow() == again.PAGES.index("people")
    _settle(qtbot, again)


def test_a_change_made_by_another_program_shows_up(qtbot, ws):
    window = _window(qtbot, ws)
    _settle(qtbot, window)
    seen = []
    window.ctx.bus.changed.connect(seen.append)
    other = Workspace(ws.register)  # the command line, or a second window
    rid = item_id(other, "atlas-2/AIA-53-1-a")
    other.write(register.set_due, requirement_id=rid, due=dt.date(2027, 3, 1))
    window._on_watch()  # the timer's tick, without waiting three seconds
    assert seen == [None]
    model = window.register_page.model
    qtbot.waitUntil(
        lambda: (
            model.row_by_id(rid) is not None and model.row_by_id(rid).due == dt.date(2027, 3, 1)
        ),
        timeout=10_000,
    )
    _settle(qtbot, window)
    window._on_watch()
    assert seen == [None]  # nothing new: no second reload


def test_read_only_mode_offers_no_editing(qtbot, ws):
    window = _window(qtbot, ws, read_only=True)
    assert not window.ctx.may_edit
    assert not window.undo_action.isVisible()
    assert "read-only" in window.user_label.text()
    _settle(qtbot, window)


def test_dashboard_counts_what_the_register_holds(qtbot, ws):
    window = _window(qtbot, ws)
    _settle(qtbot, window)
    dashboard = window.pages["dashboard"]
    assert dashboard.tiles["overdue"].value.text() == "\u2013"  # not loaded while hidden
    window.nav.setCurrentRow(window.PAGES.index("dashboard"))
    qtbot.waitUntil(lambda: dashboard.tiles["overdue"].value.text() != "\u2013", timeout=5000)
    rows = ws.read(queries.list_rows)
    overdue = sum(1 for r in rows if r.due and r.due < dt.date.today() and r.status != "done")
    assert dashboard.tiles["overdue"].value.text() == str(overdue)
