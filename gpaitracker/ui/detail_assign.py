"""The detail panel's assignment section: owner, reviewer, due date and priority editors.

Each change is an undoable command whose undo restores the previous value through the same
service. A done or not-applicable item keeps its owner, reviewer and due date until it is
reopened (the workflow rule), so those editors are disabled and say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDate, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from gpaitracker import workflow
from gpaitracker.changes import Changes
from gpaitracker.enums import Priority
from gpaitracker.services import register
from gpaitracker.services.item_detail import ItemDetail
from gpaitracker.services.people import PersonRow
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.detail_edits import VersionedEdit, push_item_edit

NO_DATE = QDate(1999, 12, 31)  # shown as "no due date"; due dates run from 2000 to 2100
LAST_DATE = QDate(2100, 12, 31)


class AssignmentBox(QGroupBox):
    """Who owns and reviews the item, when it is due and how much it matters."""

    refused = Signal()  # an edit was refused: the panel reloads what the register holds

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: ItemDetail | None = None
        self.setTitle(self.tr("Assignment"))
        self.owner_combo = QComboBox()
        self.owner_combo.setAccessibleName(self.tr("Owner"))
        self.reviewer_combo = QComboBox()
        self.reviewer_combo.setAccessibleName(self.tr("Reviewer"))
        for combo in (self.owner_combo, self.reviewer_combo):
            # "Name <email>" can be long: let the panel stay narrow and the text elide.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(16)
        self.due_edit = QDateEdit()
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_edit.setDateRange(NO_DATE, LAST_DATE)
        self.due_edit.setSpecialValueText(self.tr("no due date"))
        self.due_edit.setAccessibleName(self.tr("Due date"))
        self.clear_due_button = QPushButton(self.tr("Clear"))
        self.clear_due_button.setToolTip(self.tr("Remove the due date"))
        self.priority_combo = QComboBox()
        self.priority_combo.setAccessibleName(self.tr("Priority"))
        for priority in Priority:
            self.priority_combo.addItem(priority.value.capitalize(), priority)
        form = QFormLayout(self)
        form.addRow(self.tr("&Owner"), self.owner_combo)
        form.addRow(self.tr("&Reviewer"), self.reviewer_combo)
        due_row = QHBoxLayout()
        due_row.addWidget(self.due_edit, 1)
        due_row.addWidget(self.clear_due_button)
        due_label = QLabel(self.tr("&Due"))
        due_label.setBuddy(self.due_edit)
        form.addRow(due_label, due_row)
        form.addRow(self.tr("&Priority"), self.priority_combo)
        self._connect()

    def _connect(self) -> None:
        self.owner_combo.activated.connect(self._on_owner_activated)
        self.reviewer_combo.activated.connect(self._on_reviewer_activated)
        self.priority_combo.activated.connect(self._on_priority_activated)
        self.due_edit.editingFinished.connect(self._on_due_committed)
        # Picking a day in the popup does not finish editing; commit once the edit has it.
        self.due_edit.calendarWidget().clicked.connect(self._on_calendar_picked)
        self.due_edit.calendarWidget().activated.connect(self._on_calendar_picked)
        self.clear_due_button.clicked.connect(self._on_clear_due)

    def focus_chain(self) -> list[QWidget]:
        return [
            self.owner_combo,
            self.reviewer_combo,
            self.due_edit,
            self.clear_due_button,
            self.priority_combo,
        ]

    # -- showing ---------------------------------------------------------------------------

    def set_detail(self, detail: ItemDetail | None, people: Sequence[PersonRow]) -> None:
        self.detail = detail
        if detail is None:
            return
        row = detail.row
        self._fill_people(self.owner_combo, people, row.owner_id)
        self._fill_people(self.reviewer_combo, people, row.reviewer_id)
        self.due_edit.setDate(QDate(row.due) if row.due else NO_DATE)
        if row.due is None:
            today = QDate.currentDate()
            self.due_edit.calendarWidget().setCurrentPage(today.year(), today.month())
        self.priority_combo.setCurrentIndex(self.priority_combo.findData(row.priority))
        may_edit, closed = self.ctx.may_edit, row.status in workflow.CLOSED
        why = self.tr("Reopen the item to change its owner, reviewer or due date")
        for widget, tip in (
            (self.owner_combo, self.tr("Who does the work")),
            (self.reviewer_combo, self.tr("Who approves it (four-eyes: not the owner)")),
            (self.due_edit, self.tr("Pick a date, or type it and press Enter")),
        ):
            widget.setEnabled(may_edit and not closed)
            widget.setToolTip(why if closed and may_edit else tip)
        self.clear_due_button.setVisible(may_edit)
        self.clear_due_button.setEnabled(may_edit and not closed and row.due is not None)
        self.priority_combo.setEnabled(may_edit)

    def _fill_people(
        self, combo: QComboBox, people: Sequence[PersonRow], current: int | None
    ) -> None:
        """Everyone who may take items, and the current holder even if they no longer may."""
        combo.clear()
        combo.addItem(self.tr("— nobody —"), None)
        for person in people:
            eligible = person.active and person.role in register.OWNER_ROLES
            if eligible or person.id == current:
                text = f"{person.name} <{person.email}>"
                if not eligible:
                    text += " " + self.tr("(cannot take items)")
                combo.addItem(text, person.id)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)

    # -- editing ---------------------------------------------------------------------------

    def _edit(self, text: str, apply: VersionedEdit, revert: VersionedEdit) -> Changes | None:
        detail = self.detail
        assert detail is not None
        changes = push_item_edit(
            self.ctx, text, detail.row.id, detail.row.version, apply, revert, self
        )
        if changes is None:
            self.refused.emit()
        return changes

    def assign(self, field: str, new: int | None) -> Changes | None:
        """Set the owner or the reviewer (field "owner" or "reviewer"; None: nobody)."""
        detail = self.detail
        if detail is None:
            return None
        old = getattr(detail.row, f"{field}_id")
        if new == old:
            return None
        ws, item = self.ctx.ws, detail.row.id

        def setter(value: int | None) -> VersionedEdit:
            def edit(version: int | None) -> Changes:
                args = {f"{field}_id": value}
                return ws.write(
                    register.assign, requirement_id=item, expected_version=version, **args
                )

            return edit

        what = self.tr("Owner") if field == "owner" else self.tr("Reviewer")
        text = self.tr("{what} of {key}").format(what=what, key=detail.row.key)
        return self._edit(text, setter(new), setter(old))

    def set_priority(self, new: Priority) -> Changes | None:
        detail = self.detail
        if detail is None or new == detail.row.priority:
            return None
        old, ws, item = detail.row.priority, self.ctx.ws, detail.row.id

        def setter(value: Priority) -> VersionedEdit:
            def edit(version: int | None) -> Changes:
                return ws.write(
                    register.set_priority,
                    requirement_id=item,
                    priority=value,
                    expected_version=version,
                )

            return edit

        text = self.tr("Priority of {key}").format(key=detail.row.key)
        return self._edit(text, setter(new), setter(old))

    def set_due(self, new: dt.date | None) -> Changes | None:
        """Change the due date (None clears it)."""
        detail = self.detail
        if detail is None or new == detail.row.due:
            return None
        old, ws, item = detail.row.due, self.ctx.ws, detail.row.id

        def setter(value: dt.date | None) -> VersionedEdit:
            def edit(version: int | None) -> Changes:
                return ws.write(
                    register.set_due, requirement_id=item, due=value, expected_version=version
                )

            return edit

        text = self.tr("Due date of {key}").format(key=detail.row.key)
        return self._edit(text, setter(new), setter(old))

    @Slot(int)
    def _on_owner_activated(self, index: int) -> None:
        self.assign("owner", self.owner_combo.itemData(index))

    @Slot(int)
    def _on_reviewer_activated(self, index: int) -> None:
        self.assign("reviewer", self.reviewer_combo.itemData(index))

    @Slot(int)
    def _on_priority_activated(self, index: int) -> None:
        self.set_priority(self.priority_combo.itemData(index))

    @Slot()
    def _on_due_committed(self) -> None:
        if self.detail is None or not self.due_edit.isEnabled():
            return
        date = self.due_edit.date()
        self.set_due(None if date == NO_DATE else dt.date(date.year(), date.month(), date.day()))

    @Slot()
    def _on_calendar_picked(self) -> None:
        QTimer.singleShot(0, self._on_due_committed)

    @Slot()
    def _on_clear_due(self) -> None:
        self.set_due(None)
