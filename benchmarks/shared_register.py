"""The one big register a benchmark run shares: generated once, then reused by every module.

Full size: 50,000 items, 1,000,000 audit events, 10,000 evidence files; --quick: 5,000 items
and 100,000 events. It lives in a temporary folder removed at exit. Set GPAITRACKER_BENCH_HOME
to a folder to keep it between runs (a folder already holding a register is used as is; the
--quick one is kept in its subfolder "quick").
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import gpaitracker_argv

ADMIN = "bench-admin@provider.eu"
DB_FILE = "register.sqlite"


@dataclass(frozen=True)
class BigRegister:
    home: Path
    items: int
    events: int
    evidence: int

    @property
    def db_path(self) -> Path:
        return self.home / DB_FILE

    def cli(self, *args: str) -> list[str]:
        """argv of a gpaitracker command on this register, acting as its admin."""
        return [*gpaitracker_argv(), *args, "--home", str(self.home), "--as", ADMIN]

    def connect(self) -> sqlite3.Connection:
        """A plain sqlite3 connection, as the baselines use."""
        return sqlite3.connect(self.db_path, isolation_level=None)

    @property
    def lock_column(self) -> str:
        """The requirement column counting saved changes (named version before schema 0003)."""
        with contextlib.closing(self.connect()) as con:
            names = {r[1] for r in con.execute("PRAGMA table_info(requirement)")}
        return "row_version" if "row_version" in names else "version"

    def count_events(self) -> int:
        with contextlib.closing(self.connect()) as con:
            return int(con.execute("SELECT count(*) FROM audit_event").fetchone()[0])

    def describe(self) -> str:
        return f"{self.items:,} items, {self.events:,} audit events, {self.evidence:,} evidence"


_cache: dict[bool, BigRegister | Exception] = {}


def big_register(quick: bool) -> BigRegister:
    """The run's shared register, generated on first use (a failure is reported once)."""
    if quick not in _cache:
        try:
            _cache[quick] = _build(quick)
        except Exception as exc:
            _cache[quick] = exc
            raise
    found = _cache[quick]
    if isinstance(found, Exception):
        raise RuntimeError(f"the shared register could not be built: {found}") from found
    return found


def sizes(quick: bool) -> dict[str, int]:
    if quick:
        return {"items": 5_000, "audit_events": 100_000}
    return {"items": 50_000, "audit_events": 1_000_000}


def _build(quick: bool) -> BigRegister:
    kept = os.environ.get("GPAITRACKER_BENCH_HOME")
    if kept:
        # The small register lives beside the big one: a benchmark may ask for both in a run.
        home = Path(kept).expanduser().resolve() / ("quick" if quick else "")
    else:
        parent = os.environ.get("GPAITRACKER_BENCH_DIR")
        home = Path(tempfile.mkdtemp(prefix="gpai-bench-", dir=parent))
        atexit.register(shutil.rmtree, home, True)
    if not (home / DB_FILE).is_file():
        # Imported here: the start-up benchmarks must not pay for it if run alone.
        from benchmarks.generate import generate

        print(f"   (generating the shared register in {home} ...)", flush=True)
        t0 = time.perf_counter()
        register = generate(home, **sizes(quick))
        register.engine.dispose()
        print(f"   (generated in {time.perf_counter() - t0:.1f} s)", flush=True)
    with contextlib.closing(sqlite3.connect(home / DB_FILE)) as con:
        counts = [
            int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("requirement", "audit_event", "evidence")
        ]
    big = BigRegister(home, *counts)
    if not big.items:
        # generate() writes everything past the organisation in one transaction.
        raise RuntimeError(f"{home} holds a register without items; remove it and run again")
    print(f"   (shared register: {big.describe()})", flush=True)
    return big
