"""The Evidence page: every file and link, its validity and whether its bytes are intact."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, Qt, QUrl
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpaitracker import checks
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import UserError
from gpaitracker.services import evidence, evidence_export, queries
from gpaitracker.services.evidence import EvidenceRow
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.messages import CrashDialog, show_error
from gpaitracker.ui.table_model import Column, TableModel, table_view
from gpaitracker.ui.widgets import PROBLEM_COLOUR, show_result

KINDS = (Entity.EVIDENCE, Entity.CATALOGUE)
STATE_COLOURS = {"expired": "#c62828", "expiring": "#e65100", "not_yet_valid": "#6d6d6d"}
DAMAGED = ("changed", "missing")


def size_text(size: int | None) -> str:
    if size is None:
        return ""
    value, unit = float(size), "B"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            break
        value /= 1024
    return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"


def file_states(report: checks.StoreReport) -> dict[int, str]:
    """evidence id -> changed or missing, from verify_store's problem lines."""
    out: dict[int, str] = {}
    for line in report.problems:
        head, _, _rest = line.partition(" (")
        kind, _, number = head.partition(" ")
        if kind != "evidence" or not number.isdigit():
            continue
        state = "missing" if line.endswith("is missing") else "changed"
        if out.get(int(number)) != "missing":
            out[int(number)] = state
    return out


class ItemPicker(QDialog):
    """Which register item dropped files go to: type to narrow, Enter to choose."""

    def __init__(self, ctx: UiContext, names: list[str], current: int | None, parent: QWidget):
        super().__init__(parent)
        self.ctx, self._current = ctx, current
        self.setWindowTitle(self.tr("Attach to which item?"))
        self._haystacks: dict[int, str] = {}
        self.model = TableModel(
            [
                Column(self.tr("Key"), lambda r: r.key),
                Column(self.tr("Title"), lambda r: r.title, tip=lambda r: r.title),
            ],
            self,
        )
        self.files_label = QLabel(self.tr("Files: %s") % ", ".join(names))
        self.files_label.setWordWrap(True)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search by key or title"))
        self.search_edit.setClearButtonEnabled(True)
        self.view = table_view(self.model, self)
        self.view.setSortingEnabled(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("&Attach"))
        self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        for widget in (self.files_label, self.search_edit, self.view, self.buttons):
            layout.addWidget(widget)
        self.resize(640, 480)
        self._connect()
        ws = ctx.ws
        self.task = ctx.worker.start(
            lambda _p, _c: ws.read(queries.list_rows),
            finished=self._on_loaded,
            failed=self._on_failed,
        )

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.search_edit.textChanged.connect(self._on_search)
        self.search_edit.returnPressed.connect(self._on_search_return)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)

    @property
    def chosen_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row(rows[0]).id if rows else None

    def _on_loaded(self, rows: list[queries.RegisterRow]) -> None:
        self._haystacks = {r.id: f"{r.key}\n{r.title}".casefold() for r in rows}
        self.model.set_rows(rows)
        self._on_search(self.search_edit.text())
        if self._current is not None:
            at = self.model.find(lambda r: r.id == self._current)
            if at >= 0:
                self.view.selectRow(at)
                self.view.scrollTo(self.model.index(at, 0))

    def _on_failed(self, exc: UserError) -> None:
        self.files_label.setText(str(exc))

    def _on_search(self, text: str) -> None:
        words, haystacks = text.casefold().split(), self._haystacks
        self.model.set_filter(
            (lambda r: all(w in haystacks[r.id] for w in words)) if words else None
        )
        if self.model.rowCount():
            self.view.selectRow(0)

    def _on_search_return(self) -> None:
        if self.chosen_id is not None:
            self.accept()

    def _on_activated(self, _index: QModelIndex) -> None:
        self.accept()

    def _on_selection_changed(self, *_args: object) -> None:
        self.ok_button.setEnabled(self.chosen_id is not None)


