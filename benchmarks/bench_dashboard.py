"""Every dashboard figure (metrics.figures) against one raw COUNT(*) GROUP BY status."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from benchmarks.common import Result, alternate
from benchmarks.shared_register import big_register


def bench_dashboard_figures(quick: bool = False) -> list[Result]:
    from gpaitracker import metrics
    from gpaitracker.services.workspace import Workspace

    big = big_register(quick)
    repeat = 7 if quick else 5
    ws = Workspace.open(big.home, create=False)
    con = big.connect()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp)
            ws.read(metrics.figures, cache_dir=cache)  # the weekly trend is cached once

            def ours() -> None:
                ws.read(metrics.figures, cache_dir=cache)

            def raw() -> None:
                con.execute("SELECT status, COUNT(*) FROM requirement GROUP BY status").fetchall()

            pair = alternate(ours, raw, repeat)
            t_ours, t_raw = pair.median
            earlier = dt.date.today() - dt.timedelta(days=7)

            def back() -> None:
                ws.read(metrics.figures, cache_dir=cache, as_of=earlier)

            past = alternate(back, raw, 3 if quick else 2)
            t_back, t_raw2 = past.median
    finally:
        con.close()
        ws.close()
    size = f"{big.items:,} items, {big.events:,} audit events"
    return [
        Result(
            f"dashboard: all figures, trend cached ({size})",
            t_ours * 1000,
            "raw sqlite COUNT(*) GROUP BY status",
            t_raw * 1000,
            "ms",
            target="< 200 ms",
            extra=f"median of {repeat}; {pair.spread(1000, 'ms')}",
        ),
        Result(
            f"dashboard: all figures as of 7 days ago, trail played back ({size})",
            t_back * 1000,
            "raw sqlite COUNT(*) GROUP BY status",
            t_raw2 * 1000,
            "ms",
            extra="every event is newer than that day in the generated register",
        ),
    ]


BENCHMARKS = [bench_dashboard_figures]
