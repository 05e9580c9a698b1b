"""One register edit through the workspace and the service vs a raw SQLite UPDATE of the row."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from benchmarks.common import Result, Skipped, timed
from benchmarks.shared_register import ADMIN, big_register

EDITS = 200


def bench_register_edit(quick: bool = False) -> list[Result | Skipped]:
    big = big_register(quick)
    try:
        from gpaitracker.services import register
        from gpaitracker.services.workspace import Workspace
    except ImportError as exc:
        return [Skipped("register edit", f"the workspace interface is missing: {exc}")]
    with contextlib.closing(big.connect()) as con:
        row_id = con.execute(
            "SELECT r.id FROM requirement r JOIN ai_model m ON m.id = r.model_id "
            "WHERE m.slug = 'model-7' ORDER BY r.id LIMIT 1"
        ).fetchone()[0]
    days = [dt.date(2028, 1, 1) + dt.timedelta(days=i) for i in range(EDITS)]
    ws: Any = Workspace.open(big.home, acting=ADMIN)

    def service() -> None:
        for day in days:
            ws.write(register.set_due, requirement_id=row_id, due=day)

    try:
        service_ms = timed(service) / EDITS * 1000
    finally:
        ws.close()

    lock = big.lock_column
    with contextlib.closing(big.connect()) as con:
        con.execute("PRAGMA synchronous=FULL")

        def raw() -> None:
            for day in days:
                con.execute("BEGIN IMMEDIATE")
                con.execute(
                    f"UPDATE requirement SET due_date = ?, {lock} = {lock} + 1 WHERE id = ?",
                    (day.isoformat(), row_id),
                )
                con.execute("COMMIT")

        raw_ms = timed(raw) / EDITS * 1000
    return [
        Result(
            f"register edit, set due date ({big.describe()})",
            service_ms,
            "raw sqlite UPDATE",
            raw_ms,
            "ms/edit",
            target="< 20 ms per edit",
            extra=f"{EDITS} edits each",
        )
    ]


BENCHMARKS = [bench_register_edit]
