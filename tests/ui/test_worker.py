"""The one worker helper: results, user errors and crashes come back on the GUI thread."""

import threading
import time

from PySide6.QtCore import QObject, QThread, Slot

from gpaitracker.errors import ValidationError
from gpaitracker.ui.worker import Worker


class Sink(QObject):
    def __init__(self):
        super().__init__()
        self.results, self.errors, self.crashes, self.progress, self.threads = [], [], [], [], []

    @Slot(object)
    def on_finished(self, result):
        self.threads.append(QThread.currentThread())
        self.results.append(result)

    @Slot(object)
    def on_failed(self, exc):
        self.errors.append(exc)

    @Slot(str)
    def on_crashed(self, report):
        self.crashes.append(report)

    @Slot(int, int)
    def on_progress(self, done, total):
        self.progress.append((done, total))


def _run(qtbot, job):
    worker, sink = Worker(), Sink()
    # Connected by start(), before the job runs: a job that ends at once is heard too.
    task = worker.start(
        job,
        finished=sink.on_finished,
        failed=sink.on_failed,
        crashed=sink.on_crashed,
        progressed=sink.on_progress,
    )
    qtbot.waitUntil(lambda: bool(sink.results or sink.errors or sink.crashes), timeout=15_000)
    worker.wait_all()
    return task, sink


def test_result_and_progress_arrive_on_the_gui_thread(qtbot):
    def job(progress, cancelled):
        for n in range(3):
            progress(n + 1, 3)
        return threading.get_ident()

    _, sink = _run(qtbot, job)
    assert sink.results[0] != threading.get_ident()  # the job ran elsewhere
    assert sink.threads == [QThread.currentThread()]  # the slot ran here
    qtbot.waitUntil(lambda: sink.progress == [(1, 3), (2, 3), (3, 3)])


def test_user_errors_and_crashes_are_reported_not_raised(qtbot):
    def refused(progress, cancelled):
        raise ValidationError("due date 2025-02-30 is not a date")

    _, sink = _run(qtbot, refused)
    assert str(sink.errors[0]) == "due date 2025-02-30 is not a date"

    def bug(progress, cancelled):
        return 1 / 0

    _, sink = _run(qtbot, bug)
    assert "ZeroDivisionError" in sink.crashes[0]


def test_a_job_sees_its_cancel_flag(qtbot):
    started = threading.Event()

    def job(progress, cancelled):
        started.set()
        while not cancelled():
            threading.Event().wait(0.01)
        return "stopped"

    worker, sink = Worker(), Sink()
    task = worker.start(job)
    task.signals.finished.connect(sink.on_finished)
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: sink.results == ["stopped"], timeout=15_000)
    assert task.cancelled and task.wait(1)


def test_every_result_is_heard_even_when_jobs_end_before_the_next_starts(qtbot):
    """A job that has ended but whose result is still queued must not be forgotten."""
    worker = Worker()
    sink = Sink()
    for n in range(40):
        worker.start(lambda _p, _c, n=n: n, finished=sink.on_finished)
        time.sleep(0.002)  # let the job end before the next one starts
    qtbot.waitUntil(lambda: len(sink.results) == 40, timeout=5000)
    assert sorted(sink.results) == list(range(40))
