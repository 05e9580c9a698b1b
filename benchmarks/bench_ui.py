"""The Register page on the shared register (50,000 items; --quick 5,000), offscreen.

Each figure comes from a child process started as the app would be (QT_QPA_PLATFORM=offscreen):
a bare QMainWindow shown is the baseline for start-up and memory; the page's filter and
sort are held to the plain Python list operation on the same rows in the same process.

python -m benchmarks.bench_ui child-bare | child-page HOME   (what the parent runs)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.common import Result, byte_compile_package, child_env, peak_rss_mb
from benchmarks.shared_register import ADMIN, big_register

STARTS = 3  # child processes of each kind; each one times start-up once
TEXTS = ["c", "co", "cop", "copy", "copyr", "safety", "model-1", "x"]


def _rss_mb() -> float:
    return peak_rss_mb()


def _child_bare() -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    return {"shown": time.time(), "rss_mb": _rss_mb()}


def _child_page(home: str) -> dict[str, Any]:
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    from gpaitracker.services.workspace import Workspace
    from gpaitracker.ui.context import Bus, UiContext
    from gpaitracker.ui.register_page import RegisterPage
    from gpaitracker.ui.worker import Worker

    ws = Workspace.open(home, create=False, acting=ADMIN)
    ctx = UiContext(ws=ws, actor=ws.actor(), undo=QUndoStack(), worker=Worker(), bus=Bus())
    window = QMainWindow()
    window.resize(1366, 768)
    page = RegisterPage(ctx)
    window.setCentralWidget(page)
    window.show()
    created = time.time()
    while page.model.rowCount() == 0:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()  # paint them
    first_rows = time.time()
    while page.loading:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    everything = time.time()
    result = {
        "created": created,
        "first_rows": first_rows,
        "all_rows": everything,
        "items": page.model.rowCount(),
    }
    result |= _filter_and_sort(app, page)
    result["rss_mb"] = _rss_mb()
    ctx.worker.wait_all()
    return result


def _filter_and_sort(app: Any, page: Any) -> dict[str, Any]:
    """Time each keystroke and each header click as the user feels it: until painted."""
    from PySide6.QtCore import Qt

    from gpaitracker.ui import register_model as rm

    rows = page.model.rows
    keystrokes, plain_filter = [], []
    for text in TEXTS:
        started = time.perf_counter()
        page.search_edit.setText(text)  # filters as the text changes, then counts
        app.processEvents()
        keystrokes.append(time.perf_counter() - started)
        started = time.perf_counter()
        needle = text.casefold()
        [r for r in rows if needle in r.title.casefold()]
        plain_filter.append(time.perf_counter() - started)
    shown_after_filter = page.count_label.text()
    page.search_edit.clear()
    page._search_timer.stop()  # no database search between the timings below
    app.processEvents()
    clicks, plain_sort = [], []
    for column in (rm.KEY, rm.TITLE, rm.OWNER, rm.DUE, rm.STATUS, rm.RAG):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            started = time.perf_counter()
            page.table.sortByColumn(column, order)
            app.processEvents()
            clicks.append(time.perf_counter() - started)
            started = time.perf_counter()
            sorted(rows, key=lambda r: r.title.casefold(), reverse=bool(order.value))
            plain_sort.append(time.perf_counter() - started)
    return {
        "keystrokes": keystrokes,
        "plain_filter": plain_filter,
        "clicks": clicks,
        "plain_sort": plain_sort,
        "last_count": shown_after_filter,
    }


def _spawn(*args: str) -> tuple[float, dict[str, Any]]:
    """Start a child; the time it was started (wall clock, as the child's stamps) and its JSON."""
    started = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_ui", *args],
        capture_output=True,
        env=child_env(),
        check=False,
        timeout=600,
    )
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"child {args[0]} exited {proc.returncode}: {' | '.join(tail)}")
    return started, json.loads(proc.stdout.decode().strip().splitlines()[-1])


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"


def bench_ui_register(quick: bool = False) -> list[Result]:
    big = big_register(quick)
    byte_compile_package()
    bare_shown, bare_rss, firsts, alls, since_created, pages = [], [], [], [], [], []
    for _ in range(STARTS):  # alternate, so background load hurts neither side alone
        started, bare = _spawn("child-bare")
        bare_shown.append(bare["shown"] - started)
        bare_rss.append(bare["rss_mb"])
        started, page = _spawn("child-page", str(big.home))
        firsts.append(page["first_rows"] - started)
        alls.append(page["all_rows"] - started)
        since_created.append(page["all_rows"] - page["created"])
        pages.append(page)
    items = pages[-1]["items"]
    bare = statistics.median(bare_shown)
    keystrokes = [t for p in pages for t in p["keystrokes"]]
    plain_filter = [t for p in pages for t in p["plain_filter"]]
    clicks = [t for p in pages for t in p["clicks"]]
    plain_sort = [t for p in pages for t in p["plain_sort"]]
    spread = "/".join(f"{t:.2f}" for t in firsts)
    return [
        Result(
            f"register page: process start to first rows shown ({items:,} items)",
            statistics.median(firsts),
            "bare QMainWindow shown",
            bare,
            "s",
            target="usable within 1.0 s",
            extra=f"median of {STARTS}; runs {spread} s",
        ),
        Result(
            f"register page: process start to all {items:,} rows loaded and shown",
            statistics.median(alls),
            "bare QMainWindow shown",
            bare,
            "s",
            target="usable within 1.0 s",
            extra=f"median of {STARTS}; page created to all rows "
            f"{statistics.median(since_created):.2f} s",
        ),
        Result(
            f"filter keystroke, set text -> count updated and painted ({items:,} rows)",
            statistics.median(keystrokes) * 1000,
            "python list comprehension on titles",
            statistics.median(plain_filter) * 1000,
            "ms",
            target="< 100 ms each",
            extra=f"{len(keystrokes)} keystrokes, {_ms(keystrokes)}",
        ),
        Result(
            f"sort click, header -> rows re-ordered and painted ({items:,} rows)",
            statistics.median(clicks) * 1000,
            "python sorted() by title",
            statistics.median(plain_sort) * 1000,
            "ms",
            target="< 100 ms each",
            extra=f"{len(clicks)} clicks over 6 columns, {_ms(clicks)}",
        ),
        Result(
            f"peak RSS with the register page open ({items:,} items)",
            max(p["rss_mb"] for p in pages),
            "bare QMainWindow",
            statistics.median(bare_rss),
            "MB",
            target="< 250 MB",
            extra=f"worst of {STARTS}",
        ),
    ]


BENCHMARKS = [bench_ui_register]


if __name__ == "__main__":
    kind = sys.argv[1]
    figures = _child_bare() if kind == "child-bare" else _child_page(sys.argv[2])
    print(json.dumps(figures))
