"""The "Needs attention" panel: the agenda, notifications when something newly needs attention."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from gpaitracker.services import agenda, register
from gpaitracker.ui.app import make_context
from gpaitracker.ui.main_window import MainWindow
from tests.services.helpers import add_model, add_people, item_id, person_id

OLGA = "olga@provider.eu"


@pytest.fixture
def ws(org_ws):
    add_people(org_ws)
    add_model(org_ws, placed_on_market="2025-09-01")
    rid = item_id(org_ws, "atlas-2/AIA-53-1-a")
    org_ws.write(register.assign, requirement_id=rid, owner_id=person_id(org_ws, OLGA))
    return org_ws


def _settle(qtbot, window):
    qtbot.waitUntil(lambda: window.ctx.worker.pool.activeThreadCount() == 0, timeout=10_000)
    qtbot.wait(50)


def test_panel_lists_what_needs_attention_and_notifies_what_is_new(qtbot, ws):
    from tests.services.helpers import as_person

    olga = as_person(ws, OLGA)
    window = MainWindow(make_context(olga))
    qtbot.addWidget(window)
    window.show()
    panel = window.reminders
    with qtbot.waitSignal(panel.notified, timeout=10_000) as first:
        pass
    mine = olga.read(agenda.agenda, person_id=person_id(ws, OLGA), days=7)
    assert [e.key for e in panel.entries] == [e.key for e in mine] != []
    assert panel.list.count() == len(mine)
    assert "atlas-2/AIA-53-1-a" in panel.list.item(0).text()
    urgent = [e for e in mine if e.kind in ("overdue", "due", "review")]
    assert first.args[0].startswith(f"{len(urgent)} item")
    # Another of Olga's items falls due tomorrow: one new notification, for one item.
    other = item_id(ws, "atlas-2/AIA-53-1-b")
    ws.write(register.assign, requirement_id=other, owner_id=person_id(ws, OLGA))
    ws.write(register.set_due, requirement_id=other, due=dt.date.today() + dt.timedelta(days=1))
    with qtbot.waitSignal(panel.notified, timeout=10_000) as second:
        panel.refresh(None)
    assert second.args[0].startswith("1 item")
    _settle(qtbot, window)
    # Nothing new: no notification.
    with qtbot.assertNotEmitted(panel.notified, wait=300):
        panel.refresh(None)
        _settle(qtbot, window)
    # Double-click (activate) an entry: the register shows that item.
    item = panel.list.item(0)
    panel.list.itemActivated.emit(item)
    assert window.stack.currentWidget() is window.splitter
    shown = window.register_page.model
    _settle(qtbot, window)
    assert shown.rowCount() == 1 and shown.row_at(0).id == item.data(Qt.ItemDataRole.UserRole)


def test_requests_owed_are_listed_notified_and_open_their_page(qtbot, ws):
    from gpaitracker.enums import RequestKind
    from gpaitracker.services import lookup, requests_register
    from tests.services.helpers import as_person

    ws.write(
        requests_register.add_request,
        kind=RequestKind.DOWNSTREAM,
        subject="Model card for integrators",
        received=dt.date.today() - dt.timedelta(days=20),  # answer within 14 days: 6 days late
        owner_id=person_id(ws, OLGA),
        model_id=ws.read(lookup.model_id, ref="atlas-2"),
    )
    olga = as_person(ws, OLGA)
    window = MainWindow(make_context(olga))
    qtbot.addWidget(window)
    window.show()
    panel = window.reminders
    with qtbot.waitSignal(panel.notified, timeout=10_000) as first:
        pass
    [late] = [e for e in panel.entries if e.kind == "late_request"]
    assert late.days == 6 and "Model card for integrators" in late.title
    row = next(n for n in range(panel.list.count()) if late.key in panel.list.item(n).text())
    assert "request overdue, 6 days late" in panel.list.item(row).text()
    assert panel.list.item(row).foreground().color() == Qt.GlobalColor.darkRed
    assert "1 incident reports or request answers owed (1 late)" in panel.summary.text()
    assert "overdue" in first.args[0]
    panel.list.itemActivated.emit(panel.list.item(row))
    assert window.nav.currentRow() == window.PAGES.index("records")
    _settle(qtbot, window)
