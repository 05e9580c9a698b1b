"""The Models page: the provider's AI models, their facts, adding, editing and retiring them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gpaitracker import parse
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import UserError, ValidationError
from gpaitracker.services import ai_models, model_facts, model_retire
from gpaitracker.services.ai_models import ModelRow
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.table_model import Column, TableModel, table_view
from gpaitracker.ui.undo import push_edit
from gpaitracker.ui.widgets import action_button, error_label, page_action

# Dialog value -> ModelRow field, for the facts that decide what applies.
FACTS = {
    "placed_on_market": "placed_on_market",
    "training_flop": "training_flop",
    "open_source": "open_source",
    "systemic_risk": "designated_systemic_risk",
}
TEXTS = ("name", "version", "notes")
KINDS = (Entity.MODEL, Entity.REQUIREMENT, Entity.CATALOGUE, Entity.ORGANISATION)


def flop_text(value: float | None) -> str:
    return "" if value is None else f"{value:.3g}".replace("e+", "e")


class RowEdits:
    """Writes to one row that pass the version they expect, so an undo or redo is refused
    when someone else changed the row meanwhile instead of silently overwriting them."""

    def __init__(
        self, ctx: UiContext, id_field: str, row_id: int, version: int, current: Callable[[], int]
    ) -> None:
        self.ctx, self.id_field, self.row_id = ctx, id_field, row_id
        self.version, self.current = version, current

    def write(self, fn: Callable[..., Changes], **values: Any) -> Changes:
        ids = {self.id_field: self.row_id}
        changes = self.ctx.ws.write(fn, expected_version=self.version, **ids, **values)
        self.version = self.current()
        return changes

    def edit(self, fn: Callable[..., Changes], **values: Any) -> Callable[[], Changes]:
        return partial(self.write, fn, **values)


class ModelDialog(QDialog):
    """A model's name and facts; when facts change what applies, the plan must be confirmed."""

    def __init__(
        self,
        title: str,
        submit: Callable[[dict[str, Any], bool], bool],
        row: ModelRow | None = None,
        preview: Callable[[dict[str, Any]], list[str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._submit, self._preview, self._row = submit, preview, row
        self.name_edit = QLineEdit(row.name if row else "")
        self.version_edit = QLineEdit(row.version if row else "")
        self.placed_edit = QDateEdit(QDate(row.placed_on_market) if row else QDate.currentDate())
        self.placed_edit.setCalendarPopup(True)
        self.placed_edit.setDisplayFormat("yyyy-MM-dd")
        self.placed_edit.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))
        self.flop_edit = QLineEdit(flop_text(row.training_flop) if row else "")
        self.flop_edit.setPlaceholderText(self.tr("e.g. 3e24 (empty: unknown)"))
        self.flop_edit.setToolTip(
            self.tr("Above 1e25 FLOP a model is presumed to have systemic risk (Art. 51(2)).")
        )
        self.open_source_check = QCheckBox(self.tr("&Open source"))
        self.open_source_check.setChecked(bool(row and row.open_source))
        self.systemic_check = QCheckBox(self.tr("&Designated systemic risk"))
        self.systemic_check.setChecked(bool(row and row.designated_systemic_risk))
        self.notes_edit = QPlainTextEdit(row.notes if row else "")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMaximumHeight(80)
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&Version:"), self.version_edit)
        form.addRow(self.tr("&Placed on the market:"), self.placed_edit)
        form.addRow(self.tr("Training &compute (FLOP):"), self.flop_edit)
        form.addRow("", self.open_source_check)
        form.addRow("", self.systemic_check)
        form.addRow(self.tr("No&tes:"), self.notes_edit)
        self.plan_box = QGroupBox(self.tr("What changes in the register"))
        self.plan_view = QPlainTextEdit()
        self.plan_view.setReadOnly(True)
        self.plan_view.setMinimumHeight(self.fontMetrics().height() * 8)
        self.confirm_check = QCheckBox(self.tr("&Apply this re-scope"))
        plan_layout = QVBoxLayout(self.plan_box)
        plan_layout.addWidget(self.plan_view)
        plan_layout.addWidget(
            QLabel(
                self.tr(
                    "Nothing is deleted: items that stop applying are kept and marked. A "
                    "re-scope is recorded in the audit trail but cannot be undone with Undo; "
                    "change the facts back to restore what applies."
                )
            )
        )
        plan_layout.addWidget(self.confirm_check)
        for label in self.plan_box.findChildren(QLabel):
            label.setWordWrap(True)
        self.plan_box.hide()
        self.note_label = QLabel(
            self.tr("Name, version and notes changes can be undone (Ctrl+Z).")
            if row
            else self.tr("Adding a model fills its register from the catalogues.")
        )
        self.note_label.setWordWrap(True)
        self.note_label.setEnabled(False)
        self.error_label = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.plan_box)
        layout.addWidget(self.note_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.resize(560, 420)
        self._connect()

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.placed_edit.dateChanged.connect(self._on_facts_changed)
        self.flop_edit.textChanged.connect(self._on_facts_changed)
        self.open_source_check.toggled.connect(self._on_facts_changed)
        self.systemic_check.toggled.connect(self._on_facts_changed)
        self.confirm_check.toggled.connect(self._on_confirm_toggled)

    def facts(self) -> dict[str, Any]:
        """The facts as entered, checked (raises ValidationError naming the field)."""
        return {
            "placed_on_market": parse.date(
                self.placed_edit.date().toPython(), "placed-on-market date"
            ),
            "training_flop": parse.flop(self.flop_edit.text()),
            "open_source": self.open_source_check.isChecked(),
            "systemic_risk": self.systemic_check.isChecked(),
        }

    def values(self) -> dict[str, Any]:
        name = parse.utf8(self.name_edit.text(), "model name").strip()
        if not name:
            raise ValidationError("model name must not be empty")
        return {
            "name": name,
            "version": parse.utf8(self.version_edit.text(), "model version").strip(),
            "notes": parse.utf8(self.notes_edit.toPlainText(), "model notes").strip(),
            **self.facts(),
        }

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _on_facts_changed(self, *_args: object) -> None:
        if self._preview is None:
            return
        try:
            lines = self._preview(self.facts())
        except UserError:
            lines = []  # the field message appears when saving
        self.plan_view.setPlainText("\n".join(lines))
        if bool(lines) != self.plan_box.isVisibleTo(self):
            self.plan_box.setVisible(bool(lines))
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))
        self.confirm_check.setChecked(False)
        self._on_confirm_toggled(False)

    def _on_confirm_toggled(self, checked: bool) -> None:
        needs = self.plan_box.isVisibleTo(self)
        self.save_button.setEnabled(checked or not needs)
        self.save_button.setText(self.tr("Re-scope and save") if needs else self.tr("Save"))

    def accept(self) -> None:
        try:
            values = self.values()
            done = self._submit(values, self.confirm_check.isChecked())
        except UserError as exc:
            self.show_error(str(exc))
            return
        if done:
            super().accept()


