"""The report's tables: items, overdue items, moved deadlines and the evidence index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.platypus import LongTable, Paragraph  # type: ignore[import-untyped]

from gpaitracker.reports.data import EvidenceLine, ItemLine, MovedDeadline
from gpaitracker.reports.styles import (
    ACCENT,
    FRAME_W,
    INK,
    MONO,
    RULE,
    SANS,
    STATUS_CAPTIONS,
    STATUS_COLOURS,
    ZEBRA,
    Styles,
    markup,
    owner_text,
    plain,
)

PAD = 4  # left and right cell padding, points
CELL_SIZE = 8
HASH_CHUNK = 32

# Header and width in points; None takes what the others leave. The fixed widths hold their
# longest content at 8 pt on one line: a key, "<name@example.com>", a date, "Not applicable".
Column = tuple[str, float | None]
KEY, OWNER, DATE = 105.0, 95.0, 58.0
ITEM_COLUMNS: list[Column] = [
    ("Key", KEY),
    ("Title", None),
    ("Owner", OWNER),
    ("Due", DATE),
    ("Status", 70),
]
OVERDUE_COLUMNS: list[Column] = [
    ("Key", KEY),
    ("Title", None),
    ("Owner", OWNER),
    ("Due", DATE),
    ("Days late", 56),
]
MOVED_COLUMNS: list[Column] = [
    ("Key", KEY),
    ("Title", None),
    ("Owner", OWNER),
    ("Old due", DATE),
    ("New due", DATE),
]
# 148 points hold 32 hex digits of the mono font at 7 pt: a SHA-256 takes two lines.
EVIDENCE_COLUMNS: list[Column] = [
    ("Title", None),
    ("Revision", 48),
    ("SHA-256", 148),
    ("Valid until", DATE),
    ("Items", 40),
]


def widths(columns: Sequence[Column]) -> list[float]:
    """Column widths in points that add up to the frame's width."""
    rest = FRAME_W - sum(w for _, w in columns if w is not None)
    return [rest if w is None else w for _, w in columns]


def date_text(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


class TableMaker:
    """Builds the report's tables in one style; cells that fit on one line stay plain strings
    because a Paragraph per cell is what makes a long register slow to lay out."""

    def __init__(self, styles: Styles) -> None:
        self.styles = styles

    def cell(self, text: str, width: float, style: Any = None) -> Any:
        """A plain string when it fits the column on one line, else a wrapping Paragraph."""
        clean = plain(text)
        style = style or self.styles.cell
        if "\n" not in clean and stringWidth(clean, SANS, CELL_SIZE) <= width - 2 * PAD:
            return clean
        return Paragraph(markup(clean), style)

    def grid(
        self,
        columns: Sequence[Column],
        rows: list[list[Any]],
        *,
        right: Sequence[int] = (),
        mono: Sequence[int] = (),
        extra: Sequence[tuple[Any, ...]] = (),
    ) -> Any:
        """A LongTable whose header repeats on every page, with zebra rows; None. when empty."""
        if not rows:
            return Paragraph("None.", self.styles.muted)
        header = [Paragraph(name, self.styles.head) for name, _ in columns]
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), SANS, CELL_SIZE, CELL_SIZE + 2),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, ZEBRA]),
            ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        commands += [("ALIGN", (c, 1), (c, -1), "RIGHT") for c in right]
        commands += [("FONT", (c, 1), (c, -1), MONO, 7, 9) for c in mono]
        commands += extra
        return LongTable(
            [header, *rows], colWidths=widths(columns), repeatRows=1, style=commands, splitInRow=1
        )

    def items(self, lines: list[ItemLine], *, days_late: bool = False) -> Any:
        """Key, title, owner, due and status (or days late) of each item."""
        columns = OVERDUE_COLUMNS if days_late else ITEM_COLUMNS
        width = widths(columns)
        rows: list[list[Any]] = []
        marks: list[tuple[Any, ...]] = []
        for row, line in enumerate(lines, start=1):
            last: Any
            if days_late:
                last = str(line.days_late)
            else:
                last = STATUS_CAPTIONS.get(line.status) or self.cell(line.status, width[4])
                if line.status in STATUS_COLOURS:
                    # A bar in the status colour ties the table to the charts' legend.
                    marks.append(("LINEBEFORE", (4, row), (4, row), 3, STATUS_COLOURS[line.status]))
            rows.append([*self._common(line, width), date_text(line.due), last])
        return self.grid(columns, rows, right=(4,) if days_late else (), extra=marks)

    def moved(self, moves: list[MovedDeadline]) -> Any:
        """Items whose due date changed since the previous report: old and new date."""
        width = widths(MOVED_COLUMNS)
        rows = [
            [*self._common(m.item, width), date_text(m.old_due), date_text(m.new_due)]
            for m in moves
        ]
        return self.grid(MOVED_COLUMNS, rows)

    def evidence(self, lines: list[EvidenceLine]) -> Any:
        """Title, revision, hash, validity and use of each evidence file."""
        width = widths(EVIDENCE_COLUMNS)
        rows = [
            [
                self.cell(e.title, width[0]),
                str(e.revision),
                split_hash(e.sha256),
                date_text(e.valid_until),
                str(e.items),
            ]
            for e in lines
        ]
        return self.grid(EVIDENCE_COLUMNS, rows, right=(1, 4), mono=(2,))

    def _common(self, line: ItemLine, width: list[float]) -> list[Any]:
        return [
            self.cell(line.key, width[0]),
            self.cell(line.title, width[1]),
            self.cell(owner_text(line.owner), width[2]),
        ]


def split_hash(digest: str, chunk: int = HASH_CHUNK) -> str:
    """A hash as lines of `chunk` characters: a plain table cell never wraps on its own."""
    clean = "".join(plain(digest).split())
    return "\n".join(clean[i : i + chunk] for i in range(0, len(clean), chunk)) or "—"
