"""Cyclic garbage is collected on the GUI thread, from a timer, never by a worker."""

import gc

from gpaitracker.ui.gc_guard import GarbageCollector


class _Cycle:
    def __init__(self):
        self.me = self


def test_the_collector_owns_collection_on_the_gui_thread_and_gives_it_back(qtbot):
    gc.enable()  # as outside a Qt test
    collector = GarbageCollector(interval_ms=20)
    try:
        assert not gc.isenabled()  # a worker allocating can no longer set off a collection
        threshold = gc.get_threshold()[0]
        for _ in range(threshold + 10):
            _Cycle()
        assert gc.get_count()[0] > threshold
        qtbot.waitUntil(lambda: gc.get_count()[0] < threshold, timeout=2000)
    finally:
        collector.stop()
    assert gc.isenabled()
    gc.disable()  # the test fixture re-enables it at teardown
