"""One register edit through the service vs a raw SQLite UPDATE of the same row."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result
from benchmarks.generate import ADMIN, generate
from gpaitracker.db import session_scope
from gpaitracker.services import people, register


def bench_register_edit(quick: bool = False) -> list[Result]:
    items, events = (5_000, 100_000) if quick else (50_000, 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        reg = generate(Path(tmp), items=items, audit_events=events)
        build = time.perf_counter() - t0
        key = "model-7/COP-SS-3.2"
        edits = 200
        days = [dt.date(2027, 1, 1) + dt.timedelta(days=i) for i in range(edits)]

        t0 = time.perf_counter()
        for day in days:
            with session_scope(reg, write=True) as s:
                actor = people.get_by_email(session=s, email=ADMIN)
                register.set_due(session=s, actor=actor, key=key, due=day)
        service_ms = (time.perf_counter() - t0) / edits * 1000
        reg.engine.dispose()

        con = sqlite3.connect(Path(tmp) / "register.sqlite", isolation_level=None)
        con.execute("PRAGMA synchronous=FULL")
        row_id = con.execute(
            "SELECT r.id FROM requirement r JOIN ai_model m ON m.id=r.model_id "
            "WHERE m.slug='model-7' AND r.code='COP-SS-3.2'"
        ).fetchone()[0]
        t0 = time.perf_counter()
        for day in days:
            con.execute("BEGIN IMMEDIATE")
            con.execute("UPDATE requirement SET due_date=? WHERE id=?", (day.isoformat(), row_id))
            con.execute("COMMIT")
        raw_ms = (time.perf_counter() - t0) / edits * 1000
        con.close()
    return [
        Result(
            f"register edit ({items:,} items, {events:,} audit events)",
            service_ms,
            "raw sqlite UPDATE",
            raw_ms,
            "ms/edit",
            target="< 20 ms per edit",
            extra=f"register built in {build:.1f} s",
        )
    ]


BENCHMARKS = [bench_register_edit]
