"""Bulk edits of register items: one undo step over many items, refusals per item."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QProgressDialog,
    QWidget,
)

from gpaitracker import workflow
from gpaitracker.changes import Changes
from gpaitracker.enums import Status
from gpaitracker.errors import UserError
from gpaitracker.services import queries
from gpaitracker.services.queries import Filters, RegisterRow
from gpaitracker.ui import register_model as rm
from gpaitracker.ui.context import UiContext

PROGRESS_FROM = 25  # bulk edits of this many items show progress and can be stopped
PROGRESS_AFTER_MS = 300  # ... once they have taken this long
REFUSALS_SHOWN = 20


class BulkDialog(QDialog):
    """Asks for the one value a bulk action sets, and a note where the workflow wants one."""

    def __init__(self, title: str, label: str, field: QWidget, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.field = field
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(self.tr("Needed for Blocked and Not applicable"))
        self.no_date_check = QCheckBox(self.tr("No due date"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form = QFormLayout(self)
        self.form.addRow(label, field)
        self.form.addRow(buttons)

    def add_row(self, label: str, widget: QWidget) -> None:
        self.form.insertRow(self.form.rowCount() - 1, label, widget)


Edit = Callable[[RegisterRow, RegisterRow], Changes]  # (item before the edit, item now)


class BulkEdit:
    """One undo step over many items: a service call per item, refusals collected per item.

    The first run applies to every item given and remembers which ones it changed; undo
    restores those to their previous values and redo applies to them again. Each call is
    given the item as last read, whose version the service checks, so an item someone else
    changed meanwhile is refused, never overwritten.
    """

    def __init__(
        self,
        ctx: UiContext,
        rows: Sequence[RegisterRow],
        change: Edit,
        restore: Edit,
        parent: QWidget | None = None,
    ) -> None:
        self.ctx, self.rows, self.change, self.restore = ctx, list(rows), change, restore
        self.parent = parent
        self.done: list[RegisterRow] = []  # the items changed, as they were before
        self.refused: list[tuple[RegisterRow, str]] = []
        self.stopped = False  # the user cancelled the first run part way
        self._now = {r.id: r for r in self.rows}
        self._ran = False

    def apply(self) -> Changes:
        if self._ran:
            return self._all(self.done, self.change)
        self._ran = True
        changes, self.done, self.refused = self._each(self.rows, self.change, cancellable=True)
        if self.refused and not self.done:
            raise UserError(refusal_text(self.refused, len(self.rows)))
        if not self.done:
            raise UserError(rm.tr("Stopped: no item was changed"))
        return changes

    def revert(self) -> Changes:
        return self._all(self.done, self.restore)

    def _all(self, rows: list[RegisterRow], edit: Edit) -> Changes:
        changes, _, refused = self._each(rows, edit)
        if refused:
            raise UserError(refusal_text(refused, len(rows)))
        return changes

    def _each(
        self, rows: list[RegisterRow], edit: Edit, cancellable: bool = False
    ) -> tuple[Changes, list[RegisterRow], list[tuple[RegisterRow, str]]]:
        changes, done, refused = Changes(), [], []
        progress = self._progress(len(rows), cancellable)
        for count, row in enumerate(rows):
            if progress is not None:
                progress.setValue(count)  # a modal progress dialog keeps the window painted
                if progress.wasCanceled():
                    self.stopped = True
                    break
            try:
                changes = changes | edit(row, self._now[row.id])
            except UserError as exc:
                refused.append((row, str(exc)))
            else:
                done.append(row)
        if progress is not None:
            progress.close()
            progress.deleteLater()
        ids = [r.id for r in done]
        for start in range(0, len(ids), 500):
            only = Filters(requirement_ids=tuple(ids[start : start + 500]), include_inactive=True)
            for now in self.ctx.ws.read(queries.list_rows, filters=only):
                self._now[now.id] = now
        return changes, done, refused

    def _progress(self, total: int, cancellable: bool) -> QProgressDialog | None:
        """A progress dialog for many items; only the first run may stop part way (an undo
        stopped part way could not be undone)."""
        if total < PROGRESS_FROM:
            return None
        cancel = rm.tr("Stop") if cancellable else None
        text = rm.tr("Changing %n item(s)…", "", total)
        progress = QProgressDialog(text, cancel, 0, total, self.parent)
        if not cancellable:
            progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(PROGRESS_AFTER_MS)
        return progress


def status_path(current: Status, target: Status) -> list[Status]:
    """The statuses to ask for, in turn, to take an item from current back to target.

    Undoing a status change cannot always go straight back (in_review -> not_started is
    not a transition): go through working states only, never through a review or outcome.
    """
    if current == target:
        return []
    paths: dict[Status, list[Status]] = {current: []}
    queue = [current]
    for status in queue:
        for step in sorted(workflow.TRANSITIONS[status]):
            if step in paths:
                continue
            paths[step] = [*paths[status], step]
            if step == target:
                return paths[step]
            if step in workflow.WORKING:
                queue.append(step)
    return [target]  # no way round: the service says why


def refusal_text(refused: Sequence[tuple[RegisterRow, str]], asked: int) -> str:
    head = rm.tr("{refused} of {asked} items were not changed:").format(
        refused=len(refused), asked=asked
    )
    lines = [f"{row.key}: {reason}" for row, reason in refused[:REFUSALS_SHOWN]]
    if len(refused) > REFUSALS_SHOWN:
        lines.append(rm.tr("... and {more} more").format(more=len(refused) - REFUSALS_SHOWN))
    return "\n".join([head, *lines])
