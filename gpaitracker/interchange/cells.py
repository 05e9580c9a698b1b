"""Spreadsheet cells to typed values: dates in the usual formats, enums, emails, text.

Every function raises ValidationError naming the column and the value. A formula or an error
cell arrives as a BadCell and is refused: an import takes values, never something to compute.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gpaitracker import parse
from gpaitracker.errors import ValidationError

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?:[ T]00:00(?::00)?)?")
_DMY = re.compile(r"([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{4})")
_WORDS = re.compile(r"([0-9]{1,2})[ -]([A-Za-z]{3,9})\.?[ -]([0-9]{4})")
_WORDS_US = re.compile(r"([A-Za-z]{3,9})\.? ([0-9]{1,2}),? ([0-9]{4})")
# A CSV export puts a quote before text starting with one of these (so a spreadsheet does not
# run it, and so a quote of the text's own survives); the CSV reader takes it off again.
GUARDED = ("=", "+", "-", "@", "\t", "\r", "'")


@dataclass(frozen=True)
class BadCell:
    """A cell that holds no plain value: a formula, or an error such as #N/A."""

    reason: str


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object, column: str) -> str:
    """A cell as text: numbers without a trailing .0, dates as YYYY-MM-DD."""
    refuse_bad(value, column)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def unguard(raw: str) -> str:
    """Take off the quote a CSV export put before text a spreadsheet would run as a formula."""
    if raw.startswith("'") and raw[1:2] and raw[1] in GUARDED:
        return raw[1:]
    return raw


def formula_like(raw: str) -> bool:
    """CSV text a spreadsheet would compute: refused rather than taken as a value."""
    return raw.startswith("=") and len(raw) > 1


def refuse_bad(value: object, column: str) -> None:
    if isinstance(value, BadCell):
        raise ValidationError(f"{column}: {value.reason}; put the value itself in the cell")


def date(value: object, column: str) -> dt.date | None:
    """A date from a date cell or text: YYYY-MM-DD (or / .), DD.MM.YYYY, DD/MM/YYYY,
    '31 Dec 2026', 'Dec 31, 2026'. Day and month that could be swapped are refused."""
    refuse_bad(value, column)
    if is_empty(value) or value == "-":
        return None
    if isinstance(value, dt.datetime):
        return parse.date_in_range(value.date(), column)
    if isinstance(value, dt.date):
        return parse.date_in_range(value, column)
    if not isinstance(value, str):
        raise ValidationError(f"{column} {parse.show(value)} is not a date (use YYYY-MM-DD)")
    raw = value.strip()
    try:
        found = _from_text(raw, column)
    except ValueError:
        found = None
    if found is None:
        raise ValidationError(f"{column} {parse.show(value)} is not a date (use YYYY-MM-DD)")
    return parse.date_in_range(found, column)


def _from_text(raw: str, column: str) -> dt.date | None:
    if m := _ISO.fullmatch(raw):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.fullmatch(raw):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if m[2] == "/" and first <= 12 and second <= 12 and first != second:
            raise ValidationError(
                f"{column} {parse.show(raw)} could be day/month or month/day; use YYYY-MM-DD"
            )
        if second > 12 and m[2] == "/":  # 12/31/2026: month first, as in the US
            first, second = second, first
        return dt.date(year, second, first)
    if m := _WORDS.fullmatch(raw):
        month = MONTHS.get(m[2].lower())
        return dt.date(int(m[3]), month, int(m[1])) if month else None
    if m := _WORDS_US.fullmatch(raw):
        month = MONTHS.get(m[1].lower())
        return dt.date(int(m[3]), month, int(m[2])) if month else None
    return None


def email(value: object, column: str) -> str | None:
    """An email, or None for an empty cell (which clears the field)."""
    raw = text(value, column).strip()
    if not raw or raw == "-":
        return None
    return parse.email(raw, column)


def flag(value: object, column: str) -> bool:
    """yes/no, true/false, 1/0."""
    raw = text(value, column).strip().lower()
    if raw in ("yes", "true", "1", "y"):
        return True
    if raw in ("no", "false", "0", "n"):
        return False
    raise ValidationError(f"{column} {parse.show(value)} is not yes or no")
