"""The Audit log page: who changed what, newest first; proving the hash chain is intact."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import UserError
from gpaitracker.services import audit_trail
from gpaitracker.services.audit_trail import TrailReport
from gpaitracker.services.queries import AuditRow
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.messages import CrashDialog
from gpaitracker.ui.table_model import Column, TableModel, table_view
from gpaitracker.ui.widgets import show_result

PAGE_SIZE = 2_000
SHOWN_CHARS = 120  # long values (notes, summaries) are cut in the table, whole in the tooltip


def _short(value: str | None) -> str:
    text = "" if value is None else " ".join(value.split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _haystack(row: AuditRow) -> str:
    return "\n".join(str(v) for v in (row.actor, row.label, row.field, row.old, row.new)).casefold()


class AuditPage(QWidget):
    title = QT_TRANSLATE_NOOP("AuditPage", "Audit log")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.limit = PAGE_SIZE
        self.load_task: Any = None
        self.verify_task: Any = None
        self.report: TrailReport | None = None
        self._haystacks: dict[int, str] = {}
        self._generation = 0
        event_tip = self.tr("event %d, %s")
        self.model = TableModel(
            [
                Column(
                    self.tr("When"),
                    lambda r: r.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                    key=lambda r: r.id,
                    tip=lambda r: event_tip % (r.id, r.at.isoformat()),
                ),
                Column(self.tr("Who"), lambda r: r.actor),
                Column(self.tr("Action"), lambda r: r.action),
                Column(self.tr("Kind"), lambda r: r.entity),
                Column(self.tr("Row"), lambda r: r.label),
                Column(self.tr("Field"), lambda r: r.field),
                Column(self.tr("Before"), lambda r: _short(r.old), tip=lambda r: r.old),
                Column(self.tr("After"), lambda r: _short(r.new), tip=lambda r: r.new),
            ],
            self,
        )
        self.view = table_view(self.model, self)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Filter by person, row, field or value"))
        self.search_edit.setClearButtonEnabled(True)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("All kinds"), None)
        for entity in Entity:
            self.kind_combo.addItem(entity.value, entity.value)
        self.count_label = QLabel()
        self.more_button = QPushButton(self.tr("Load %d older events") % PAGE_SIZE)
        self.verify_button = QPushButton(self.tr("&Verify chain"))
        self.verify_button.setToolTip(
            self.tr("Re-hash every event and check that each links to the one before it.")
        )
        self.head_button = QPushButton(self.tr("Copy &head"))
        self.head_button.setToolTip(
            self.tr(
                "Copies the newest event as ID:HASH. Keep it outside the register (an email, "
                "a ticket, a signed report): 'gpaitracker audit --verify --head ID:HASH' later "
                "proves that no event up to it was changed or removed."
            )
        )
        self.progress_bar = QProgressBar()
        self.progress_bar.hide()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.verify_button)
        filters.addWidget(self.head_button)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label, 1)
        footer.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.result_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(footer)
        self._connect()
        self.refresh(None)

    def _connect(self) -> None:
        self.search_edit.textChanged.connect(self._on_filter_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.more_button.clicked.connect(self._on_load_more)
        self.verify_button.clicked.connect(self._on_verify)
        self.head_button.clicked.connect(self._on_copy_head)

    # -- loading ---------------------------------------------------------------------------

    def refresh(self, changes: Changes | None) -> None:
        """Every write appends events, so any change (or None) reloads the newest ones."""
        if changes is not None and not changes:
            return
        self._generation += 1
        ws, limit, generation = self.ctx.ws, self.limit, self._generation

        def load(_progress: Any, _cancelled: Any) -> tuple[int, list[AuditRow]]:
            return generation, ws.read(audit_trail.events, limit=limit)

        self.load_task = self.ctx.worker.start(
            load,
            finished=self._on_loaded,
            failed=self._on_failed,
            crashed=self._on_crashed,
        )

    def _on_loaded(self, result: tuple[int, list[AuditRow]]) -> None:
        generation, rows = result
        if generation != self._generation:
            return  # a newer load is on its way
        self.load_task = None
        self._haystacks = {r.id: _haystack(r) for r in rows}
        self.model.set_rows(rows)
        self.more_button.setEnabled(len(rows) >= self.limit)
        self._on_filter_changed()

    def _on_failed(self, exc: UserError) -> None:
        self.load_task = None
        self._show_result(str(exc), ok=False)

    def _on_crashed(self, report: str) -> None:
        self.load_task = self.verify_task = None
        self.verify_button.setEnabled(True)
        self.progress_bar.hide()
        CrashDialog.show_for(self, report)

    def _on_load_more(self) -> None:
        self.limit += PAGE_SIZE
        self.refresh(None)

    # -- filtering -------------------------------------------------------------------------

    def _on_filter_changed(self, *_args: object) -> None:
        words = self.search_edit.text().casefold().split()
        kind = self.kind_combo.currentData()
        haystacks = self._haystacks
        if not words and kind is None:
            self.model.set_filter(None)
        else:
            self.model.set_filter(
                lambda r: (
                    (kind is None or r.entity == kind)
                    and all(w in haystacks.get(r.id, "") for w in words)
                )
            )
        shown, loaded = self.model.rowCount(), len(self.model.all_rows)
        self.count_label.setText(
            self.tr("%d of the newest %d events") % (shown, loaded)
            if shown != loaded
            else self.tr("The newest %d events") % loaded
        )

    # -- proving ---------------------------------------------------------------------------

    def _on_verify(self) -> None:
        if self.verify_task is not None:
            return
        register = self.ctx.ws.register

        def verify(progress: Any, _cancelled: Any) -> TrailReport:
            return audit_trail.verify(register, progress=progress)

        self.verify_button.setEnabled(False)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self._show_result(self.tr("Verifying the audit trail…"), ok=None)
        self.verify_task = self.ctx.worker.start(
            verify,
            progressed=self._on_verify_progress,
            finished=self._on_verified,
            failed=self._on_verify_failed,
            crashed=self._on_crashed,
        )

    def _on_verify_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(min(done, max(total, 1)))

    def _on_verified(self, report: TrailReport) -> None:
        self._verify_done()
        self.report = report
        if report.problems:
            self._show_result(
                self.tr("The audit trail is damaged:") + "\n" + "\n".join(report.problems),
                ok=False,
            )
        else:
            self._show_result(
                self.tr("The audit trail is intact: %d events checked.") % report.checked, ok=True
            )

    def _on_verify_failed(self, exc: UserError) -> None:
        self._verify_done()
        self._show_result(str(exc), ok=False)

    def _verify_done(self) -> None:
        self.verify_task = None
        self.verify_button.setEnabled(True)
        self.progress_bar.hide()

    def _show_result(self, text: str, ok: bool | None) -> None:
        show_result(self.result_label, text, ok)

    def _on_copy_head(self) -> None:
        try:
            head = self.ctx.ws.read(audit_trail.head)
        except UserError as exc:
            self._show_result(str(exc), ok=False)
            return
        if head is None:
            self._show_result(self.tr("The audit trail is empty."), ok=None)
            return
        QGuiApplication.clipboard().setText(str(head), QClipboard.Mode.Clipboard)
        self.ctx.bus.status_message.emit(self.tr("Copied the audit head %s") % head)
