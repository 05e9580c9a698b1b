"""The Incidents and requests page: the deadlines the rules give, overdue rows in red."""

import datetime as dt

from PySide6.QtCore import Qt

from gpaitracker.enums import IncidentCategory, RequestKind
from gpaitracker.services import incidents, requests_register
from gpaitracker.ui.app import make_context
from gpaitracker.ui.records_page import RED, RecordsPage
from tests.services.helpers import add_model


def test_page_lists_incidents_and_requests_and_follows_changes(qtbot, org_ws):
    model = add_model(org_ws, name="Titan", training_flop="3e25", threshold_date="2025-08-20")
    org_ws.write(
        incidents.add_incident,
        model_id=model,
        title="Grid outage",
        category=IncidentCategory.CRITICAL_INFRASTRUCTURE,
        aware_on=dt.date(2026, 3, 2),
    )
    ctx = make_context(org_ws)
    page = RecordsPage(ctx)
    ctx.bus.changed.connect(page.refresh)
    qtbot.addWidget(page)
    page.show()
    assert page.incident_model.rowCount() == 1
    due = page.incident_model.index(0, 6)
    assert due.data() == "2026-03-04"  # awareness + 2 days
    assert due.data(Qt.ItemDataRole.ForegroundRole) == RED
    changes = org_ws.write(
        requests_register.add_request,
        kind=RequestKind.DOWNSTREAM,
        subject="Context window?",
        received=dt.date(2026, 2, 10),
        model_id=model,
    )
    ctx.bus.changed.emit(changes)
    assert page.request_model.rowCount() == 1
    assert page.request_model.index(0, 5).data() == "2026-02-24"  # 14 days
    assert "2 overdue" in page.message.text()
    ctx.worker.wait_all()
