"""The whole app's start, as a user starts it (`gpaitracker --home HOME`), offscreen.

From process start to (1) the first window painted, held to a bare PySide6 QMainWindow
painted the same way in the same run [target <= 2x], and (2) the register usable: the
main window showing its first rows [target <= 1.0 s]. Peak memory with the register open
[target < 250 MB].

python -m benchmarks.bench_startup child-bare | child-app HOME   (what the parent runs)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.common import Result, byte_compile_package, child_env, peak_rss_mb
from benchmarks.shared_register import ADMIN, big_register

STARTS = 5


def _watch(app: Any, usable: Any) -> dict[str, float]:
    """Times of the first paint of a main window and of usable() turning true."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QMainWindow, QWidget

    marks: dict[str, float] = {}

    class Spy(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (
                "painted" not in marks
                and event.type() == QEvent.Type.Paint
                and isinstance(obj, QWidget)
                and isinstance(obj.window(), QMainWindow)
            ):
                marks["painted"] = time.time()
            return False

    spy = Spy()
    app.installEventFilter(spy)

    def poll() -> None:
        if "painted" in marks and usable():
            marks["usable"] = time.time()
            marks["rss_mb"] = peak_rss_mb()
            print(json.dumps(marks), flush=True)
            os._exit(0)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(5)
    app._bench_keep = (spy, timer)
    return marks


def _child_bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    _watch(app, lambda: True)
    window = QMainWindow()
    window.resize(1366, 768)
    window.show()
    app.exec()


def _child_app(home: str) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])

    def usable() -> bool:
        for widget in QApplication.topLevelWidgets():
            page = getattr(widget, "register_page", None)
            if page is not None and widget.isVisible() and page.model.rowCount() > 0:
                return True
        return False

    _watch(app, usable)
    from gpaitracker.cli.main import main

    main(["--home", home, "--as", ADMIN])


def _spawn(args: list[str]) -> dict[str, float]:
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_startup", *args],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
        check=True,
    )
    marks = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "painted": marks["painted"] - start,
        "usable": marks["usable"] - start,
        "rss_mb": marks["rss_mb"],
    }


def bench_app_startup(quick: bool = False) -> list[Result]:
    byte_compile_package()
    big = big_register(quick)
    bare, ours = [], []
    _spawn(["child-bare"]), _spawn(["child-app", str(big.home)])  # warm the page cache
    for _ in range(STARTS):
        bare.append(_spawn(["child-bare"]))
        ours.append(_spawn(["child-app", str(big.home)]))
    median = statistics.median
    painted = median(r["painted"] for r in ours)
    baseline = median(r["painted"] for r in bare)
    usable = median(r["usable"] for r in ours)
    runs = "/".join(f"{r['painted']:.2f}" for r in ours)
    return [
        Result(
            f"app start to first window painted ({big.describe()})",
            painted,
            "bare QMainWindow painted",
            baseline,
            "s",
            target="<= 2x",
            extra=f"median of {STARTS}; runs {runs} s",
        ),
        Result(
            f"app start to the register usable, first rows shown ({big.describe()})",
            usable,
            "bare QMainWindow painted",
            baseline,
            "s",
            target="<= 1.0 s absolute",
            extra=f"median of {STARTS}; runs " + "/".join(f"{r['usable']:.2f}" for r in ours),
        ),
        Result(
            f"peak RSS at the register usable ({big.describe()})",
            max(r["rss_mb"] for r in ours),
            "bare QMainWindow",
            max(r["rss_mb"] for r in bare),
            "MB",
            target="< 250 MB",
            extra=f"worst of {STARTS}",
        ),
    ]


BENCHMARKS = [bench_app_startup]


if __name__ == "__main__":
    if sys.argv[1] == "child-bare":
        _child_bare()
    else:
        _child_app(sys.argv[2])
