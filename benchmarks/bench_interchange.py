"""Spreadsheets and backups on the big register.

- export: the register as xlsx (openpyxl, three sheets) vs writing the same rows with the csv
  module (the least any export costs);
- import preview of a 100,000-row CSV (every item of the register unchanged, 1,000 due-date
  edits, the rest unknown keys) vs reading the same file with the csv module;
- backup (online copy, evidence files, manifest, zip) vs SQLite's online backup of the file.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import Result, Skipped, alternate
from benchmarks.shared_register import ADMIN, big_register

ROWS = 100_000
EDITS = 1_000


def _edit_file(path: Path, items: list[tuple[str, dt.date | None]]) -> None:
    """The items with their own due dates, the first EDITS moved, then unknown keys."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["key", "due"])
        for n, (key, due) in enumerate(items):
            if n < EDITS:
                due = dt.date(2029, 1, 1) + dt.timedelta(days=n % 300)
            out.writerow([key, due.isoformat() if due else ""])
        for n in range(ROWS - len(items)):
            out.writerow([f"model-0/UNKNOWN-{n}", "2029-01-01"])


def bench_interchange(quick: bool = False) -> list[Result | Skipped]:
    big = big_register(quick)
    try:
        from gpaitracker.interchange.readers import read_table
        from gpaitracker.services import (
            backup,
            interchange_export,
            interchange_import,
            interchange_reads,
        )
        from gpaitracker.services.workspace import Workspace
    except ImportError as exc:
        return [Skipped("interchange", f"the interchange services are missing: {exc}")]
    ws: Any = Workspace.open(big.home, acting=ADMIN)
    tmp = Path(tempfile.mkdtemp(prefix="gpai-interchange-"))
    results: list[Result | Skipped] = []
    try:
        data = ws.read(interchange_reads.snapshot)
        rows = [interchange_export.item_values(r, data.notes.get(r.id, "")) for r in data.items]

        def export_xlsx() -> None:
            interchange_export.write_xlsx(data, tmp / "r.xlsx")

        def plain_csv() -> None:
            with (tmp / "plain.csv").open("w", newline="") as fh:
                csv.writer(fh).writerows(rows)

        pair = alternate(export_xlsx, plain_csv, repeat=1 if not quick else 2)
        ours, base = pair.median
        results.append(
            Result(
                f"export xlsx ({big.describe()})",
                ours,
                "csv module, same rows",
                base,
                "s",
                extra=pair.spread(),
            )
        )

        path = tmp / "edits.csv"
        # Unchanged values come from the register, so that only the edits differ.
        keys = [
            (r.key, r.due) for r in data.items if r.status.value not in ("done", "not_applicable")
        ][:ROWS]
        _edit_file(path, keys)

        def preview() -> None:
            result = ws.write(
                interchange_import.import_sheets,
                sheets=read_table(path),
                apply=False,
                skip_invalid=True,
            )
            assert len(result.outcomes) >= ROWS - len(keys)

        def read_csv() -> None:
            with path.open(newline="", encoding="utf-8") as fh:
                sum(1 for _ in csv.reader(fh))

        pair = alternate(preview, read_csv, repeat=1 if not quick else 2)
        ours, base = pair.median
        results.append(
            Result(
                f"import preview, {ROWS:,}-row CSV ({EDITS:,} edits, {len(keys):,} open items)",
                ours,
                "csv.reader over the file",
                base,
                "s",
                extra=pair.spread(),
            )
        )

        def make_backup() -> None:
            backup.make_backup(ws.register, tmp / "b.zip")

        def online_copy() -> None:
            with (
                contextlib.closing(sqlite3.connect(big.db_path)) as src,
                contextlib.closing(sqlite3.connect(tmp / "copy.sqlite")) as dst,
            ):
                src.backup(dst)

        pair = alternate(make_backup, online_copy, repeat=1)
        ours, base = pair.median
        results.append(
            Result(
                f"backup zip ({big.describe()})",
                ours,
                "sqlite3 online backup only",
                base,
                "s",
                extra=pair.spread(),
            )
        )
    finally:
        ws.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return results


BENCHMARKS = [bench_interchange]
