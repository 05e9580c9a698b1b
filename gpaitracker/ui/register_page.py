"""The Register page: the filter bar, the table of items, the row count and the bulk actions.

Rows are loaded off the GUI thread, one load at a time (requests made meanwhile are merged
and run next, so a slow full load can never overwrite a newer partial one). A change set
naming only register items reloads just those rows in place; anything else reloads all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHideEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gpaitracker.changes import Changes
from gpaitracker.enums import Entity, Status
from gpaitracker.services import ai_models, people, queries, register
from gpaitracker.services.queries import Filters, RegisterRow
from gpaitracker.ui import register_model as rm
from gpaitracker.ui.bulk_edit import BulkDialog, BulkEdit, Edit, refusal_text, status_path
from gpaitracker.ui.context import UiContext
from gpaitracker.ui.filter_bar import FilterBar
from gpaitracker.ui.messages import CrashDialog, show_error
from gpaitracker.ui.pinned_bar import PinnedBar
from gpaitracker.ui.register_groups import GROUP_KEY, GroupBy, GroupModel, GroupTree
from gpaitracker.ui.undo import push_edit

HEADER_KEY = "register/header"
FIRST_SCREEN = 500  # rows loaded first, so the page is usable before the whole register is
PARTIAL_LIMIT = 2_000  # more changed items than this: reload everything
SEARCH_DELAY_MS = 250
# The register shares the window with the detail panel: the title takes the room left, and
# the model (in the key already), chapter and reviewer are hidden until asked for.
_WIDTHS = {rm.KEY: 150, rm.MODEL: 100, rm.CHAPTER: 80, rm.OWNER: 130, rm.REVIEWER: 130}
_WIDTHS |= {rm.DUE: 85, rm.STATUS: 95, rm.RAG: 62, rm.EVIDENCE: 62}
_HIDDEN = (rm.MODEL, rm.CHAPTER, rm.REVIEWER)


@dataclass(frozen=True)
class _Loaded:
    ids: frozenset[int] | None  # None: the whole register
    rows: list[RegisterRow]
    people: list[people.PersonRow]
    models: list[ai_models.ModelRow]
    first_screen: bool = False  # the first rows only, shown while the rest loads


class RegisterTable(QTableView):
    """The register's table; files dropped on a row are announced with `files_dropped`."""

    files_dropped = Signal(int, list)  # requirement id, local paths

    def _target(self, event: QDropEvent) -> int | None:
        if not self.acceptDrops() or not event.mimeData().hasUrls():
            return None
        if not any(url.isLocalFile() for url in event.mimeData().urls()):
            return None
        index = self.indexAt(event.position().toPoint())
        return index.data(rm.ID_ROLE) if index.isValid() else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._target(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        row_id = self._target(event)
        if row_id is None:
            event.ignore()
            return
        event.acceptProposedAction()
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        self.files_dropped.emit(row_id, paths)


class RegisterPage(QWidget):
    """The register: filter, sort, select; bulk edits when the acting person may edit.

    The window connects ctx.bus.changed to refresh(), as for every page.
    """

    overdue_count_changed = Signal(int)  # overdue items in the whole register

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.title = self.tr("Register")
        self.model = rm.RegisterModel(self)
        self.filter_bar = FilterBar()
        self.pinned_bar = PinnedBar()
        self._pinned: frozenset[int] | None = None
        self.search_edit = self.filter_bar.search_edit
        self.table = RegisterTable()
        self.groups = GroupModel(self.model, self)
        self.tree = GroupTree(self.groups)  # shown instead of the table when grouping
        self.views = QStackedWidget()
        self.count_label = QLabel(self.tr("Loading the register…"))
        self.find_action = QAction(self.tr("Find"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.find_action)
        self.assign_action = QAction(self.tr("&Assign owner…"), self)
        self.due_action = QAction(self.tr("Set &due date…"), self)
        self.status_action = QAction(self.tr("Change &status…"), self)
        self.bulk_actions = [self.assign_action, self.due_action, self.status_action]
        self.assign_action.setIconText(self.tr("Assign owner…"))
        self.due_action.setIconText(self.tr("Set due date…"))
        self.status_action.setIconText(self.tr("Change status…"))
        self.bulk_buttons: list[QToolButton] = []
        self.bulk_dialog: BulkDialog | None = None  # the one open, for tests to fill in
        self.refusal_box: QMessageBox | None = None
        self._job_running = False
        self._want_full = False
        self._want_ids: set[int] = set()
        self._loaded = False  # the whole register, not only its first screen
        self._first_screen_asked = False
        self._deferred: list[Changes | None] = []
        self._people: list[people.PersonRow] = []
        self._current_id: int | None = None
        self._text_ids: tuple[str, frozenset[int]] | None = None
        self._searching: str | None = None
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._save_timer = QTimer(self, singleShot=True, interval=500)
        self._setup_table()
        self._build()
        self._connect()
        self._restore_state()
        self._on_selection_changed()
        self.refresh(None)

    # --- building ----------------------------------------------------------------------

    def _setup_table(self) -> None:
        table = self.table
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setAcceptDrops(self.ctx.may_edit)
        table.viewport().setAcceptDrops(self.ctx.may_edit)
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        # The header asks its selection model whether each column is wholly selected: one
        # call per cell of the table (500,000 after Ctrl+A) on every repaint. It highlights
        # nothing here, so it gets a selection model of its own that stays empty.
        header.setSelectionModel(QItemSelectionModel(self.model, header))
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in _WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(rm.TITLE, QHeaderView.ResizeMode.Stretch)
        for column in _HIDDEN:
            header.hideSection(column)
        header.setSortIndicator(rm.DUE, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.column_actions: list[QAction] = []
        for column, title in enumerate(rm.column_titles()):
            action = QAction(title, header)
            action.setCheckable(True)
            action.setChecked(column not in _HIDDEN)
            action.setEnabled(column != rm.KEY)
            action.setData(column)
            header.addAction(action)
            self.column_actions.append(action)
        if self.ctx.may_edit:
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            table.addActions(self.bulk_actions)

    def _build(self) -> None:
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        if self.ctx.may_edit:
            for action in self.bulk_actions:
                button = QToolButton()
                button.setDefaultAction(action)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                bottom.addWidget(button)
                self.bulk_buttons.append(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.pinned_bar)
        self.views.addWidget(self.table)
        self.views.addWidget(self.tree)
        layout.addWidget(self.views, 1)
        layout.addLayout(bottom)

    def _connect(self) -> None:
        self.filter_bar.changed.connect(self._on_filters_changed)
        self.pinned_bar.cleared.connect(self._on_pin_cleared)
        self.filter_bar.grouping_changed.connect(self._on_grouping_changed)
        self.find_action.triggered.connect(self._on_find)
        self._search_timer.timeout.connect(self._on_search_due)
        self._save_timer.timeout.connect(self.save_state)
        header = self.table.horizontalHeader()
        header.sectionResized.connect(self._on_header_changed)
        header.sectionMoved.connect(self._on_header_changed)
        header.sortIndicatorChanged.connect(self._on_header_changed)
        for action in self.column_actions:
            action.toggled.connect(self._on_column_toggled)
        for selection in (self.table.selectionModel(), self.tree.selectionModel()):
            selection.currentRowChanged.connect(self._on_current_row_changed)
            selection.selectionChanged.connect(self._on_selection_changed)
        for signal in (self.model.layoutChanged, self.model.modelReset, self.model.dataChanged):
            signal.connect(self._on_model_changed)
        self.table.files_dropped.connect(self._on_files_dropped)
        self.assign_action.triggered.connect(self._on_assign)
        self.due_action.triggered.connect(self._on_set_due)
        self.status_action.triggered.connect(self._on_change_status)

    # --- loading -----------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """Rows are being loaded, or a search in summaries and comments is pending."""
        return (
            self._job_running
            or self._want_full
            or bool(self._want_ids)
            or self._searching is not None
            or self._search_timer.isActive()
        )

    def refresh(self, changes: Changes | None = None) -> None:
        """Reload what changed: only the items a change set names, else the whole register."""
        if changes is not None and not changes.rows:
            return
        if self._loaded and not self.isVisible():
            self._deferred.append(changes)  # reloaded when the page is shown again
            return
        ids = _item_ids(changes)
        if ids is None:
            self._want_full = True
        else:
            self._want_ids |= ids
        self._start_load()

    def _start_load(self) -> None:
        if self._job_running:
            return
        ws = self.ctx.ws
        if not self._loaded and not self._first_screen_asked:
            self._first_screen_asked = True

            def job(_progress: object, _cancelled: object) -> _Loaded:
                first = Filters(include_inactive=True, limit=FIRST_SCREEN)
                return _Loaded(None, ws.read(queries.list_rows, filters=first), [], [], True)

        elif self._want_full or not self._loaded:
            self._want_full, self._want_ids = False, set()

            def job(_progress: object, _cancelled: object) -> _Loaded:
                everything = Filters(include_inactive=True)
                rows = ws.read(queries.list_rows, filters=everything)
                return _Loaded(
                    None, rows, ws.read(people.list_people), ws.read(ai_models.list_models)
                )

        elif self._want_ids:
            ids, self._want_ids = frozenset(self._want_ids), set()

            def job(_progress: object, _cancelled: object) -> _Loaded:
                only = Filters(requirement_ids=tuple(ids), include_inactive=True)
                return _Loaded(ids, ws.read(queries.list_rows, filters=only), [], [])

        else:
            return
        self._job_running = True
        self.ctx.worker.start(
            job,
            finished=self._on_loaded,
            failed=self._on_load_failed,
            crashed=self._on_load_crashed,
        )

    def _on_loaded(self, loaded: _Loaded) -> None:
        self._job_running = False
        if loaded.first_screen:
            self.model.set_rows(loaded.rows)  # something to look at while the rest loads
        elif loaded.ids is None:
            self._loaded = True
            self.model.set_rows(loaded.rows)
            self._people = loaded.people
            self.filter_bar.set_people(loaded.people)
            self.filter_bar.set_models(loaded.models)
            self.filter_bar.set_chapters(self.model.chapters())
            if self._text_ids is not None:
                self._text_ids = None  # comments may have changed: search them again
                self._on_filters_changed()
        else:
            self.model.update_rows(loaded.ids, loaded.rows)
        if not loaded.first_screen:
            self.overdue_count_changed.emit(self.model.overdue_total())
        self._start_load()

    def _on_load_failed(self, exc: BaseException) -> None:
        self._job_running = False
        show_error(self, exc, self.tr("Cannot load the register"))
        self._start_load()

    def _on_load_crashed(self, report: str) -> None:
        self._job_running = False
        CrashDialog.show_for(self, report)
        self._start_load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._claim_find_shortcut()
        deferred, self._deferred = self._deferred, []
        if deferred:
            merged: Changes | None = Changes()
            for changes in deferred:
                merged = None if changes is None or merged is None else merged | changes
            self.refresh(merged)

    def hideEvent(self, event: QHideEvent) -> None:
        self.save_state()
        super().hideEvent(event)

    # --- filtering ---------------------------------------------------------------------

    def _on_filters_changed(self) -> None:
        wanted = replace(self.filter_bar.row_filter(), only_ids=self._pinned)
        text = wanted.text.strip()
        found = self._text_ids
        ids = found[1] if found is not None and found[0] == text else None
        self.model.set_filter(wanted.with_text_ids(ids))
        if text and ids is None:
            self._search_timer.start()
        else:
            self._search_timer.stop()

    def show_only(self, ids: Iterable[int], caption: str) -> None:
        """Show exactly these items (a dashboard figure's), whatever the filters said."""
        self._pinned = frozenset(ids)
        self.pinned_bar.show_caption(caption, len(self._pinned))
        self.filter_bar.clear()
        if self.model.row_filter.only_ids != self._pinned:  # the filters were clear already
            self._on_filters_changed()

    def _on_pin_cleared(self) -> None:
        self._pinned = None
        self._on_filters_changed()

    def _on_search_due(self) -> None:
        text = self.search_edit.text().strip()
        if not text or self._searching is not None:
            return
        self._searching = text
        ws = self.ctx.ws

        def job(_progress: object, _cancelled: object) -> tuple[str, frozenset[int]]:
            rows = ws.read(queries.list_rows, filters=Filters(text=text, include_inactive=True))
            return text, frozenset(r.id for r in rows)

        self.ctx.worker.start(
            job,
            finished=self._on_text_found,
            failed=self._on_search_failed,
            crashed=self._on_search_crashed,
        )

    def _on_text_found(self, found: tuple[str, frozenset[int]]) -> None:
        self._searching = None
        self._text_ids = found
        self._on_filters_changed()  # applies the ids, or searches again for newer text

    def _on_search_failed(self, exc: BaseException) -> None:
        self._searching = None
        self.ctx.bus.status_message.emit(str(exc))

    def _on_search_crashed(self, report: str) -> None:
        self._searching = None
        CrashDialog.show_for(self, report)

    def _claim_find_shortcut(self) -> None:
        """Ctrl+F is the page's own unless its window already has it: two matching shortcuts
        are ambiguous to Qt, and then neither works."""
        find = QKeySequence(QKeySequence.StandardKey.Find)
        window = self.window()
        taken = window is not self and any(
            action is not self.find_action and action.shortcut() == find
            for action in window.findChildren(QAction)
        )
        self.find_action.setShortcut(QKeySequence() if taken else find)

    def _on_find(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _on_model_changed(self, *_: object) -> None:
        if self._loaded:
            shown, total, overdue = self.model.counts()
            locale = self.locale()
            self.count_label.setText(
                self.tr("{shown} of {total} items, {overdue} overdue").format(
                    shown=locale.toString(shown),
                    total=locale.toString(total),
                    overdue=locale.toString(overdue),
                )
            )
        self._emit_current()

    # --- selection ---------------------------------------------------------------------

    def _on_current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._emit_current()

    def _emit_current(self) -> None:
        index = self.views.currentWidget().currentIndex()
        row_id = index.data(rm.ID_ROLE) if index.isValid() else None
        if row_id != self._current_id:
            self._current_id = row_id
            self.ctx.bus.item_selected.emit(row_id)

    def _on_selection_changed(self, *_: object) -> None:
        selected = self.views.currentWidget().selectionModel().hasSelection()
        for action in self.bulk_actions:
            action.setEnabled(self.ctx.may_edit and selected)

    def selected_rows(self) -> list[RegisterRow]:
        if self.views.currentWidget() is self.tree:
            return self.tree.selected_rows()
        # From the ranges: selectedRows() would ask the model about every selected cell.
        rows: set[int] = set()
        for block in self.table.selectionModel().selection():
            rows.update(range(block.top(), block.bottom() + 1))
        return [self.model.row_at(r) for r in sorted(rows)]

    def show_item(self, row_id: int) -> bool:
        """Make this item current and visible; False if the filter hides it."""
        if self.views.currentWidget() is self.tree:
            return self.tree.show_item(row_id)
        view_row = self.model.view_row_of(row_id)
        if view_row is None:
            return False
        index = self.model.index(view_row, rm.KEY)
        flags = QItemSelectionModel.SelectionFlag
        self.table.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.table.scrollTo(index)
        return True

    # --- column state ------------------------------------------------------------------

    def save_state(self) -> None:
        QSettings().setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    def _restore_state(self) -> None:
        state = QSettings().value(HEADER_KEY)
        header = self.table.horizontalHeader()
        if state is not None and not header.restoreState(state):
            QSettings().remove(HEADER_KEY)  # from an older layout: start afresh
        self.filter_bar.set_group_by(GroupBy.parse(QSettings().value(GROUP_KEY)))
        for action in self.column_actions:
            action.blockSignals(True)
            action.setChecked(not header.isSectionHidden(action.data()))
            action.blockSignals(False)

    def _on_grouping_changed(self) -> None:
        """Show the tree when grouping, the table otherwise; both keep the register's sort."""
        group_by = self.filter_bar.group_by()
        QSettings().setValue(GROUP_KEY, group_by.value)
        self.groups.set_group_by(group_by)
        grouped = group_by != GroupBy.NONE
        self.tree.share_header(self.table.horizontalHeader(), to_tree=grouped)
        self.views.setCurrentWidget(self.tree if grouped else self.table)
        self._on_selection_changed()
        self._emit_current()

    def _on_header_changed(self, *_: object) -> None:
        self._save_timer.start()

    def _on_column_toggled(self, shown: bool) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.table.horizontalHeader().setSectionHidden(action.data(), not shown)

    # --- evidence drops ----------------------------------------------------------------

    def _on_files_dropped(self, row_id: int, paths: list[str]) -> None:
        if not self.ctx.may_edit or not paths:
            return
        from gpaitracker.ui.evidence_drop import import_files  # loaded only when used

        import_files(self.ctx, row_id, [Path(p) for p in paths], self)

    # --- bulk actions ------------------------------------------------------------------

    def _ask(self, dialog: BulkDialog) -> bool:
        self.bulk_dialog = dialog
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            self.bulk_dialog = None
            dialog.deleteLater()

    def _on_assign(self) -> None:
        combo = QComboBox()
        combo.addItem(self.tr("Nobody"), None)
        for person in self._people:
            if person.active and person.role in register.OWNER_ROLES:
                combo.addItem(f"{person.name} <{person.email}>", person.id)
        dialog = BulkDialog(self.tr("Assign owner"), self.tr("&Owner:"), combo, self)
        if self._ask(dialog):
            self.assign_selected(combo.currentData())

    def _on_set_due(self) -> None:
        date_edit = QDateEdit(QDate.currentDate().addDays(30))
        date_edit.setCalendarPopup(True)
        date_edit.setDisplayFormat("yyyy-MM-dd")
        date_edit.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))
        dialog = BulkDialog(self.tr("Set due date"), self.tr("&Due date:"), date_edit, self)
        dialog.add_row("", dialog.no_date_check)
        dialog.no_date_check.toggled.connect(date_edit.setDisabled)
        if self._ask(dialog):
            due = None if dialog.no_date_check.isChecked() else date_edit.date().toPython()
            self.set_due_selected(due)

    def _on_change_status(self) -> None:
        combo = QComboBox()
        for status in Status:
            combo.addItem(rm.status_label(status), status.value)
        dialog = BulkDialog(self.tr("Change status"), self.tr("&Status:"), combo, self)
        dialog.add_row(self.tr("&Note:"), dialog.note_edit)
        if self._ask(dialog):
            self.change_status_selected(Status(combo.currentData()), dialog.note_edit.text())

    def assign_selected(self, owner_id: int | None) -> Changes | None:
        """Make owner_id (None: nobody) the owner of every selected item, as one undo step."""
        rows = [r for r in self.selected_rows() if r.owner_id != owner_id]
        text = self.tr("Assign owner of %n item(s)", "", len(rows))
        ws = self.ctx.ws

        def change(row: RegisterRow, now: RegisterRow) -> Changes:
            return ws.write(
                register.assign,
                requirement_id=row.id,
                owner_id=owner_id,
                expected_version=now.version,
            )

        def restore(row: RegisterRow, now: RegisterRow) -> Changes:
            return ws.write(
                register.assign,
                requirement_id=row.id,
                owner_id=row.owner_id,
                expected_version=now.version,
            )

        return self._bulk(text, rows, change, restore)

    def set_due_selected(self, due: dt.date | None) -> Changes | None:
        """Set the due date (None: no due date) of every selected item, as one undo step."""
        rows = [r for r in self.selected_rows() if r.due != due]
        text = self.tr("Set due date of %n item(s)", "", len(rows))
        ws = self.ctx.ws

        def change(row: RegisterRow, now: RegisterRow) -> Changes:
            return ws.write(
                register.set_due, requirement_id=row.id, due=due, expected_version=now.version
            )

        def restore(row: RegisterRow, now: RegisterRow) -> Changes:
            return ws.write(
                register.set_due, requirement_id=row.id, due=row.due, expected_version=now.version
            )

        return self._bulk(text, rows, change, restore)

    def change_status_selected(self, status: Status, note: str = "") -> Changes | None:
        """Ask for this status on every selected item; the workflow may refuse some."""
        rows = [r for r in self.selected_rows() if r.status != status]
        text = self.tr("Change status of %n item(s)", "", len(rows))
        undo_note = self.tr("Undo of a bulk status change")
        ws = self.ctx.ws

        def change(row: RegisterRow, now: RegisterRow) -> Changes:
            return ws.write(
                register.change_status,
                requirement_id=row.id,
                status=status,
                note=note,
                expected_version=now.version,
            )

        def restore(row: RegisterRow, now: RegisterRow) -> Changes:
            changes, version = Changes(), now.version
            for step in status_path(now.status, row.status):
                changes |= ws.write(
                    register.change_status,
                    requirement_id=row.id,
                    status=step,
                    note=undo_note,
                    expected_version=version,
                )
                version = None  # our own previous step
            return changes

        return self._bulk(text, rows, change, restore)

    def _bulk(
        self, text: str, rows: list[RegisterRow], change: Edit, restore: Edit
    ) -> Changes | None:
        if not self.ctx.may_edit:
            return None
        if not rows:
            self.ctx.bus.status_message.emit(self.tr("Nothing to change"))
            return None
        edit = BulkEdit(self.ctx, rows, change, restore, self)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            changes = push_edit(self.ctx, text, edit.apply, edit.revert, self)
        finally:
            QApplication.restoreOverrideCursor()
        if changes is None:
            return None
        done = len(edit.done)
        if edit.stopped:
            message = self.tr("Stopped after changing {done} of {asked} items")
            self.ctx.bus.status_message.emit(message.format(done=done, asked=len(rows)))
        else:
            self.ctx.bus.status_message.emit(self.tr("Changed %n item(s)", "", done))
        if edit.refused:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Some items were not changed"),
                refusal_text(edit.refused, len(rows)),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.refusal_box = box
            box.finished.connect(self._on_refusal_closed)
            box.open()
        return changes

    def _on_refusal_closed(self) -> None:
        self.refusal_box = None


def _item_ids(changes: Changes | None) -> set[int] | None:
    """The register items a change set names, or None when more than items changed."""
    if changes is None:
        return None
    named = [*changes.rows, *changes.created]
    if any(kind != Entity.REQUIREMENT for kind, _ in named):
        return None
    ids = {rid for _, rid in named}
    return ids if len(ids) <= PARTIAL_LIMIT else None