class EvidencePage(QWidget):
    title = QT_TRANSLATE_NOOP("EvidencePage", "Evidence")

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.picker: ItemPicker | None = None
        self.load_task: Any = None
        self.verify_task: Any = None
        self.open_task: Any = None
        self.file_states: dict[int, str] | None = None  # None until "Verify files" ran
        self.current_item: int | None = None
        self._generation = 0
        self._dropped: list[Path] = []
        self.states = {
            "valid": self.tr("valid"),
            "expiring": self.tr("expiring"),
            "expired": self.tr("expired"),
            "not_yet_valid": self.tr("not yet valid"),
        }
        self.model = TableModel(
            [
                Column(self.tr("Title"), lambda r: r.title, tip=self._title_tip),
                Column(self.tr("Kind"), lambda r: r.kind),
                Column(
                    self.tr("State"),
                    lambda r: self.states[r.state()],
                    colour=lambda r: _colour(STATE_COLOURS.get(r.state())),
                ),
                Column(
                    self.tr("Valid until"),
                    lambda r: r.valid_until.isoformat() if r.valid_until else "",
                    key=lambda r: r.valid_until,
                ),
                Column(
                    self.tr("Revision"),
                    lambda r: "" if r.revision is None else str(r.revision),
                    key=lambda r: r.revision,
                    numeric=True,
                ),
                Column(
                    self.tr("Size"), lambda r: size_text(r.size), key=lambda r: r.size, numeric=True
                ),
                Column(
                    self.tr("File check"),
                    self._check_text,
                    colour=lambda r: _colour(PROBLEM_COLOUR if self._damaged(r) else None),
                ),
                Column(self.tr("Linked items"), lambda r: ", ".join(r.keys)),
            ],
            self,
        )
        self.view = table_view(self.model, self)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.state_combo = QComboBox()
        self.state_combo.addItem(self.tr("All evidence"), None)
        for state, label in self.states.items():
            self.state_combo.addItem(label.capitalize(), state)
        self.state_combo.addItem(self.tr("Changed or missing on disk"), "damaged")
        self.open_action = QAction(self.tr("&Open copy"), self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.open_action.setToolTip(
            self.tr("Opens a copy whose bytes were checked against the stored SHA-256.")
        )
        self.addAction(self.open_action)
        self.open_button = QPushButton(self.open_action.text())
        self.open_button.setToolTip(self.open_action.toolTip())
        self.verify_button = QPushButton(self.tr("&Verify files"))
        self.verify_button.setToolTip(
            self.tr("Re-hash every stored file and show which were changed or are missing.")
        )
        self.progress_bar = QProgressBar()
        self.progress_bar.hide()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.drop_hint = QLabel(self.tr("Drop files here to attach them to a register item."))
        self.drop_hint.setEnabled(False)
        self.drop_hint.setVisible(ctx.may_edit)
        self.setAcceptDrops(ctx.may_edit)
        bar = QHBoxLayout()
        bar.addWidget(self.state_combo)
        bar.addWidget(self.open_button)
        bar.addWidget(self.verify_button)
        bar.addStretch(1)
        bar.addWidget(self.drop_hint)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.result_label)
        layout.addWidget(self.view, 1)
        self._connect()
        self._on_selection_changed()
        self.refresh(None)

    def _connect(self) -> None:
        self.state_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.open_action.triggered.connect(self._on_open)
        self.open_button.clicked.connect(self._on_open)
        self.verify_button.clicked.connect(self._on_verify)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)
        self.ctx.bus.item_selected.connect(self._on_item_selected)

    def _title_tip(self, row: EvidenceRow) -> str:
        parts = [row.title, row.url or row.name or "", row.description]
        return "\n".join(p for p in parts if p)

    def _damaged(self, row: EvidenceRow) -> bool:
        return self.file_states is not None and self.file_states.get(row.id) in DAMAGED

    def _check_text(self, row: EvidenceRow) -> str:
        if row.kind != "file" or self.file_states is None:
            return ""
        state = self.file_states.get(row.id)
        if state == "missing":
            return self.tr("missing")
        return self.tr("changed") if state == "changed" else self.tr("unchanged")

    # -- loading and filtering -------------------------------------------------------------

    def refresh(self, changes: Changes | None) -> None:
        if changes is not None and not any(changes.touches(k) for k in KINDS):
            return
        self._generation += 1
        ws, generation = self.ctx.ws, self._generation

        def load(_progress: Any, _cancelled: Any) -> tuple[int, list[EvidenceRow]]:
            return generation, ws.read(evidence.list_evidence)

        self.load_task = self.ctx.worker.start(
            load,
            finished=self._on_loaded,
            failed=self._on_failed,
            crashed=self._on_crashed,
        )

    def _on_loaded(self, result: tuple[int, list[EvidenceRow]]) -> None:
        generation, rows = result
        if generation != self._generation:
            return
        self.load_task = None
        selected = self.selected()
        self.model.set_rows(rows)
        self._on_filter_changed()
        if selected is not None:
            at = self.model.find(lambda r: r.id == selected.id)
            if at >= 0:
                self.view.selectRow(at)

    def _on_failed(self, exc: UserError) -> None:
        self.load_task = None
        self._show_result(str(exc), problem=True)

    def _on_crashed(self, report: str) -> None:
        self.load_task = self.verify_task = self.open_task = None
        self.verify_button.setEnabled(True)
        self.progress_bar.hide()
        CrashDialog.show_for(self, report)

    def _on_filter_changed(self, *_args: object) -> None:
        wanted = self.state_combo.currentData()
        if wanted is None:
            self.model.set_filter(None)
        elif wanted == "damaged":
            self.model.set_filter(self._damaged)
        else:
            self.model.set_filter(lambda r: r.state() == wanted)

    def selected(self) -> EvidenceRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row(rows[0]) if rows else None

    def _on_selection_changed(self, *_args: object) -> None:
        row = self.selected()
        self.open_action.setEnabled(row is not None and self.open_task is None)
        self.open_button.setEnabled(self.open_action.isEnabled())

    def _on_item_selected(self, requirement_id: int | None) -> None:
        self.current_item = requirement_id

    # -- opening and verifying -------------------------------------------------------------

    def _on_activated(self, _index: QModelIndex) -> None:
        self._on_open()

    def _on_open(self) -> None:
        row = self.selected()
        if row is None or self.open_task is not None:
            return
        if row.kind != "file":
            QDesktopServices.openUrl(QUrl(row.url or ""))
            return
        ws, evidence_id = self.ctx.ws, row.id

        def copy(_progress: Any, _cancelled: Any) -> Path:
            return ws.read(evidence_export.open_copy, store=ws.store, evidence_id=evidence_id)

        self.open_task = self.ctx.worker.start(
            copy,
            finished=self._on_copied,
            failed=self._on_open_failed,
            crashed=self._on_crashed,
        )
        self._on_selection_changed()

    def _on_copied(self, path: Path) -> None:
        self.open_task = None
        self._on_selection_changed()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _on_open_failed(self, exc: UserError) -> None:
        self.open_task = None
        self._on_selection_changed()
        show_error(self, exc, self.tr("Cannot open"))

    def _on_verify(self) -> None:
        if self.verify_task is not None:
            return
        register = self.ctx.ws.register

        def verify(progress: Any, _cancelled: Any) -> checks.StoreReport:
            return checks.verify_store(register, progress)

        self.verify_button.setEnabled(False)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self._show_result(self.tr("Verifying the stored files…"), problem=None)
        self.verify_task = self.ctx.worker.start(
            verify,
            progressed=self._on_verify_progress,
            finished=self._on_verified,
            failed=self._on_verify_failed,
            crashed=self._on_crashed,
        )

    def _on_verify_progress(self, done: int, total: int) -> None:
        # Byte counts can pass 2**31: show per mille.
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(int(1000 * done / total) if total else 1000)

    def _on_verified(self, report: checks.StoreReport) -> None:
        self._verify_done()
        self.file_states = file_states(report)
        self._on_filter_changed()  # redraws the File check column, and filters by it
        if report.problems:
            text = self.tr("%d of %d stored files are damaged:") % (
                len(self.file_states),
                report.checked,
            )
            self._show_result("\n".join([text, *report.problems]), problem=True)
        else:
            self._show_result(
                self.tr("All %d stored files are unchanged.") % report.checked, problem=False
            )

    def _on_verify_failed(self, exc: UserError) -> None:
        self._verify_done()
        self._show_result(str(exc), problem=True)

    def _verify_done(self) -> None:
        self.verify_task = None
        self.verify_button.setEnabled(True)
        self.progress_bar.hide()

    def _show_result(self, text: str, problem: bool | None) -> None:
        show_result(self.result_label, text, None if problem is None else not problem)

    # -- dropping files --------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_paths(event) and self.ctx.may_edit:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if self.ctx.may_edit:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._local_paths(event)
        if not paths or not self.ctx.may_edit:
            event.ignore()
            return
        event.acceptProposedAction()
        self.ask_item(paths)

    def _local_paths(self, event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    def ask_item(self, paths: list[Path]) -> None:
        """Ask which item the files go to, then import them there."""
        self._dropped = list(paths)
        self.picker = ItemPicker(self.ctx, [p.name for p in paths], self.current_item, self)
        self.picker.accepted.connect(self._on_item_picked)
        self.picker.open()

    def _on_item_picked(self) -> None:
        picker, paths = self.picker, self._dropped
        self.picker, self._dropped = None, []
        if picker is None or picker.chosen_id is None:
            return
        # Imported here: the import dialog and its copying are needed only when files arrive.
        drop = importlib.import_module("gpaitracker.ui.evidence_drop")
        drop.import_files(self.ctx, picker.chosen_id, paths, self)


def _colour(name: str | None) -> QColor | None:
    return QColor(name) if name else None
