"""The detail panel's evidence section: what is linked, whether it is still valid, and drops.

Files and folders dropped on the list (or chosen with Add file…) are filed by evidence_drop
off the GUI thread. Open hands a verified copy to the system viewer; the stored bytes are
never opened directly.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import (
    QObject,
    Qt,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.changes import Changes
from gpaitracker.services import evidence, evidence_export
from gpaitracker.services.evidence import EvidenceRow
from gpaitracker.services.item_detail import ItemDetail
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.detail_models import EvidenceModel
from gpaitracker.ui.evidence_drop import import_files, paths_from_mime
from gpaitracker.ui.messages import CrashDialog, show_error
from gpaitracker.ui.progress import ProgressDialog
from gpaitracker.ui.undo import push_edit
from gpaitracker.ui.worker import Task


class EvidenceView(QTableView):
    """The evidence list; local files and folders dropped on it are emitted as paths."""

    paths_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setMinimumHeight(80)
        self.setMaximumHeight(160)

    def set_drops_enabled(self, enabled: bool) -> None:
        self.setAcceptDrops(enabled)
        self.viewport().setAcceptDrops(enabled)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if paths_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if paths_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = paths_from_mime(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.paths_dropped.emit(paths)


class _Opening(QObject):
    """One verified copy on its way to the system viewer."""

    def __init__(self, box: EvidenceBox, task: Task, title: str) -> None:
        super().__init__(box)
        self.box, self.task = box, task
        self.dialog = ProgressDialog(
            task,
            box.tr("Checking and copying {title}").format(title=title),
            box.tr("Opening evidence"),
            box,
        )
        task.signals.finished.connect(self._on_finished)
        task.signals.failed.connect(self._on_failed)
        task.signals.crashed.connect(self._on_crashed)

    @Slot(object)
    def _on_finished(self, copy: Path) -> None:
        if self.task.cancelled:
            evidence_export.discard_copy(copy)
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy))):
            QMessageBox.information(
                self.box,
                self.box.tr("Opening evidence"),
                self.box.tr("No viewer opened the file; a verified copy is at {path}").format(
                    path=str(copy)
                ),
            )
        self.deleteLater()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        show_error(self.box, exc, self.box.tr("Cannot open evidence"))
        self.deleteLater()

    @Slot(str)
    def _on_crashed(self, report: str) -> None:
        CrashDialog.show_for(self.box, report)
        self.deleteLater()


class EvidenceBox(QGroupBox):
    """Linked evidence with its state; add (also by drop), open and unlink."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: ItemDetail | None = None
        self.last_task: Task | None = None  # the newest import or open, for tests and callers
        self.setTitle(self.tr("Evidence"))
        self.model = EvidenceModel(self)
        self.view = EvidenceView()
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(EvidenceModel.TITLE, QHeaderView.ResizeMode.Stretch)
        for column in (EvidenceModel.STATE, EvidenceModel.SIZE, EvidenceModel.VALID_UNTIL):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setAccessibleName(self.tr("Linked evidence"))
        self.hint_label = QLabel(self.tr("Drop files or folders on the list to add them."))
        self.hint_label.setEnabled(False)
        self.add_button = QPushButton(self.tr("Add file…"))
        self.add_button.setToolTip(self.tr("Copy files into the evidence store and link them"))
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.setToolTip(
            self.tr("Check the stored bytes and open a copy in the system viewer")
        )
        self.unlink_button = QPushButton(self.tr("Unlink"))
        self.unlink_button.setToolTip(
            self.tr("Remove the link to this item; the evidence stays in the register")
        )
        self.unlink_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        self.unlink_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.hint_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.unlink_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._connect()
        self.set_detail(None)

    def _connect(self) -> None:
        self.view.paths_dropped.connect(self._on_paths_dropped)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.activated.connect(self._on_open)  # double-click or Enter
        self.unlink_shortcut.activated.connect(self._on_unlink)
        self.add_button.clicked.connect(self._on_add)
        self.open_button.clicked.connect(self._on_open)
        self.unlink_button.clicked.connect(self._on_unlink)

    def focus_chain(self) -> list[QWidget]:
        return [self.view, self.add_button, self.open_button, self.unlink_button]

    def set_detail(self, detail: ItemDetail | None) -> None:
        selected = self.selected()
        self.detail = detail
        self.model.set_rows(detail.evidence if detail is not None else ())
        if selected is not None:
            for number, row in enumerate(self.model.rows):
                if row.id == selected.id:
                    self.view.selectRow(number)
        editing = detail is not None and self.ctx.may_edit
        self.view.set_drops_enabled(editing)
        self.hint_label.setVisible(editing)
        self.add_button.setVisible(editing)
        self.unlink_button.setVisible(editing)
        self._on_selection_changed()

    def selected(self) -> EvidenceRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0]) if rows else None

    @Slot()
    def _on_selection_changed(self) -> None:
        row = self.selected()
        self.open_button.setEnabled(row is not None)
        only_here = row is not None and len(row.requirement_ids) <= 1
        self.unlink_button.setEnabled(row is not None and not only_here)
        self.unlink_button.setToolTip(
            self.tr("This evidence is linked to this item only; link it elsewhere first")
            if only_here
            else self.tr("Remove the link to this item; the evidence stays in the register")
        )

    def add_paths(self, paths: list[Path]) -> Task | None:
        """File these files and folders as evidence of the shown item."""
        if self.detail is None or not self.ctx.may_edit:
            return None
        task = import_files(self.ctx, self.detail.row.id, paths, self)
        if task is not None:
            self.last_task = task
        return task

    @Slot(list)
    def _on_paths_dropped(self, paths: list[Path]) -> None:
        self.add_paths(paths)

    @Slot()
    def _on_add(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(self, self.tr("Add evidence files"))
        if names:
            self.add_paths([Path(name) for name in names])

    @Slot()
    def _on_open(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.kind == "link" and row.url:
            QDesktopServices.openUrl(QUrl(row.url))
            return
        ws = self.ctx.ws
        heard = threading.Event()  # the job ends only once _Opening listens for its end

        def job(_progress: object, _cancelled: object) -> Path:
            heard.wait(10)
            return ws.read(evidence_export.open_copy, store=ws.store, evidence_id=row.id)

        self.last_task = self.ctx.worker.start(job)
        _Opening(self, self.last_task, row.title)
        heard.set()

    @Slot()
    def _on_unlink(self) -> None:
        row, detail = self.selected(), self.detail
        if (
            row is None
            or detail is None
            or not self.ctx.may_edit
            or not self.unlink_button.isEnabled()
        ):
            return
        ws, item = self.ctx.ws, detail.row.id

        def apply() -> Changes:
            return ws.write(evidence.unlink, evidence_id=row.id, requirement_id=item)

        def revert() -> Changes:
            return ws.write(evidence.link, evidence_id=row.id, requirement_id=item)

        text = self.tr("Unlink {title} from {key}").format(title=row.title, key=detail.row.key)
        push_edit(self.ctx, text, apply, revert, self)
