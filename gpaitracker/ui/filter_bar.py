"""The register's filter bar: search, status, owner, model, chapter, due dates, inactive items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.enums import Status
from gpaitracker.services.ai_models import ModelRow
from gpaitracker.services.people import PersonRow
from gpaitracker.ui.register_groups import GroupBy, group_by_label
from gpaitracker.ui.register_model import UNASSIGNED, RowFilter, status_label


class FilterBar(QWidget):
    """Emits `changed` whenever what it asks for changes; `row_filter()` says what that is."""

    changed = Signal()
    grouping_changed = Signal()  # group_by() says how the register is to be grouped now

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search key, title, owner, summary, comments"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setToolTip(self.tr("Search the register (Ctrl+F)"))
        self.status_combo = self._combo(self.tr("Any status"), self.tr("Status"))
        for status in Status:
            self.status_combo.addItem(status_label(status), status.value)
        self.owner_combo = self._combo(self.tr("Any owner"), self.tr("Owner"))
        self.owner_combo.addItem(self.tr("Unassigned"), UNASSIGNED)
        self.model_combo = self._combo(self.tr("All models"), self.tr("AI model"))
        self.chapter_combo = self._combo(self.tr("All chapters"), self.tr("Chapter or article"))
        self.overdue_check = QCheckBox(self.tr("&Overdue"))
        self.overdue_check.setToolTip(self.tr("Only open items past their due date"))
        self.due_within_spin = QSpinBox()
        self.due_within_spin.setRange(0, 3650)
        self.due_within_spin.setSpecialValueText(self.tr("Due: any time"))
        self.due_within_spin.setPrefix(self.tr("Due within "))
        self.due_within_spin.setSuffix(self.tr(" days"))
        self.due_within_spin.setToolTip(
            self.tr("Only open items due within this many days, overdue ones included")
        )
        self.inactive_check = QCheckBox(self.tr("Show items that no longer &apply"))
        self.inactive_check.setToolTip(
            self.tr("Items re-scoped out of a model or withdrawn from the catalogue, greyed")
        )
        self.group_combo = QComboBox()
        self.group_combo.setToolTip(self.tr("Show the register as a tree by model or chapter"))
        for group_by in GroupBy:
            self.group_combo.addItem(group_by_label(group_by), group_by.value)
        self._build()
        self._connect()

    def _combo(self, anything: str, tip: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(anything, None)
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        return combo

    def _build(self) -> None:
        first = QHBoxLayout()
        first.addWidget(self.search_edit, 3)
        for combo in (self.status_combo, self.owner_combo, self.model_combo, self.chapter_combo):
            first.addWidget(combo, 1)
        second = QHBoxLayout()
        second.addWidget(self.overdue_check)
        second.addWidget(self.due_within_spin)
        second.addWidget(self.inactive_check)
        second.addStretch(1)
        second.addWidget(self.group_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(first)
        layout.addLayout(second)

    def _connect(self) -> None:
        self.search_edit.textChanged.connect(self._on_changed)
        for combo in (self.status_combo, self.owner_combo, self.model_combo, self.chapter_combo):
            combo.currentIndexChanged.connect(self._on_changed)
        self.overdue_check.toggled.connect(self._on_changed)
        self.due_within_spin.valueChanged.connect(self._on_changed)
        self.inactive_check.toggled.connect(self._on_changed)
        self.group_combo.currentIndexChanged.connect(self.grouping_changed)

    def clear(self) -> None:
        """Ask for everything again (one `changed`, not one per control)."""
        self.blockSignals(True)
        try:
            self.search_edit.clear()
            combos = (self.status_combo, self.owner_combo, self.model_combo, self.chapter_combo)
            for combo in combos:
                combo.setCurrentIndex(0)
            self.overdue_check.setChecked(False)
            self.due_within_spin.setValue(0)
            self.inactive_check.setChecked(False)
        finally:
            self.blockSignals(False)
        self.changed.emit()

    def _on_changed(self, *_: object) -> None:
        self.changed.emit()

    def row_filter(self) -> RowFilter:
        status = self.status_combo.currentData()
        days = self.due_within_spin.value()
        return RowFilter(
            text=self.search_edit.text(),
            status=Status(status) if status is not None else None,
            owner_id=self.owner_combo.currentData(),
            model_id=self.model_combo.currentData(),
            chapter=self.chapter_combo.currentData(),
            overdue=self.overdue_check.isChecked(),
            due_within=days or None,
            include_inactive=self.inactive_check.isChecked(),
        )

    def group_by(self) -> GroupBy:
        return GroupBy.parse(self.group_combo.currentData())

    def set_group_by(self, group_by: GroupBy) -> None:
        self.group_combo.setCurrentIndex(max(self.group_combo.findData(group_by.value), 0))

    def set_people(self, people: Iterable[PersonRow]) -> None:
        choices = [(f"{p.name} <{p.email}>", p.id) for p in people]
        self._fill(self.owner_combo, choices, keep=2)

    def set_models(self, models: Iterable[ModelRow]) -> None:
        self._fill(self.model_combo, [(m.name, m.id) for m in models])

    def set_chapters(self, chapters: Sequence[str]) -> None:
        self._fill(self.chapter_combo, [(c, c) for c in chapters])

    def _fill(self, combo: QComboBox, choices: list[tuple[str, Any]], keep: int = 1) -> None:
        """Replace the choices after the first `keep`; the current one stays if still offered."""
        current = combo.currentData()
        offered = [combo.itemData(i) for i in range(keep, combo.count())]
        if offered == [value for _, value in choices] and all(
            combo.itemText(keep + i) == text for i, (text, _) in enumerate(choices)
        ):
            return
        combo.blockSignals(True)
        try:
            while combo.count() > keep:
                combo.removeItem(combo.count() - 1)
            for text, value in choices:
                combo.addItem(text, value)
            at = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(at, 0))
        finally:
            combo.blockSignals(False)
        if combo.currentData() != current:
            self.changed.emit()
