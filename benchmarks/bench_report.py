"""The board report of the 5,000-item register: read, laid out with charts, signed and recorded,
against reportlab rendering the same tables as plain LongTables (no charts, no signing)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import Result, Skipped, alternate
from benchmarks.shared_register import ADMIN, DB_FILE, big_register

PASSPHRASE = "bench-passphrase"


def _plain_tables(data: Any) -> bytes:
    """What a bare reportlab script makes of the report's tables: overdue, next 90 days, every
    model/chapter table and the evidence index, each one LongTable of plain strings."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    story: list[Any] = []

    def table(title: str, header: list[str], rows: list[list[str]]) -> None:
        story.append(Paragraph(title, styles["Heading2"]))
        story.append(LongTable([header, *rows], repeatRows=1))

    def items(lines: Any) -> list[list[str]]:
        return [
            [i.key, i.title[:60], i.owner or "", i.due.isoformat() if i.due else "", i.status]
            for i in lines
        ]

    header = ["Key", "Title", "Owner", "Due", "Status"]
    table("Overdue", header, items(data.overdue))
    table("Next 90 days", header, items(data.next_90))
    for t in data.tables:
        table(f"{t.model} - {t.chapter}", header, items(t.items))
    table(
        "Evidence",
        ["Title", "Revision", "SHA-256", "Valid until", "Items"],
        [
            [e.title[:50], str(e.revision), e.sha256, str(e.valid_until or ""), str(e.items)]
            for e in data.evidence
        ],
    )
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story)
    return out.getvalue()


def bench_report(quick: bool = False) -> list[Result | Skipped]:
    big = big_register(quick=True)  # the size the target is set for: 5,000 items, either way
    try:
        from gpaitracker.reports.identity import create_identity
        from gpaitracker.services.report_export import report_data
        from gpaitracker.services.report_make import make_report
        from gpaitracker.services.workspace import Workspace
    except ImportError as exc:
        return [Skipped("report", f"the report interface is missing: {exc}")]
    repeat = 3
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        # A copy: each report adds a record and an event the other benchmarks do not expect.
        with (
            contextlib.closing(big.connect()) as src,
            contextlib.closing(sqlite3.connect(home / DB_FILE)) as dst,
        ):
            src.backup(dst)
        key = create_identity(
            "Bench Signer", "signer@provider.eu", PASSPHRASE, home / "id.p12", key_type="ec"
        )
        with Workspace.open(home, acting=ADMIN, create=False) as ws:
            data = ws.read(report_data, as_of=dt.date.today(), model_ids=None, prepared_by="x")
            items = sum(len(t.items) for t in data.tables)
            made: list[Any] = []

            def ours() -> None:
                made.append(
                    make_report(
                        ws, Path(tmp) / "board.pdf", identity=key.path, passphrase=PASSPHRASE
                    )
                )

            def plain() -> None:
                _plain_tables(data)

            pair = alternate(ours, plain, repeat)
    t_ours, t_plain = pair.median
    return [
        Result(
            f"board report, read + charts + sign + record ({items:,} items)",
            t_ours,
            "reportlab LongTables of the same tables, plain strings, no charts or signing",
            t_plain,
            "s",
            target="< 10 s absolute, < 3x",
            extra=f"median of {repeat}; {made[-1].size:,} bytes; {pair.spread()}",
        )
    ]


BENCHMARKS = [bench_report]
