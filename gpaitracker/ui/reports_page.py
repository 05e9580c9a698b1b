"""Reports: what the board report will rest on, until signed reports can be exported."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from gpaitracker.changes import Changes
from gpaitracker.services import audit_trail
from gpaitracker.ui.context import UiContext


class ReportsPage(QWidget):
    """Signed board reports are not part of this version; the page says so plainly and gives
    the one anchor a board can already keep: the audit trail's head."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.title = self.tr("Reports")
        self.explanation = QLabel(
            self.tr(
                "<h3>Board reports</h3><p>Exporting signed PDF board reports is not available in "
                "this version of GPAI Tracker.</p><p>Until then, the audit trail's head is the "
                "anchor to keep with your board papers: anyone can later prove that the trail "
                "still holds it, so nothing recorded before it was removed.</p>"
            )
        )
        self.explanation.setWordWrap(True)
        self.head_label = QLabel()
        self.head_label.setTextInteractionFlags(
            self.head_label.textInteractionFlags()
            | self.head_label.textInteractionFlags().TextSelectableByMouse
        )
        self.copy_button = QPushButton(self.tr("Copy audit head"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.head_label)
        layout.addWidget(self.copy_button)
        layout.addStretch(1)
        self.copy_button.clicked.connect(self._on_copy)
        self.refresh(None)

    def refresh(self, changes: Changes | None) -> None:
        head = self.ctx.ws.read(audit_trail.head)
        self._head = str(head) if head is not None else ""
        self.head_label.setText(
            self.tr("Audit head: {head} ({count} events)").format(head=head, count=head.count)
            if head is not None
            else self.tr("The audit trail is empty.")
        )

    def _on_copy(self) -> None:
        QApplication.clipboard().setText(self._head)
