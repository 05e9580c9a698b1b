"""A progress dialog for one worker task: shows its progress, cancels it, closes when it ends.

Progress comes either from the task's progressed signal or, for work that reports often
(a copy reports every megabyte), from polling a function ten times a second: a few updates
a second are all a person can read, and the event loop is not flooded with signals.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from gpaitracker.ui.worker import Task

# Qt's progress values are 32-bit ints; byte counts of big files are scaled to this range.
SCALE = 10_000
POLL_MS = 100

Poll = Callable[[], tuple[int, int, str]]  # done, total, label ("" keeps the label)


class ProgressDialog(QProgressDialog):
    """Follows a task; Cancel (or Escape) asks it to stop.

    It appears only if the work lasts longer than minimum_ms, and closes itself when the
    task finishes, fails or crashes; the task's own signals report the result.
    """

    def __init__(
        self,
        task: Task,
        label: str,
        title: str = "",
        parent: QWidget | None = None,
        minimum_ms: int = 400,
        poll: Poll | None = None,
    ) -> None:
        super().__init__(parent)
        self.task = task
        self.poll = poll
        self.setWindowTitle(title or self.tr("Working"))
        self.setLabelText(label)
        # Qt's own button: replacing it with setCancelButton leaves a second Escape shortcut
        # behind, and two shortcuts for one key make Escape do nothing.
        self.setCancelButtonText(self.tr("Cancel"))
        button = self.findChild(QPushButton)
        assert button is not None
        self.cancel_button: QPushButton = button
        self.cancel_button.setToolTip(self.tr("Stop; what was not finished is not kept"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(minimum_ms)
        self.setRange(0, 0)  # busy until the first progress report
        self.setMinimumWidth(420)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self._ended = False
        self._connect()
        if poll is not None:
            self.timer.start()
        if task.wait(0):  # it ended before its signals were heard here: close all the same
            QTimer.singleShot(0, self._on_ended)

    def _connect(self) -> None:
        self.canceled.connect(self._on_canceled)
        self.timer.timeout.connect(self._on_poll)
        signals = self.task.signals
        signals.progressed.connect(self._on_progressed)
        signals.finished.connect(self._on_ended)
        signals.failed.connect(self._on_ended)
        signals.crashed.connect(self._on_ended)

    @Slot(int, int)
    def _on_progressed(self, done: int, total: int) -> None:
        if self.task.cancelled:
            return
        if total <= 0:
            self.setRange(0, 0)
            return
        if total > SCALE:
            done, total = done * SCALE // total, SCALE
        if self.maximum() != total:
            self.setRange(0, total)
        self.setValue(min(done, total))

    @Slot()
    def _on_poll(self) -> None:
        if self.poll is None:
            return
        done, total, label = self.poll()
        if label and label != self.labelText():
            self.setLabelText(label)
        self._on_progressed(done, total)

    def reject(self) -> None:
        """Escape cancels, like the button (when the Escape shortcut does not catch it)."""
        self.task.cancel()
        super().reject()

    @Slot()
    def _on_canceled(self) -> None:
        self.task.cancel()

    @Slot(object)
    def _on_ended(self, _result: object = None) -> None:
        if self._ended:
            return
        self._ended = True
        self.timer.stop()
        self.canceled.disconnect(self._on_canceled)
        self.reset()
        self.hide()
        self.deleteLater()
