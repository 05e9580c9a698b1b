"""Command-line start-up as a user feels it: one subprocess per command, on the big register.

`--version` and `--help` need nothing of the register, so they are held to `python -c pass`;
`show`, `status` and `due` open the register, so they are held to `import sqlmodel`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import sys

from benchmarks.common import Result, alternate, byte_compile_package, gpaitracker_argv, run
from benchmarks.shared_register import big_register

REPEAT = 5


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def bench_cli_startup(quick: bool = False) -> list[Result]:
    byte_compile_package()
    baseline = _python("pass")
    results = []
    for flag in ("--version", "--help"):
        pair = alternate(
            lambda f=flag: run([*gpaitracker_argv(), f]), lambda: run(baseline), REPEAT
        )
        ours, theirs = pair.median
        results.append(
            Result(
                f"gpaitracker {flag}",
                ours,
                "python -c pass",
                theirs,
                "s",
                target="<= 3x",
                extra=f"median of {REPEAT}; {pair.spread()}",
            )
        )
    return results


def _keys(quick: bool, count: int) -> list[str]:
    """Keys of items not started yet, so that 'status KEY in_progress' is allowed."""
    big = big_register(quick)
    with contextlib.closing(big.connect()) as con:
        rows = con.execute(
            "SELECT m.slug || '/' || r.code FROM requirement r JOIN ai_model m "
            "ON m.id = r.model_id WHERE r.occurrence = 1 AND r.status = 'not_started' "
            "AND r.applicable = 1 AND r.withdrawn = 0 ORDER BY r.id LIMIT ?",
            (count,),
        ).fetchall()
    if len(rows) < count:
        raise RuntimeError("the register has too few items not started")
    return [r[0] for r in rows]


def bench_cli_commands(quick: bool = False) -> list[Result]:
    byte_compile_package()
    big = big_register(quick)
    show_key, status_key, due_key = _keys(quick, 3)
    baseline = _python("import sqlmodel")
    # Each status call flips the item, an even number of calls (warm-up included) leaves it
    # as it was; due dates differ on every call so each one is a real change.
    flips = itertools.cycle(["in_progress", "not_started"])
    days = (dt.date(2027, 1, 1) + dt.timedelta(days=i) for i in itertools.count())
    commands = {
        "show": lambda: run(big.cli("show", show_key)),
        "status": lambda: run(big.cli("status", status_key, next(flips))),
        "due": lambda: run(big.cli("due", due_key, next(days).isoformat())),
    }
    results = []
    for name, command in commands.items():
        pair = alternate(command, lambda: run(baseline), REPEAT)
        ours, theirs = pair.median
        results.append(
            Result(
                f"gpaitracker {name} KEY ({big.describe()})",
                ours,
                'python -c "import sqlmodel"',
                theirs,
                "s",
                target="<= 1.3x",
                extra=f"median of {REPEAT}; {pair.spread()}",
            )
        )
    return results


BENCHMARKS = [bench_cli_startup, bench_cli_commands]
