"""The Qt binding must not leak away references to None and True (PySide6 6.12.0 did on
Python 3.11: a window aborted with 'none_dealloc' after enough calls)."""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal()


def test_calls_and_signals_keep_none_and_true_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(20_000):
        label.setText("x")
        emitter.fired.emit()
    # A few references may come and go with the interpreter's own work; thousands may not.
    assert abs(sys.getrefcount(None) - none_before) < 1000
    assert abs(sys.getrefcount(True) - true_before) < 1000
