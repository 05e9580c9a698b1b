"""The detail panel's status section: where the item stands in review, and the legal next steps.

Only transitions the workflow allows from the current status get a button; a button the
acting person may not use (four-eyes, no owner yet) stays visible but disabled, with the
workflow's own reason as its tooltip. The service decides in the end: whatever it refuses
is shown as a message.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpaitracker import workflow
from gpaitracker.changes import Changes
from gpaitracker.enums import Status
from gpaitracker.errors import ValidationError
from gpaitracker.services import register
from gpaitracker.services.item_detail import ItemDetail
from gpaitracker.ui import detail_offers
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.detail_edits import push_item_edit
from gpaitracker.ui.detail_models import local_time
from gpaitracker.ui.detail_offers import NEEDS_NOTE, outcome_of, status_text

# The order the buttons appear in (and are reached with Tab).
BUTTON_ORDER = (
    Status.IN_PROGRESS,
    Status.IN_REVIEW,
    Status.DONE,
    Status.NOT_APPLICABLE,
    Status.BLOCKED,
    Status.NOT_STARTED,
)


class StatusBox(QGroupBox):
    """Status, submitter and approver, note field and the legal status buttons."""

    refused = Signal()  # an edit was refused: the panel reloads what the register holds

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: ItemDetail | None = None
        self.person_ids: dict[str, int] = {}  # email -> id, to judge four-eyes by id
        self.setTitle(self.tr("Status"))
        self.status_label = QLabel()
        self.status_label.setObjectName("status")
        self.review_label = QLabel()
        self.review_label.setWordWrap(True)
        self.justification_label = QLabel()
        self.justification_label.setWordWrap(True)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText(
            self.tr("Note for this status change (required for Blocked and Not applicable)")
        )
        self.note_edit.setMaximumHeight(64)
        self.note_edit.setAccessibleName(self.tr("Status note"))
        self.status_buttons: dict[Status, QPushButton] = {s: QPushButton() for s in BUTTON_ORDER}
        self.override_button = QPushButton(self.tr("Approve in place of reviewer…"))
        self.override_button.setToolTip(
            self.tr("Admins only: approve although another reviewer is named; recorded and flagged")
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.review_label)
        layout.addWidget(self.justification_label)
        layout.addWidget(self.note_edit)
        # Two buttons a row: the panel is narrow, and button texts are long in some languages.
        self.button_grid = QGridLayout()
        layout.addLayout(self.button_grid)
        for n, button in enumerate(self.status_buttons.values()):
            self.button_grid.addWidget(button, n // 2, n % 2)  # parents them to this box
        override_row = QHBoxLayout()
        override_row.addWidget(self.override_button)
        override_row.addStretch(1)
        layout.addLayout(override_row)
        self._connect()
        self.set_detail(None)

    def _connect(self) -> None:
        for status, button in self.status_buttons.items():
            button.clicked.connect(getattr(self, f"_on_{status.value}"))
        self.override_button.clicked.connect(self._on_override)

    def focus_chain(self) -> list[QWidget]:
        return [self.note_edit, *self.status_buttons.values(), self.override_button]

    # -- showing ---------------------------------------------------------------------------

    def set_detail(
        self, detail: ItemDetail | None, person_ids: dict[str, int] | None = None
    ) -> None:
        self.detail = detail
        if person_ids is not None:
            self.person_ids = person_ids
        editing = detail is not None and self.ctx.may_edit
        self.note_edit.setVisible(editing)
        if detail is None:
            self.status_label.clear()
            self.review_label.clear()
            self.justification_label.clear()
            for button in self.status_buttons.values():
                button.hide()
            self.override_button.hide()
            return
        status = detail.row.status
        text = status_text(status)
        if status == Status.IN_REVIEW and detail.review_outcome:
            text = self.tr("{status}, for {outcome}").format(
                status=text, outcome=status_text(detail.review_outcome).lower()
            )
        self.status_label.setText(f"<b>{text}</b>")
        self.review_label.setText(self._review_text(detail))
        self.review_label.setVisible(bool(self.review_label.text()))
        justification = detail.na_justification if detail.na_justification else ""
        self.justification_label.setText(
            self.tr("Justification: {text}").format(text=justification) if justification else ""
        )
        self.justification_label.setVisible(bool(justification))
        self._show_buttons(detail, editing)

    def _review_text(self, detail: ItemDetail) -> str:
        parts = []
        if detail.submitted_by:
            parts.append(self.tr("Submitted by {who}").format(who=detail.submitted_by))
        if detail.approved_by:
            when = local_time(detail.approved_at) if detail.approved_at else ""
            approved = self.tr("Approved by {who} on {when}").format(
                who=detail.approved_by, when=when
            )
            if detail.approval_override:
                approved += " " + self.tr("(admin override of the named reviewer)")
            parts.append(approved)
        return "; ".join(parts)

    def _lay_out_buttons(self) -> None:
        for button in self.status_buttons.values():
            self.button_grid.removeWidget(button)
        shown = [b for b in self.status_buttons.values() if not b.isHidden()]
        for n, button in enumerate(shown):
            self.button_grid.addWidget(button, n // 2, n % 2)

    def _show_buttons(self, detail: ItemDetail, editing: bool) -> None:
        actor = detail_offers.Actor(self.ctx.actor.id, self.ctx.may_admin, self.person_ids)
        offered = detail_offers.offers(detail, actor) if editing else {}
        for target, button in self.status_buttons.items():
            offer = offered.get(target)
            button.setVisible(offer is not None)
            if offer is not None:
                button.setText(offer.text)
                button.setEnabled(offer.enabled)
                button.setToolTip(offer.tooltip)
        self._lay_out_buttons()
        override = detail_offers.override_offer(detail, actor) if editing else None
        self.override_button.setVisible(override is not None)
        if override is not None:
            self.override_button.setText(override.text)
            self.override_button.setEnabled(override.enabled)
            self.override_button.setToolTip(override.tooltip)

    # -- editing ---------------------------------------------------------------------------

    def request(self, target: Status, override: bool = False) -> Changes | None:
        """Ask the workflow to move the shown item to target, undoably; None if refused."""
        detail = self.detail
        if detail is None:
            return None
        row = detail.row
        note = self.note_edit.toPlainText().strip()
        back, back_note = detail_offers.reverse(detail)
        key = row.key

        def apply(version: int | None) -> Changes:
            return self.ctx.ws.write(
                register.change_status,
                requirement_id=row.id,
                status=target,
                note=note,
                override=override,
                expected_version=version,
            )

        def revert(version: int | None) -> Changes:
            if back in workflow.CLOSED:
                raise ValidationError(
                    f"{key} cannot go back to {back.value} by undo: an outcome needs review "
                    "again; submit it for review"
                )
            return self.ctx.ws.write(
                register.change_status,
                requirement_id=row.id,
                status=back,
                note=back_note,
                expected_version=version,
            )

        text = self.tr("Status of {key}: {old} to {new}").format(
            key=key, old=status_text(row.status), new=status_text(target)
        )
        changes = push_item_edit(self.ctx, text, row.id, row.version, apply, revert, self)
        if changes is None:
            if target in NEEDS_NOTE and not note:
                self.note_edit.setFocus()
            self.refused.emit()
        else:
            self.note_edit.clear()
        return changes

    @Slot()
    def _on_in_progress(self) -> None:
        self.request(Status.IN_PROGRESS)

    @Slot()
    def _on_in_review(self) -> None:
        self.request(Status.IN_REVIEW)

    @Slot()
    def _on_done(self) -> None:
        self.request(Status.DONE)

    @Slot()
    def _on_not_applicable(self) -> None:
        self.request(Status.NOT_APPLICABLE)

    @Slot()
    def _on_blocked(self) -> None:
        self.request(Status.BLOCKED)

    @Slot()
    def _on_not_started(self) -> None:
        self.request(Status.NOT_STARTED)

    @Slot()
    def _on_override(self) -> None:
        detail = self.detail
        if detail is None:
            return
        outcome = outcome_of(detail)
        answer = QMessageBox.question(
            self,
            self.tr("Approve in place of the reviewer"),
            self.tr(
                "{key} names {reviewer} as its reviewer. Approve it as {outcome} yourself? "
                "The register records that an admin overrode the named reviewer."
            ).format(
                key=detail.row.key,
                reviewer=detail.reviewer_name or detail.row.reviewer or "",
                outcome=status_text(outcome).lower(),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.request(outcome, override=True)
