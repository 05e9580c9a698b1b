"""The People page: who owns, reviews and reads the register; admins add and edit people."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gpaitracker import parse
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity, Role
from gpaitracker.errors import UserError, ValidationError
from gpaitracker.services import people
from gpaitracker.services.people import PersonRow
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.table_model import Column, TableModel, table_view
from gpaitracker.ui.undo import push_edit
from gpaitracker.ui.widgets import action_button, error_label, page_action

FIELDS = ("name", "email", "role", "active")


def role_names(widget: QWidget) -> dict[Role, str]:
    return {
        Role.ADMIN: widget.tr("Admin"),
        Role.OFFICER: widget.tr("Officer"),
        Role.REVIEWER: widget.tr("Reviewer"),
        Role.EXECUTIVE: widget.tr("Executive (read-only)"),
        Role.AUDITOR: widget.tr("Auditor (read-only)"),
    }


class PersonDialog(QDialog):
    """A person's name, email, role and whether they are active."""

    def __init__(
        self,
        title: str,
        submit: Callable[[dict[str, Any]], bool],
        row: PersonRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._submit = submit
        self.name_edit = QLineEdit(row.name if row else "")
        self.email_edit = QLineEdit(row.email if row else "")
        self.email_edit.setPlaceholderText(self.tr("name@provider.eu"))
        self.role_combo = QComboBox()
        for role, label in role_names(self).items():
            self.role_combo.addItem(label, role.value)
        self.role_combo.setCurrentIndex(
            self.role_combo.findData((row.role if row else Role.OFFICER).value)
        )
        self.active_check = QCheckBox(self.tr("A&ctive"))
        self.active_check.setChecked(row.active if row else True)
        self.active_check.setToolTip(
            self.tr("Inactive people keep their history but can no longer change the register.")
        )
        self.active_check.setVisible(row is not None)
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&Email:"), self.email_edit)
        form.addRow(self.tr("&Role:"), self.role_combo)
        form.addRow("", self.active_check)
        hint = QLabel(
            self.tr(
                "Admins manage people and the organisation; officers and reviewers work on "
                "the register; executives and auditors only read it."
            )
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)
        self.error_label = error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._connect()

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def values(self) -> dict[str, Any]:
        """The values as entered, checked (raises ValidationError naming the field)."""
        name = parse.utf8(self.name_edit.text(), "name").strip()
        if not name:
            raise ValidationError("name must not be empty")
        return {
            "name": name,
            "email": parse.email(self.email_edit.text()),
            "role": parse.role(self.role_combo.currentData()),
            "active": self.active_check.isChecked(),
        }

    def accept(self) -> None:
        try:
            done = self._submit(self.values())
        except UserError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        if done:
            super().accept()


class PeoplePage(QWidget):
    title = QT_TRANSLATE_NOOP("PeoplePage", "People")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: PersonDialog | None = None
        muted = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        grey = lambda r: None if r.active else muted  # noqa: E731
        roles = role_names(self)
        yes, no = self.tr("yes"), self.tr("no")
        self.model = TableModel(
            [
                Column(self.tr("Name"), lambda r: r.name, colour=grey),
                Column(self.tr("Email"), lambda r: r.email, colour=grey),
                Column(self.tr("Role"), lambda r: roles.get(r.role, r.role), colour=grey),
                Column(
                    self.tr("Active"),
                    lambda r: yes if r.active else no,
                    colour=grey,
                ),
            ],
            self,
        )
        self.view = table_view(self.model, self)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.add_action = page_action(
            self, self.tr("&Add person…"), QKeySequence.StandardKey.New, enabled=ctx.may_admin
        )
        self.edit_action = page_action(
            self, self.tr("&Edit…"), QKeySequence(Qt.Key.Key_F2), enabled=ctx.may_admin
        )
        self.add_button = action_button(self, self.add_action)
        self.edit_button = action_button(self, self.edit_action)
        self.admin_note = QLabel(self.tr("Only admins add people or change their roles."))
        self.admin_note.setEnabled(False)
        self.error_label = error_label()
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.admin_note)
        bar.addStretch(1)
        for button in (self.add_button, self.edit_button):
            button.setVisible(ctx.may_admin)
        self.admin_note.setVisible(not ctx.may_admin)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.view)
        self._connect()
        self.refresh(None)

    def _connect(self) -> None:
        self.add_action.triggered.connect(self._on_add)
        self.edit_action.triggered.connect(self._on_edit)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)

    def refresh(self, changes: Changes | None) -> None:
        if changes is not None and not changes.touches(Entity.PERSON):
            return
        selected = self.selected()
        try:
            rows = self.ctx.ws.read(people.list_people)  # tens of rows: milliseconds
        except UserError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        self.error_label.hide()
        self.model.set_rows(rows)
        if selected is not None:
            self.select(selected.id)

    def selected(self) -> PersonRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row(rows[0]) if rows else None

    def select(self, person_id: int) -> None:
        at = self.model.find(lambda r: r.id == person_id)
        if at >= 0:
            self.view.selectRow(at)

    def _on_selection_changed(self, *_args: object) -> None:
        self.edit_action.setEnabled(self.ctx.may_admin and self.selected() is not None)

    def _on_activated(self, _index: QModelIndex) -> None:
        if self.ctx.may_admin:
            self._on_edit()

    def _on_add(self) -> None:
        if not self.ctx.may_admin:
            return
        self.dialog = PersonDialog(self.tr("Add person"), self._submit_add, parent=self)
        self.dialog.open()

    def _submit_add(self, values: dict[str, Any]) -> bool:
        values.pop("active")
        changes = self.ctx.ws.write(people.add_person, **values)
        self.ctx.announce(changes)
        self.select(changes.created_id(Entity.PERSON))
        return True

    def _on_edit(self) -> None:
        row = self.selected()
        if row is None or not self.ctx.may_admin:
            return
        self.dialog = PersonDialog(
            self.tr("Edit %s") % row.name, partial(self._submit_edit, row), row=row, parent=self
        )
        self.dialog.open()

    def _submit_edit(self, row: PersonRow, values: dict[str, Any]) -> bool:
        new = {k: values[k] for k in FIELDS if getattr(row, k) != values[k]}
        if not new:
            return True
        old = {k: getattr(row, k) for k in new}
        edits = _RowEdits(self.ctx, row)
        return (
            push_edit(
                self.ctx,
                self.tr("Edit %s") % row.email,
                partial(edits.write, **new),
                partial(edits.write, **old),
                self.dialog,
            )
            is not None
        )


class _RowEdits:
    """Edits of one person that pass the version they expect, so an undo or redo is refused
    when someone else changed the person meanwhile instead of silently overwriting them."""

    def __init__(self, ctx: UiContext, row: PersonRow) -> None:
        self.ctx, self.person_id, self.version = ctx, row.id, row.version

    def write(self, **values: Any) -> Changes:
        changes = self.ctx.ws.write(
            people.update_person,
            person_id=self.person_id,
            expected_version=self.version,
            **values,
        )
        self.version = self.ctx.ws.read(people.get, person_id=self.person_id).version
        return changes
