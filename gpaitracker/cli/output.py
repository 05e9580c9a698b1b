"""Printing rows as an aligned table, JSON or CSV.

Human-readable output (tables, and free text passed through safe()) shows control and
bidi characters as visible escapes, so a note cannot move the cursor, recolour the
terminal or print a fake row. CSV keeps the exact text but guards cells a spreadsheet
would run as a formula. JSON is unchanged: exact values for programs.
"""

from __future__ import annotations

import json
import numbers
import sys
import unicodedata
from collections.abc import Sequence
from typing import TextIO

# Bidi embeddings, overrides and isolates, and the marks: they reorder what follows them.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# ZWJ and ZWNJ are format characters too, but emoji and several scripts need them.
_KEEP_FORMAT = frozenset("\u200c\u200d")
# OWASP "CSV injection": a cell starting with one of these may be run as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CSV_SPECIAL = ',"\r\n'


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _unsafe(char: str) -> bool:
    if char in _BIDI:
        return True
    category = unicodedata.category(char)
    # Cc: C0, DEL, C1 (ESC, CSI, NEL...); Cs: lone surrogates from undecodable bytes;
    # Zl/Zp: line and paragraph separators, which some terminals treat as new lines.
    if category in ("Cc", "Cs", "Zl", "Zp"):
        return True
    return category == "Cf" and char not in _KEEP_FORMAT


def safe(text: str) -> str:
    """Text made safe for a terminal: control, bidi and line-breaking characters escaped.

    Use it for every free text printed outside table() (names, notes, titles, URLs).
    Backslashes are left as they are, so Windows paths read naturally.
    """
    if text.isprintable():  # fast path: no Cc, Cf, Cs, Zl, Zp (nor other separators)
        return text
    return "".join(_escape(c) if _unsafe(c) else c for c in text)


def cell(value: object) -> str:
    """One value as human-readable text: - for None, yes/no, ISO dates, escaped text."""
    return safe(_text(value))


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], out: TextIO | None = None
) -> None:
    out = out or sys.stdout  # looked up now: tests and callers may redirect it
    shown = [safe(h.upper()) for h in headers]
    cells = [[cell(v) for v in row] for row in rows]
    widths = [len(h) for h in shown]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    widths = [min(w, 60) for w in widths]
    line = "  ".join(h.ljust(widths[i]) for i, h in enumerate(shown))
    out.write(line.rstrip() + "\n")
    for row in cells:
        text = "  ".join(_clip(v, widths[i]).ljust(widths[i]) for i, v in enumerate(row))
        out.write(text.rstrip() + "\n")


_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode


def as_json(data: object, out: TextIO | None = None) -> None:
    """JSON; a list is written one element per line (readable, and fast for 50,000 rows:
    Python's JSON encoder only uses its C speed-up without indentation)."""
    out = out or sys.stdout  # looked up now: tests and callers may redirect it
    if isinstance(data, list):
        if not data:
            out.write("[]\n")
            return
        encode = _ENCODE
        out.write("[\n")
        out.write(",\n".join(encode(item) for item in data))
        out.write("\n]\n")
        return
    json.dump(data, out, indent=2, ensure_ascii=False, default=str)
    out.write("\n")


def as_csv(
    headers: Sequence[str], rows: Sequence[Sequence[object]], out: TextIO | None = None
) -> None:
    """CSV with exact text; a text cell that a spreadsheet would run gets a leading quote.

    Numbers (int, float, Decimal) are written as numbers, negative ones included: they
    cannot carry a formula. Text is guarded even when it looks like a number ("-1"), as
    OWASP recommends, since "-1+cmd|..." is a formula too.
    """
    out = out or sys.stdout  # looked up now: tests and callers may redirect it
    out.write(_csv_row(headers))
    for row in rows:
        out.write(_csv_row([_csv_cell(v) for v in row]))


def _csv_row(fields: Sequence[str]) -> str:
    # RFC 4180 quoting by hand: the csv module, with "\n" line ends, leaves a lone "\r"
    # unquoted, and a spreadsheet then starts a new row there.
    return ",".join(_csv_quote(f) for f in fields) + "\n"


def _csv_quote(field: str) -> str:
    if any(c in field for c in _CSV_SPECIAL):
        return '"' + field.replace('"', '""') + '"'
    return field


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return str(value)
    text = _text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


# Command modules print key/value lines with this; it escapes like every table cell.
_cell = cell


def _clip(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def emit(fmt: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """One listing in the format asked for: table, json (a list of objects) or csv."""
    if fmt == "json":
        as_json([dict(zip(headers, r, strict=True)) for r in rows])
    elif fmt == "csv":
        as_csv(headers, rows)
    else:
        table(headers, rows)


text_cell = cell  # a value as one line of human-readable text
