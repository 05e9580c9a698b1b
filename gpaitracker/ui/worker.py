"""The one worker helper: long work off the GUI thread, with progress, cancel and results.

A job is a plain function `fn(progress, cancelled) -> result` (core code reports progress
through a callback and checks a cancel flag, so the same function serves the CLI). Its
signals are connected to bound methods of GUI-thread objects, so the slots run on the GUI
thread (a bare lambda could run in the worker thread under PySide6).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

Job = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class JobSignals(QObject):
    progressed = Signal(int, int)  # done, total
    finished = Signal(object)  # the job's result
    failed = Signal(object)  # the exception (a UserError carries a message to show)
    crashed = Signal(str)  # an unexpected exception: its traceback, for the report dialog


class _Runnable(QRunnable):
    def __init__(
        self, job: Job, signals: JobSignals, cancel: threading.Event, done: threading.Event
    ) -> None:
        super().__init__()
        self.job, self.signals, self.cancel, self.done = job, signals, cancel, done
        self.setAutoDelete(True)

    def run(self) -> None:
        from gpaitracker.errors import UserError

        try:
            result = self.job(self.signals.progressed.emit, self.cancel.is_set)
        except UserError as exc:
            self.done.set()
            self.signals.failed.emit(exc)
        except Exception:  # reported to the user, the app keeps running
            self.done.set()
            self.signals.crashed.emit(traceback.format_exc())
        else:
            self.done.set()  # here, not in a slot: wait() may be called on the GUI thread
            self.signals.finished.emit(result)


class Task(QObject):
    """One running job: cancel() it, or wait() for it in tests."""

    def __init__(self, signals: JobSignals, cancel: threading.Event, done: threading.Event) -> None:
        super().__init__()
        self.signals, self._cancel, self._done = signals, cancel, done

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float = 30.0) -> bool:
        return self._done.wait(timeout)


class Worker(QObject):
    """Runs jobs on a small thread pool; cancel_all() when the window closes."""

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._tasks: list[Task] = []

    def start(self, job: Job, **slots: Callable[..., Any]) -> Task:
        """Run job on the pool; slots (finished=, failed=, crashed=, progressed=) are connected
        before it starts, so even a job that ends at once is heard."""
        signals = JobSignals()
        for name, slot in slots.items():
            getattr(signals, name).connect(slot)
        cancel, done = threading.Event(), threading.Event()
        task = Task(signals, cancel, done)
        self._tasks = [t for t in self._tasks if not t._done.is_set()] + [task]
        self.pool.start(_Runnable(job, signals, cancel, done))
        return task

    def cancel_all(self) -> None:
        for task in self._tasks:
            task.cancel()

    def wait_all(self, msecs: int = 30_000) -> bool:
        return bool(self.pool.waitForDone(msecs))
