"""Cyclic garbage is collected on the GUI thread only.

Python runs a collection in whichever thread happens to allocate when a threshold is passed.
With jobs on worker threads that is often a worker, and a collection there may free a Qt object
that belongs to the GUI thread (a closed dialog caught in a reference cycle): Qt then crashes the
process. So the window turns automatic collection off and collects, generation by generation as
the thresholds say, from a timer on the GUI thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

INTERVAL_MS = 1000


class GarbageCollector(QObject):
    """Owns the collection while it lives; automatic collection comes back when it is stopped."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._on_timer)
        self.timer.start()

    @Slot()
    def _on_timer(self) -> None:
        self.collect_due()

    @staticmethod
    def collect_due() -> int:
        """Collect the oldest generation whose threshold is passed; the number of objects freed."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0

    def stop(self) -> None:
        self.timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
