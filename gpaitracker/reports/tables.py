"""The report's tables: items, overdue items, moved deadlines and the evidence index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.platypus import LongTable, Paragraph  # type: ignore[import-untyped]

from gpaitracker.reports.data import EvidenceLine, ItemLine, MovedDeadline, RecordLine
from gpaitracker.reports.styles import (
    ACCENT,
    FRAME_W,
    INK,
    MONO,
    RULE,
    SANS,
    SANS_BOLD,
    STATUS_CAPTIONS,
    STATUS_COLOURS,
    ZEBRA,
    Styles,
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
RECORD_COLUMNS: list[Column] = [
    ("Record", 70),
    ("What is owed", None),
    ("Owner", OWNER),
    ("Due", DATE),
    ("Days late", 56),
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
    """Builds the report's tables in one style.

    Cells are wrapped here into plain multi-line strings: a Paragraph per cell is what makes a
    long register slow to lay out (each is wrapped again whenever a table splits at a page).
    A word wider than its column (a file name, a long address) is broken between characters.
    """

    def __init__(self, styles: Styles) -> None:
        self.styles = styles
        self._widths: dict[str, float] = {}  # titles repeat: measure each word once

    def cell(self, text: str, width: float) -> str:
        """The text wrapped to the column, as plain lines."""
        return "\n".join(self._wrap(plain(text), width - 2 * PAD))

    def _width(self, word: str) -> float:
        found = self._widths.get(word)
        if found is None:
            found = self._widths[word] = stringWidth(word, SANS, CELL_SIZE)
        return found

    def _wrap(self, text: str, limit: float) -> list[str]:
        """Lines no wider than `limit`, breaking at spaces, and inside words wider than that."""
        space = self._width(" ")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line: list[str] = []
            used = 0.0
            for whole in paragraph.split():
                for word in self._pieces(whole, limit):
                    width = self._width(word)
                    if line and used + space + width > limit:
                        lines.append(" ".join(line))
                        line, used = [], 0.0
                    used += (space if line else 0.0) + width
                    line.append(word)
            lines.append(" ".join(line))
        return lines

    def _pieces(self, word: str, limit: float) -> list[str]:
        """The word, or runs of its characters that each fit the limit when it does not."""
        if self._width(word) <= limit:
            return [word]
        pieces, start, used = [], 0, 0.0
        for n, char in enumerate(word):
            width = self._width(char)
            if n > start and used + width > limit:
                pieces.append(word[start:n])
                start, used = n, 0.0
            used += width
        pieces.append(word[start:])
        return pieces

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
        header = [name for name, _ in columns]  # short, and fitted to their columns
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), SANS, CELL_SIZE, CELL_SIZE + 2),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("FONT", (0, 0), (-1, 0), SANS_BOLD, CELL_SIZE, CELL_SIZE + 2),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
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
        for line in lines:
            last: Any
            if days_late:
                last = str(line.days_late)
            else:
                last = STATUS_CAPTIONS.get(line.status) or self.cell(line.status, width[4])
            rows.append([*self._common(line, width), date_text(line.due), last])
        marks = [] if days_late else status_marks([line.status for line in lines])
        return self.grid(columns, rows, right=(4,) if days_late else (), extra=marks)

    def records(self, lines: Sequence[RecordLine]) -> Any:
        """Incident reports and request answers owed: what, whose, when, how late."""
        width = widths(RECORD_COLUMNS)
        rows = [
            [
                self.cell(r.label, width[0]),
                self.cell(f"{r.title} ({r.model})" if r.model else r.title, width[1]),
                self.cell(owner_text(r.owner), width[2]),
                date_text(r.due),
                str(r.days_late) if r.days_late else "",
            ]
            for r in lines
        ]
        return self.grid(RECORD_COLUMNS, rows, right=(4,))

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


def status_marks(statuses: list[str], column: int = 4) -> list[tuple[Any, ...]]:
    """A bar in the status colour left of each status cell, tying tables to the charts' legend.

    One command per run of equal statuses: a table re-reads its commands at every page break.
    """
    marks: list[tuple[Any, ...]] = []
    start = 0
    for row in range(1, len(statuses) + 1):
        if row == len(statuses) or statuses[row] != statuses[start]:
            colour = STATUS_COLOURS.get(statuses[start])
            if colour is not None:  # table rows start at 1, below the header
                marks.append(("LINEBEFORE", (column, start + 1), (column, row), 3, colour))
            start = row
    return marks


def split_hash(digest: str, chunk: int = HASH_CHUNK) -> str:
    """A hash as lines of `chunk` characters: a plain table cell never wraps on its own."""
    clean = "".join(plain(digest).split())
    return "\n".join(clean[i : i + chunk] for i in range(0, len(clean), chunk)) or "—"
