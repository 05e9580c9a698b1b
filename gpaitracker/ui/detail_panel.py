"""The detail panel: everything about the selected register item, and its editors.

It shows the item named by the bus's item_selected, and reloads it when a change set touches
it (or anything may have changed). Every edit goes through the services as an undoable
command carrying the version the panel displayed, so a stale edit is refused naming who
changed the item, never silently applied. The sections live in detail_*.py.
"""

from __future__ import annotations

import datetime as dt
import itertools

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import UserError
from gpaitracker.services import item_detail, people, queries
from gpaitracker.services.item_detail import ItemDetail
from gpaitracker.services.people import PersonRow
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.detail_assign import NO_DATE, AssignmentBox
from gpaitracker.ui.detail_evidence import EvidenceBox
from gpaitracker.ui.detail_record import CommentsBox, HistoryBox
from gpaitracker.ui.detail_status import StatusBox

__all__ = ["NO_DATE", "DetailPanel"]

SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse | (
    Qt.TextInteractionFlag.TextSelectableByKeyboard
)


def _label(selectable: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if selectable:
        label.setTextInteractionFlags(SELECTABLE)
    return label


class DetailPanel(QWidget):
    """One register item: catalogue text, assignment, status workflow, comments, evidence."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.requirement_id: int | None = None
        self.detail: ItemDetail | None = None
        self.people: list[PersonRow] | None = None
        self._build()
        self._connect()
        self._show(None)

    def _build(self) -> None:
        self.empty_label = QLabel(self.tr("Select an item in the register to see it here."))
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label = _label(selectable=True)
        self.title_label = _label(selectable=True)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title_label.setFont(font)
        self.inactive_label = _label()
        self.inactive_label.setObjectName("inactive")
        self.reference_label = _label(selectable=True)
        self.summary_label = _label(selectable=True)
        self.expected_label = _label(selectable=True)
        self.assignment_box = AssignmentBox(self.ctx)
        # The editors tests and callers drive, at hand.
        self.owner_combo = self.assignment_box.owner_combo
        self.reviewer_combo = self.assignment_box.reviewer_combo
        self.due_edit = self.assignment_box.due_edit
        self.clear_due_button = self.assignment_box.clear_due_button
        self.priority_combo = self.assignment_box.priority_combo
        self.status_box = StatusBox(self.ctx)
        self.comments_box = CommentsBox(self.ctx)
        self.evidence_box = EvidenceBox(self.ctx)
        self.history_box = HistoryBox()

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        for widget in (
            self.key_label,
            self.title_label,
            self.inactive_label,
            self.reference_label,
            self.summary_label,
            self.expected_label,
            self.assignment_box,
            self.status_box,
            self.comments_box,
            self.evidence_box,
            self.history_box,
        ):
            body.addWidget(widget)
        body.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.body)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.scroll_area)
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.key_label,
            self.title_label,
            self.reference_label,
            self.summary_label,
            self.expected_label,
            *self.assignment_box.focus_chain(),
            *self.status_box.focus_chain(),
            *self.comments_box.focus_chain(),
            *self.evidence_box.focus_chain(),
            *self.history_box.focus_chain(),
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.ctx.bus.item_selected.connect(self._on_item_selected)
        self.ctx.bus.changed.connect(self._on_changed)
        self.assignment_box.refused.connect(self.reload)
        self.status_box.refused.connect(self.reload)

    # -- showing ---------------------------------------------------------------------------

    def show_item(self, requirement_id: int | None) -> None:
        """Show this item (None: nothing)."""
        self.requirement_id = requirement_id
        self.reload()

    @Slot()
    def reload(self) -> None:
        """Read the shown item again from the register (after a refusal, F5, another writer)."""
        detail = None
        if self.requirement_id is not None:
            try:
                if self.people is None:
                    self.people = self.ctx.ws.read(people.list_people)
                detail = self.ctx.ws.read(item_detail.detail, requirement_id=self.requirement_id)
            except UserError as exc:
                self.empty_label.setText(str(exc))
        else:
            self.empty_label.setText(self.tr("Select an item in the register to see it here."))
        self._show(detail)

    def _show(self, detail: ItemDetail | None) -> None:
        self.detail = detail
        self.empty_label.setVisible(detail is None)
        self.scroll_area.setVisible(detail is not None)
        everyone = self.people or []
        self.assignment_box.set_detail(detail, everyone)
        self.status_box.set_detail(detail, {p.email: p.id for p in everyone})
        self.comments_box.set_detail(detail)
        self.evidence_box.set_detail(detail)
        self.history_box.set_detail(detail)
        if detail is None:
            return
        row = detail.row
        self.key_label.setText(f"{row.key} · {row.model}")
        self.title_label.setText(row.title)
        reason = queries.inactive_reason(row)
        self.inactive_label.setText(
            self.tr("Inactive: {reason}.").format(reason=reason) if reason else ""
        )
        self.inactive_label.setVisible(bool(reason))
        chapter = f" · {row.chapter}" if row.chapter else ""
        self.reference_label.setText(f"{row.reference}{chapter}")
        self.summary_label.setText(detail.summary)
        expected = "\n".join(f"• {line}" for line in detail.evidence_expected)
        self.expected_label.setText(
            self.tr("Evidence expected:") + "\n" + expected if expected else ""
        )
        self.expected_label.setVisible(bool(expected))

    # -- reacting to the register ----------------------------------------------------------

    @Slot(object)
    def _on_item_selected(self, requirement_id: int | None) -> None:
        self.show_item(requirement_id)

    @Slot(object)
    def _on_changed(self, changes: Changes | None) -> None:
        if changes is None or changes.touches(Entity.PERSON):
            self.people = None
        if self.requirement_id is None:
            return
        shown_evidence = {e.id for e in self.detail.evidence} if self.detail else set()
        if (
            changes is None
            or self.requirement_id in changes.ids(Entity.REQUIREMENT)
            or changes.ids(Entity.EVIDENCE) & shown_evidence
            or changes.touches(Entity.PERSON)
        ):
            self.reload()

    # -- editing ---------------------------------------------------------------------------

    def set_due(self, new: dt.date | None) -> Changes | None:
        """Change the shown item's due date (None clears it), undoably."""
        return self.assignment_box.set_due(new)
