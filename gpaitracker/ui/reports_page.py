"""Reports: export a signed board report, see the reports issued, keep the audit head."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.changes import Changes
from gpaitracker.services import audit_trail, report_export
from gpaitracker.ui.context import UiContext

COLUMNS = ("Number", "As of", "Issued (UTC)", "Prepared by", "Signed by", "SHA-256")


class ReportsPage(QWidget):
    """The reports this register issued, newest first, and the way to make the next one."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.title = self.tr("Reports")
        self.explanation = QLabel(
            self.tr(
                "<h3>Board reports</h3><p>A board report is a PDF of where the register stands "
                "on a day: figures, charts, what changed since the previous report, overdue "
                "items, the evidence behind it and the audit trail's head. Signed, anyone can "
                "check it has not changed (<tt>gpaitracker verify FILE.pdf</tt>).</p>"
            )
        )
        self.explanation.setWordWrap(True)
        self.export_button = QPushButton(self.tr("&Export board report..."))
        self.export_button.setEnabled(ctx.may_edit)
        if not ctx.may_edit:
            self.export_button.setToolTip(self.tr("Making a report records it: you may only read"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.head_label = QLabel()
        self.head_label.setTextInteractionFlags(
            self.head_label.textInteractionFlags()
            | self.head_label.textInteractionFlags().TextSelectableByMouse
        )
        self.copy_button = QPushButton(self.tr("Copy audit head"))
        top = QHBoxLayout()
        top.addWidget(self.export_button)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.head_label, 1)
        bottom.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._connect()
        self.refresh(None)

    def _connect(self) -> None:
        self.copy_button.clicked.connect(self._on_copy)
        self.export_button.clicked.connect(self.open_dialog)

    def refresh(self, changes: Changes | None) -> None:
        head = self.ctx.ws.read(audit_trail.head)
        self._head = str(head) if head is not None else ""
        self.head_label.setText(
            self.tr("Audit head: {head} ({count} events)").format(head=head, count=head.count)
            if head is not None
            else self.tr("The audit trail is empty.")
        )
        reports = self.ctx.ws.read(report_export.list_reports)
        self.table.setRowCount(len(reports))
        for row, r in enumerate(reports):
            cells = (
                str(r.number),
                r.as_of.isoformat(),
                r.created_at.strftime("%Y-%m-%d %H:%M"),
                r.author,
                r.signer or self.tr("not signed"),
                r.pdf_sha256,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    @Slot()
    def open_dialog(self) -> None:
        from gpaitracker.ui.report_dialog import ReportDialog

        self.dialog = ReportDialog(self.ctx, self)
        self.dialog.finished.connect(self._on_dialog_closed)
        self.dialog.open()

    @Slot()
    def _on_dialog_closed(self) -> None:
        self.refresh(None)

    def _on_copy(self) -> None:
        QApplication.clipboard().setText(self._head)
