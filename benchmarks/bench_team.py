"""Team mode: the shared register copied to a throwaway PostgreSQL server, then the register
list, the dashboard figures and 8 concurrent writers on the server against the same on SQLite.

Needs the PostgreSQL server binaries (make sysdeps); the cluster runs on a free loopback port
and is removed at the end.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result, Skipped, alternate
from benchmarks.shared_register import ADMIN, big_register

WRITERS = 8


def _server_copy(big, cluster) -> tuple[str, float, float]:
    import psycopg

    from gpaitracker import register_copy
    from gpaitracker.migrate import open_register

    with psycopg.connect(
        host="127.0.0.1",
        port=cluster.port,
        user="postgres",
        password=cluster.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute("CREATE DATABASE bench")
    url = cluster.url("bench")
    source = open_register(big.home, create=False)
    target = open_register(big.home, url)
    started = time.perf_counter()
    register_copy.copy_register(source, target)
    seconds = time.perf_counter() - started
    with target.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    target.engine.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        offline = open_register(Path(tmp))
        started = time.perf_counter()
        register_copy.copy_register(source, offline)
        local = time.perf_counter() - started
        offline.engine.dispose()
    source.engine.dispose()
    return url, seconds, local


def _reads(big, url: str, quick: bool) -> list[Result]:
    from gpaitracker import metrics
    from gpaitracker.services import queries
    from gpaitracker.services.workspace import Workspace

    repeat = 5 if quick else 3
    local = Workspace.open(big.home, create=False)
    server = Workspace.open(big.home, url, create=False)
    results = []
    try:
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            for ws, cache in ((local, a), (server, b)):
                ws.read(metrics.figures, cache_dir=Path(cache))  # the weekly trend, cached
            pairs = {
                "register list (all rows)": (
                    lambda: server.read(queries.list_rows),
                    lambda: local.read(queries.list_rows),
                ),
                "dashboard figures, trend cached": (
                    lambda: server.read(metrics.figures, cache_dir=Path(b)),
                    lambda: local.read(metrics.figures, cache_dir=Path(a)),
                ),
            }
            for name, (ours, base) in pairs.items():
                pair = alternate(ours, base, repeat)
                t_server, t_local = pair.median
                results.append(
                    Result(
                        f"team: {name} on PostgreSQL ({big.items:,} items)",
                        t_server * 1000,
                        "the same on SQLite",
                        t_local * 1000,
                        "ms",
                        extra=f"median of {repeat}; {pair.spread(1000, 'ms')}",
                    )
                )
    finally:
        local.close()
        server.close()
    return results


def _open_items(big, url: str, count: int) -> list[int]:
    from gpaitracker.services import queries
    from gpaitracker.services.workspace import Workspace

    with Workspace.open(big.home, url, create=False) as ws:
        rows = ws.read(queries.list_rows, filters=queries.Filters(limit=2000))
    return [r.id for r in rows if r.status.value in ("not_started", "in_progress", "blocked")][
        :count
    ]


def _writers(big, url: str, quick: bool) -> Result:
    from benchmarks.concurrent_writers import run_writers

    edits = 25 if quick else 100
    with tempfile.TemporaryDirectory() as tmp:
        # A copy of the local register, so the shared one stays as generated.
        home = Path(tmp) / "local"
        home.mkdir()
        shutil.copyfile(big.db_path, home / "register.sqlite")
        sqlite_url = f"sqlite:///{home / 'register.sqlite'}"
        items = _open_items(big, url, 64)
        env = {"GPAITRACKER_BUSY_TIMEOUT_MS": "10000"}
        on_server = run_writers([(url, ADMIN)] * WRITERS, big.home, edits, items, Path(tmp), env)
        on_file = run_writers([(sqlite_url, ADMIN)] * WRITERS, home, edits, items, Path(tmp), env)
    rate, base = on_server.rate, on_file.rate
    return Result(
        f"team: {WRITERS} concurrent writers x {edits} edits on 64 items, PostgreSQL",
        rate,
        "the same on one SQLite file",
        base,
        "edits/s",
        extra=(
            f"server {len(on_server.accepted)} saved, {len(on_server.refused)} refused in "
            f"{on_server.editing:.1f} s; SQLite {len(on_file.accepted)} saved, "
            f"{len(on_file.refused)} refused in {on_file.editing:.1f} s; from the first edit "
            "to the last, process starts excluded"
        ),
    )


def bench_team_mode(quick: bool = False) -> list[Result | Skipped]:
    from tests.pg_cluster import ClusterUnavailable, start_cluster

    big = big_register(quick)
    try:
        cluster = start_cluster()
    except ClusterUnavailable as exc:
        return [Skipped("team mode on PostgreSQL", str(exc))]
    try:
        url, copy_s, local_s = _server_copy(big, cluster)
        results: list[Result | Skipped] = [
            Result(
                f"team: migrate --to the server ({big.describe()})",
                copy_s,
                "migrate --to a new local folder",
                local_s,
                "s",
            )
        ]
        results += _reads(big, url, quick)
        results.append(_writers(big, url, quick))
        return results
    finally:
        cluster.destroy()


BENCHMARKS = [bench_team_mode]
