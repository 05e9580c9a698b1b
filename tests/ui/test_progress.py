"""The progress dialog closes when its task ends, even a task that ended before it was made."""

from shiboken6 import isValid

from gpaitracker.errors import ValidationError
from gpaitracker.ui.progress import ProgressDialog
from gpaitracker.ui.worker import Worker


def _fails_at_once(_progress, _cancelled):
    raise ValidationError("folder /nowhere does not exist")


def _closed(dialog):
    return not isValid(dialog) or not dialog.isVisible()  # closed, or closed and deleted


def test_a_task_that_failed_before_the_dialog_existed_still_closes_it(qtbot):
    worker = Worker()
    task = worker.start(_fails_at_once)
    assert task.wait(5)  # over before the dialog is made: its signals were not heard
    dialog = ProgressDialog(task, "Making the board report...", minimum_ms=0)
    dialog.show()
    qtbot.waitUntil(lambda: _closed(dialog), timeout=2000)
    worker.wait_all()


def test_cancel_reaches_the_task(qtbot):
    worker = Worker()
    task = worker.start(lambda _p, cancelled: [None for _ in iter(lambda: cancelled(), True)])
    dialog = ProgressDialog(task, "Working...", minimum_ms=0)
    dialog.show()
    dialog.cancel_button.click()
    assert task.cancelled and task.wait(5)
    qtbot.waitUntil(lambda: _closed(dialog), timeout=2000)
    worker.wait_all()