class ModelsPage(QWidget):
    title = QT_TRANSLATE_NOOP("ModelsPage", "Models")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: ModelDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._retiring: tuple[ModelRow, bool] | None = None
        muted = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        grey = lambda r: muted if r.retired else None  # noqa: E731
        yes, items_tip = self.tr("yes"), self.tr("Items that apply to the model")
        self.model = TableModel(
            [
                Column(self.tr("Name"), lambda r: r.name, tip=lambda r: r.slug, colour=grey),
                Column(self.tr("Version"), lambda r: r.version, colour=grey),
                Column(
                    self.tr("Placed on market"),
                    lambda r: r.placed_on_market.isoformat(),
                    key=lambda r: r.placed_on_market,
                    colour=grey,
                ),
                Column(
                    self.tr("Training FLOP"),
                    lambda r: flop_text(r.training_flop),
                    key=lambda r: r.training_flop,
                    numeric=True,
                    colour=grey,
                ),
                Column(self.tr("Open source"), lambda r: yes if r.open_source else "", colour=grey),
                Column(
                    self.tr("Systemic risk"),
                    self._systemic_text,
                    key=lambda r: (r.systemic_risk, r.designated_systemic_risk),
                    colour=grey,
                ),
                Column(
                    self.tr("Items"),
                    lambda r: str(r.item_count),
                    key=lambda r: r.item_count,
                    numeric=True,
                    tip=lambda _r: items_tip,
                    colour=grey,
                ),
                Column(self.tr("Retired"), lambda r: yes if r.retired else "", colour=grey),
            ],
            self,
        )
        self.view = table_view(self.model, self)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.add_action = page_action(
            self, self.tr("&Add model…"), QKeySequence.StandardKey.New, enabled=ctx.may_edit
        )
        self.edit_action = page_action(
            self, self.tr("&Edit…"), QKeySequence(Qt.Key.Key_F2), enabled=ctx.may_edit
        )
        self.retire_action = page_action(
            self, self.tr("&Retire…"), QKeySequence.StandardKey.Delete, enabled=ctx.may_edit
        )
        self.add_button, self.edit_button, self.retire_button = (
            action_button(self, a) for a in (self.add_action, self.edit_action, self.retire_action)
        )
        self.error_label = error_label()
        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.retire_button):
            bar.addWidget(button)
            button.setVisible(ctx.may_edit)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.view)
        # What the selected model's facts mean (Art. 3, 51-54) and what the rules had to assume.
        self.standing_label = QLabel()
        self.standing_label.setWordWrap(True)
        self.standing_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.standing_label)
        self._connect()
        self.refresh(None)

    def _connect(self) -> None:
        self.add_action.triggered.connect(self._on_add)
        self.edit_action.triggered.connect(self._on_edit)
        self.retire_action.triggered.connect(self._on_retire)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)

    def _systemic_text(self, row: ModelRow) -> str:
        if row.designated_systemic_risk:
            return self.tr("yes (designated)")
        return self.tr("yes (compute)") if row.systemic_risk else ""

    # -- reading ---------------------------------------------------------------------------

    def refresh(self, changes: Changes | None) -> None:
        if changes is not None and not any(changes.touches(k) for k in KINDS):
            return
        selected = self.selected()
        try:
            rows = self.ctx.ws.read(ai_models.list_models)  # a handful of rows: milliseconds
        except UserError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        self.error_label.hide()
        self.model.set_rows(rows)
        if selected is not None:
            self.select(selected.id)

    def selected(self) -> ModelRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row(rows[0]) if rows else None

    def select(self, model_id: int) -> None:
        at = self.model.find(lambda r: r.id == model_id)
        if at >= 0:
            self.view.selectRow(at)

    def _on_selection_changed(self, *_args: object) -> None:
        row = self.selected()
        editable = self.ctx.may_edit and row is not None
        self.edit_action.setEnabled(editable)
        self.retire_action.setEnabled(editable)
        back = row is not None and row.retired
        self.retire_action.setText(self.tr("&Bring back…") if back else self.tr("&Retire…"))
        self._show_standing(row)

    def _show_standing(self, row: ModelRow | None) -> None:
        if row is None:
            self.standing_label.clear()
            return
        try:
            found = self.ctx.ws.read(model_facts.assess, model_id=row.id)
        except UserError as exc:
            self.standing_label.setText(str(exc))
            return
        lines = list(found.standing) + [
            self.tr("Warning: %1").replace("%1", w) for w in found.warnings
        ]
        self.standing_label.setText("\n".join(lines))

    def _on_activated(self, _index: QModelIndex) -> None:
        if self.ctx.may_edit:
            self._on_edit()

    # -- adding and editing ----------------------------------------------------------------

    def _on_add(self) -> None:
        if not self.ctx.may_edit:
            return
        self.dialog = ModelDialog(self.tr("Add model"), self._submit_add, parent=self)
        self.dialog.open()

    def _submit_add(self, values: dict[str, Any], _confirmed: bool) -> bool:
        changes = self.ctx.ws.write(ai_models.add_model, **values)
        self.ctx.announce(changes)
        self.select(changes.created_id(Entity.MODEL))
        return True

    def _on_edit(self) -> None:
        row = self.selected()
        if row is None or not self.ctx.may_edit:
            return
        self.dialog = ModelDialog(
            self.tr("Edit model %s") % row.name,
            partial(self._submit_edit, row),
            row=row,
            preview=partial(self._preview, row),
            parent=self,
        )
        self.dialog.open()

    def _changed_facts(self, row: ModelRow, facts: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in facts.items() if getattr(row, FACTS[k]) != v}

    def _preview(self, row: ModelRow, facts: dict[str, Any]) -> list[str]:
        changed = self._changed_facts(row, facts)
        if not changed:
            return []
        return self.ctx.ws.read(ai_models.preview_update, model_id=row.id, **changed).lines()

    def _submit_edit(self, row: ModelRow, values: dict[str, Any], confirmed: bool) -> bool:
        facts = self._changed_facts(row, {k: values[k] for k in FACTS})
        texts = {k: values[k] for k in TEXTS if getattr(row, k) != values[k]}
        if not facts and not texts:
            return True
        if self._preview(row, facts):
            if not confirmed:
                raise ValidationError("this change alters what applies; review it and confirm")
            changes = self.ctx.ws.write(
                ai_models.update_model,
                model_id=row.id,
                confirm=True,
                expected_version=row.row_version,
                **facts,
                **texts,
            )
            self.ctx.announce(changes)
            self.ctx.bus.status_message.emit(
                self.tr("Model %s re-scoped (recorded in the audit trail; Undo cannot reverse it)")
                % row.slug
            )
            return True
        old = {k: getattr(row, FACTS.get(k, k)) for k in (*facts, *texts)}
        edits = self._row_edits(row)
        update = ai_models.update_model
        applied = push_edit(
            self.ctx,
            self.tr("Edit model %s") % row.name,
            edits.edit(update, **facts, **texts),
            edits.edit(update, **old),
            self.dialog,
        )
        return applied is not None

    def _row_edits(self, row: ModelRow) -> RowEdits:
        def current() -> int:
            return self.ctx.ws.read(ai_models.get, model_id=row.id).row_version

        return RowEdits(self.ctx, "model_id", row.id, row.row_version, current)

    # -- retiring --------------------------------------------------------------------------

    def _on_retire(self) -> None:
        row = self.selected()
        if row is None or not self.ctx.may_edit:
            return
        retire = not row.retired
        try:
            plan = self.ctx.ws.read(model_retire.preview, model_id=row.id, today=dt.date.today())
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Not saved"), str(exc))
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Retire model") if retire else self.tr("Bring model back"),
            "\n".join(plan.lines(retire)),
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(self.tr("You can undo this (Ctrl+Z)."))
        box.button(QMessageBox.StandardButton.Ok).setText(
            self.tr("Retire") if retire else self.tr("Bring back")
        )
        self._retiring = (row, retire)
        self.confirm_box = box
        box.finished.connect(self._on_retire_answered)
        box.open()

    def _on_retire_answered(self, _result: int) -> None:
        box, pending = self.confirm_box, self._retiring
        self.confirm_box, self._retiring = None, None
        if box is None or pending is None:
            return
        if box.clickedButton() is not box.button(QMessageBox.StandardButton.Ok):
            return
        row, retire = pending
        edits = self._row_edits(row)
        push_edit(
            self.ctx,
            (self.tr("Retire model %s") if retire else self.tr("Bring back model %s")) % row.name,
            edits.edit(model_retire.retire_model, retired=retire),
            edits.edit(model_retire.retire_model, retired=not retire),
            self,
        )
