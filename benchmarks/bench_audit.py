"""Verifying the audit chain against a naive walk of the same rows in the same run.

The naive walk reads audit_event with sqlite3 in id order, rebuilds each event's hashed fields
as a list, JSON-encodes it and compares its SHA-256 with the stored hash: the least any
verifier has to do. It encodes with a JSONEncoder built once, which is what `json.dumps` does
with default arguments (with keyword arguments it would build one per call, ~25 % slower):
the cheapest json.dumps cost, with the same bytes the trail hashed, so it really verifies.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from pathlib import Path

from benchmarks.common import Result, alternate, run
from benchmarks.shared_register import big_register

GENESIS = "0" * 64
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_SQL = (
    "SELECT format, at, actor_id, actor, action, entity, row_id, label, field, old_value, "
    "new_value, prev_hash, hash FROM audit_event ORDER BY id"
)


def naive_walk(db_path: Path) -> int:
    """Events whose link and hash check out; raises if any does not."""
    from gpaitracker.audit import stamp  # only for times not in SQLite's own format

    prev, good = GENESIS, 0
    with contextlib.closing(sqlite3.connect(db_path)) as con:
        for (
            fmt,
            at,
            actor_id,
            actor,
            action,
            entity,
            row_id,
            label,
            field,
            old,
            new,
            prev_hash,
            digest,
        ) in con.execute(_SQL):
            when = f"{at[:10]}T{at[11:]}+00:00" if len(at) == 26 else stamp(at)
            if fmt == 2:
                payload = [
                    2,
                    prev_hash,
                    when,
                    actor_id,
                    actor,
                    action,
                    entity,
                    row_id,
                    label,
                    field,
                    old,
                    new,
                ]
            else:
                payload = [prev_hash, when, actor, action, entity, label, field, old, new]
            computed = hashlib.sha256(_ENCODE(payload).encode()).hexdigest()
            if prev_hash != prev or computed != digest:
                raise AssertionError(f"naive walk: event {good + 1} does not verify")
            prev = digest
            good += 1
    return good


def bench_audit_verify(quick: bool = False) -> list[Result]:
    big = big_register(quick)
    repeat = 3
    counted: list[int] = []
    pair = alternate(
        lambda: run(big.cli("audit", "--verify")),
        lambda: counted.append(naive_walk(big.db_path)),
        repeat,
    )
    ours, theirs = pair.median
    return [
        Result(
            f"gpaitracker audit --verify ({counted[-1]:,} events)",
            ours,
            "naive sqlite3 + json + sha256 walk",
            theirs,
            "s",
            target="<= 1.5x",
            extra=f"median of {repeat}; {pair.spread()}",
        )
    ]


def bench_verify_chain(quick: bool = False) -> list[Result]:
    from gpaitracker import audit
    from gpaitracker.migrate import open_register

    big = big_register(quick)
    register = open_register(big.home)
    outcome: list[audit.Verification] = []

    def ours() -> None:
        with register.engine.connect() as conn:
            outcome.append(audit.verify_chain(conn))

    repeat = 3
    try:
        pair = alternate(ours, lambda: naive_walk(big.db_path), repeat)
    finally:
        register.engine.dispose()
    last = outcome[-1]
    if last.problem is not None:
        raise AssertionError(f"verify_chain found a problem: {last.problem}")
    t_ours, t_naive = pair.median
    return [
        Result(
            f"audit.verify_chain in-process ({last.checked:,} events)",
            t_ours,
            "naive sqlite3 + json + sha256 walk",
            t_naive,
            "s",
            target="<= 1.5x",
            extra=f"median of {repeat}; {pair.spread()}",
        )
    ]


BENCHMARKS = [bench_audit_verify, bench_verify_chain]
