"""`gpaitracker check` after 100 new audit events (incremental) against `check --full`.

Both also check the database and re-hash every evidence file; only the audit part differs:
the incremental check walks the chain from the head the previous check stored. The second
figure times that audit part alone, in-process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import itertools
import statistics
import subprocess
from typing import Any

from benchmarks.common import Result, Skipped, run, timed
from benchmarks.shared_register import ADMIN, BigRegister, big_register

NEW_EVENTS = 100
REPEAT = 3


def _append_events(big: BigRegister, count: int) -> None:
    """Make count edits through the services, as a day's work would (one event each)."""
    from gpaitracker.services import register
    from gpaitracker.services.workspace import Workspace

    with contextlib.closing(big.connect()) as con:
        ids = [
            r[0]
            for r in con.execute(
                "SELECT id FROM requirement WHERE status != 'done' ORDER BY random() LIMIT ?",
                (count,),
            )
        ]
    # Dates after any the generator set, and new in every round: each edit is a change.
    first = dt.date(2030, 1, 1) + dt.timedelta(days=next(_rounds) * count)
    with Workspace.open(big.home, acting=ADMIN) as ws:
        for n, requirement_id in enumerate(ids):
            day = first + dt.timedelta(days=n)
            ws.write(register.set_due, requirement_id=requirement_id, due=day)


_rounds = itertools.count()


def _runs(times: list[float], scale: float = 1.0) -> str:
    return "/".join(f"{t * scale:.2f}" for t in times)


def _check_command(big: BigRegister) -> Result:
    incremental: list[float] = []
    unchanged: list[float] = []
    full: list[float] = []
    notes: list[str] = []

    def check() -> None:
        out = run(big.cli("check"), stdout=subprocess.PIPE).stdout.decode()
        notes.extend(line for line in out.splitlines() if line.startswith("audit"))

    def check_full() -> None:
        run(big.cli("check", "--full"))

    check_full()  # stores the head the first incremental check starts from
    for i in range(REPEAT):
        # Alternate which runs first; the incremental one always follows fresh events.
        if i % 2:
            full.append(timed(check_full))
        _append_events(big, NEW_EVENTS)
        incremental.append(timed(check))
        # Nothing new since: what check costs besides the chain (database, evidence files).
        unchanged.append(timed(check))
        if not i % 2:
            full.append(timed(check_full))
    return Result(
        f"gpaitracker check after {NEW_EVENTS} new events ({big.count_events():,} events, "
        f"{big.evidence:,} evidence files)",
        statistics.median(incremental),
        "gpaitracker check --full",
        statistics.median(full),
        "s",
        target="a daily check costs what was added",
        extra=f"median of {REPEAT}; with no new events {statistics.median(unchanged):.3f} s; "
        f"runs {_runs(incremental)} s vs {_runs(full)} s; it said: {notes[-2]!r}",
    )


def _audit_part(big: BigRegister, checks: Any) -> Result:
    from gpaitracker.migrate import open_register

    incremental: list[float] = []
    full: list[float] = []
    register = open_register(big.home)

    def audit_part(full_walk: bool) -> None:
        report = checks.CheckReport()
        checks.check_audit(register, report, full=full_walk)
        if not report.ok:
            raise AssertionError(f"check_audit found problems: {report.problems}")

    try:
        for i in range(REPEAT):
            if i % 2:
                full.append(timed(lambda: audit_part(True)))
            _append_events(big, NEW_EVENTS)
            incremental.append(timed(lambda: audit_part(False)))
            if not i % 2:
                full.append(timed(lambda: audit_part(True)))
        others = _other_parts(register, checks)
    finally:
        register.engine.dispose()
    return Result(
        f"checks.check_audit after {NEW_EVENTS} new events, in-process",
        statistics.median(incremental) * 1000,
        "check_audit(full=True)",
        statistics.median(full) * 1000,
        "ms",
        target="costs what was added",
        extra=f"median of {REPEAT}; runs {_runs(incremental, 1000)} ms vs "
        f"{_runs(full, 1000)} ms; check's other parts, once: {others}",
    )


def _other_parts(register: Any, checks: Any) -> str:
    """What each other part of check costs (they walk everything on every run)."""
    parts = []
    for name in ("check_database", "check_replay", "check_evidence"):
        part = getattr(checks, name, None)
        if part is not None:
            seconds = timed(lambda p=part: p(register, checks.CheckReport()))
            parts.append(f"{name.removeprefix('check_')} {seconds:.2f} s")
    return ", ".join(parts) or "none found"


def bench_check_incremental(quick: bool = False) -> list[Result | Skipped]:
    big = big_register(quick)
    usage = run(big.cli("check", "--help"), stdout=subprocess.PIPE).stdout.decode()
    if "--full" not in usage:
        return [Skipped("check incremental vs --full", "'gpaitracker check' has no --full yet")]
    results: list[Result | Skipped] = [_check_command(big)]
    from gpaitracker import checks

    if "full" not in inspect.signature(checks.check_audit).parameters:
        results.append(Skipped("checks.check_audit", "it has no full= parameter"))
        return results
    results.append(_audit_part(big, checks))
    return results


BENCHMARKS = [bench_check_incremental]
