"""Listing the register: `queries.list_rows` through the workspace, and `list --format json`
end to end, each against a raw sqlite3 SELECT of the same columns with the same joins."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks.common import Result, Skipped, alternate, run
from benchmarks.shared_register import big_register

COLUMNS = (
    "id",
    "code",
    "occurrence",
    "status",
    "due_date",
    "priority",
    "applicable",
    "withdrawn",
    "version",
    "title",
    "reference",
    "model",
    "model_slug",
    "owner",
    "reviewer",
)
# What list_rows selects (its own extras aside), filtered and ordered the same way.
RAW_SQL = """
SELECT r.id, r.code, r.occurrence, r.status, r.due_date, r.priority, r.applicable,
       r.withdrawn, r.{lock}, e.title, e.reference, m.name, m.slug, o.email, v.email
FROM requirement r
JOIN ai_model m ON m.id = r.model_id
JOIN catalogue_entry e ON e.id = r.entry_id
LEFT JOIN person o ON o.id = r.owner_id
LEFT JOIN person v ON v.id = r.reviewer_id
WHERE r.applicable = 1 AND r.withdrawn = 0 {where}
ORDER BY r.due_date IS NULL, r.due_date, m.slug, r.code, r.occurrence {limit}
"""
# Where list_rows searches: the item's code, its entry's title and summary, its comments.
TEXT_WHERE = """AND (r.code LIKE :t OR e.title LIKE :t OR e.summary LIKE :t
    OR r.id IN (SELECT requirement_id FROM comment WHERE text LIKE :t))"""
SEARCH = "copyright"
PAGE_MODEL = "model-7"
PAGE_ROWS = 200  # one screen of the register

# The JSON baseline runs as a child process too, so both sides pay for a process start.
_RAW_JSON_CHILD = """
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = [dict(zip({names!r}, r)) for r in con.execute({sql!r})]
sys.stdout.write(json.dumps(rows))
"""


def _raw(
    con: sqlite3.Connection,
    lock: str,
    where: str = "",
    params: dict[str, Any] | None = None,
    limit: int | None = None,
) -> list[tuple[Any, ...]]:
    sql = RAW_SQL.format(lock=lock, where=where, limit=f"LIMIT {limit}" if limit else "")
    return con.execute(sql, params or {}).fetchall()


def bench_list_json(quick: bool = False) -> list[Result]:
    big = big_register(quick)
    repeat = 5 if quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        ours_out, raw_out = Path(tmp) / "list.json", Path(tmp) / "raw.json"

        def ours() -> None:
            with ours_out.open("wb") as fh:
                run(big.cli("list", "--format", "json"), stdout=fh)

        child = _RAW_JSON_CHILD.format(
            names=COLUMNS, sql=RAW_SQL.format(lock=big.lock_column, where="", limit="")
        )

        def raw() -> None:
            with raw_out.open("wb") as fh:
                run([sys.executable, "-c", child, str(big.db_path)], stdout=fh)

        pair = alternate(ours, raw, repeat)
        listed = len(json.loads(ours_out.read_bytes()))
        dumped = len(json.loads(raw_out.read_bytes()))
    t_ours, t_raw = pair.median
    return [
        Result(
            f"gpaitracker list --format json ({listed:,} items)",
            t_ours,
            "python: sqlite3 SELECT + json.dumps",
            t_raw,
            "s",
            target="< 2 s absolute",
            extra=f"median of {repeat}; baseline dumped {dumped:,} rows; {pair.spread()}",
        )
    ]


class Page(NamedTuple):
    label: str
    filters: dict[str, Any]  # queries.Filters fields
    where: str  # the same filter for the raw SELECT
    params: dict[str, Any]


def _pages(status: Any, model_id: int) -> list[Page]:
    return [
        Page(
            f"one model ({PAGE_MODEL})",
            {"model_id": model_id},
            "AND r.model_id = :m",
            {"m": model_id},
        ),
        Page(
            "one status (in_progress)",
            {"status": status.IN_PROGRESS},
            "AND r.status = :s",
            {"s": "in_progress"},
        ),
        Page(f"text search {SEARCH!r}", {"text": SEARCH}, TEXT_WHERE, {"t": f"%{SEARCH}%"}),
    ]


def bench_list_rows(quick: bool = False) -> list[Result | Skipped]:
    big = big_register(quick)
    try:
        from gpaitracker.enums import Status
        from gpaitracker.services import queries
        from gpaitracker.services.workspace import Workspace

        queries.Filters(model_id=1, status=Status.IN_PROGRESS, text="x", limit=1)
    except (ImportError, AttributeError, TypeError) as exc:
        return [Skipped("list_rows", f"the workspace/Filters interface is missing: {exc}")]
    lock = big.lock_column
    results: list[Result | Skipped] = []
    with Workspace.open(big.home) as ws, contextlib.closing(big.connect()) as con:
        model_id = con.execute("SELECT id FROM ai_model WHERE slug = ?", (PAGE_MODEL,)).fetchone()
        everything = Page("all items", {}, "", {})
        runs = [(everything, None, 7, "<= 3x")]
        for page in _pages(Status, model_id[0]):
            # What a window shows first (one screen), and every match (what it may load).
            runs += [
                (page, PAGE_ROWS, 15, "< 50 ms absolute"),
                (page, None, 7, "<= 3x, as for all"),
            ]
        for page, limit, repeat, target in runs:
            filters = queries.Filters(**page.filters, limit=limit)

            def ours(f: Any = filters) -> list[Any]:
                return ws.read(queries.list_rows, filters=f)

            def raw(p: Page = page, n: int | None = limit) -> list[Any]:
                return _raw(con, lock, p.where, p.params, n)

            pair = alternate(ours, raw, repeat, warmup=2)
            t_ours, t_raw = pair.median
            shown = f"first {limit} of " if limit else ""
            results.append(
                Result(
                    f"list_rows, {shown}{page.label} ({len(ours()):,} rows)",
                    t_ours * 1000,
                    "raw sqlite3 SELECT, same columns and joins",
                    t_raw * 1000,
                    "ms",
                    target=target,
                    extra=f"median of {repeat}; raw returned {len(raw()):,} rows; "
                    f"{pair.spread(1000, 'ms')}",
                )
            )
    return results


BENCHMARKS = [bench_list_json, bench_list_rows]
