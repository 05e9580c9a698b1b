"""The Incidents and requests page: serious incidents and the report owed next, requests and
their deadlines; overdue rows in red. Recording is done on the command line for now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gpaitracker.changes import Changes
from gpaitracker.errors import UserError
from gpaitracker.services import incidents, requests_register
from gpaitracker.services.incidents import IncidentRow
from gpaitracker.services.requests_register import RequestRow
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.table_model import Column, TableModel, table_view

RED = QColor("#C62828")


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _late(row: Any) -> str:
    return f"{row.days} days late" if row.overdue else ""


class RecordsPage(QWidget):
    """Incidents and requests, each with the deadline the rules give it."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # Column functions must not hold the page: a cycle through a widget would leave its
        # collection to whichever thread the garbage collector happens to run on.
        red = lambda r: RED if r.overdue else None  # noqa: E731
        none_owed = self.tr("none owed")
        self.incident_model = TableModel(
            [
                Column(self.tr("Incident"), lambda r: r.label, key=lambda r: r.id),
                Column(self.tr("Model"), lambda r: r.model),
                Column(self.tr("Title"), lambda r: r.title),
                Column(self.tr("Category"), lambda r: r.category.value),
                Column(self.tr("Aware on"), lambda r: _day(r.aware_on)),
                Column(
                    self.tr("Next report"),
                    lambda r: r.next_report.value if r.next_report else none_owed,
                ),
                Column(self.tr("Due"), lambda r: _day(r.next_due), colour=red),
                Column(self.tr("Late"), _late, colour=red),
                Column(self.tr("Keep until"), lambda r: _day(r.keep_until)),
            ],
            self,
        )
        self.request_model = TableModel(
            [
                Column(self.tr("Request"), lambda r: r.label, key=lambda r: r.id),
                Column(self.tr("Kind"), lambda r: requests_register.KIND_TEXT[r.kind]),
                Column(self.tr("Model"), lambda r: r.model or ""),
                Column(self.tr("Subject"), lambda r: r.subject),
                Column(self.tr("Received"), lambda r: _day(r.received)),
                Column(self.tr("Deadline"), lambda r: _day(r.deadline), colour=red),
                Column(self.tr("Status"), lambda r: r.status.value),
                Column(self.tr("Late"), _late, colour=red),
            ],
            self,
        )
        self.incident_table = table_view(self.incident_model, self)
        self.request_table = table_view(self.request_model, self)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<b>Serious incidents</b> (COP-SS-9)")))
        layout.addWidget(self.incident_table, 1)
        layout.addWidget(QLabel(self.tr("<b>Notifications and requests</b>")))
        layout.addWidget(self.request_table, 1)
        layout.addWidget(self.message)
        self.refresh(None)

    def refresh(self, changes: Changes | None) -> None:
        if changes is not None and not changes:
            return
        try:
            found: list[IncidentRow] = self.ctx.ws.read(incidents.list_incidents)
            asked: list[RequestRow] = self.ctx.ws.read(requests_register.list_requests)
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.incident_model.set_rows(found)
        self.request_model.set_rows(asked)
        late = sum(r.overdue for r in found) + sum(r.overdue for r in asked)
        self.message.setText(
            self.tr("%n overdue", "", late) if late else self.tr("Nothing overdue.")
        )
