"""Text from a user (command line, dialog, spreadsheet cell) to typed values, once, at the door.

Every function raises ValidationError naming the field and the value. Numbers and dates are
ASCII only and bounded, so '٣' (Arabic-Indic three), 'NaN', '1e999' or a 400-digit id never
reach a service.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from gpaitracker.enums import Priority, Role, Status
from gpaitracker.errors import ValidationError

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_ID = 2**63 - 1
MAX_FLOP = 1e40  # far above any model ever trained; keeps the arithmetic finite

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT = re.compile(r"[0-9]{1,100}")  # longer is refused as text; shorter is range-checked
_FLOAT = re.compile(r"[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]{1,3})?")
_KEY = re.compile(
    r"(?P<slug>[a-z0-9][a-z0-9-]{0,63})/(?P<code>[A-Za-z0-9][A-Za-z0-9._-]{0,63})"
    r"(?:#(?P<occ>[0-9]{1,6}))?"
)
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}")

E = TypeVar("E", bound=StrEnum)


def utf8(text: str, field: str) -> str:
    """The text itself, if it is valid Unicode (bytes that were not UTF-8 arrive as lone
    surrogates in arguments and environment variables)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"{field} {show(text)} is not valid UTF-8 text") from None
    return text


def show(value: object, limit: int = 40) -> str:
    """A value as quoted in an error message: repr, so control characters stay visible."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


@dataclass(frozen=True)
class ItemKey:
    """'<model-slug>/<code>' or '<model-slug>/<code>#<occurrence>'."""

    slug: str
    code: str
    occurrence: int | None = None

    def __str__(self) -> str:
        base = f"{self.slug}/{self.code}"
        return base if self.occurrence in (None, 1) else f"{base}#{self.occurrence}"


def item_key(text: str, field: str = "key") -> ItemKey:
    match = _KEY.fullmatch(utf8(text, field).strip()) if isinstance(text, str) else None
    if not match:
        raise ValidationError(
            f"{field} {show(text)} is not like 'model-slug/CODE' or 'slug/CODE#2'"
        )
    occ = match["occ"]
    return ItemKey(match["slug"], match["code"], int(occ) if occ else None)


def date(text: str | dt.date, field: str) -> dt.date:
    """YYYY-MM-DD between 2000-01-01 and 2100-12-31."""
    if isinstance(text, dt.datetime):
        text = text.date()
    if isinstance(text, dt.date):
        value = text
    else:
        raw = text.strip() if isinstance(text, str) else ""
        try:
            if not _DATE.fullmatch(raw):
                raise ValueError
            value = dt.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError(f"{field} {show(text)} is not a date (use YYYY-MM-DD)") from None
    return date_in_range(value, field)


def date_in_range(value: dt.date, field: str) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            f"{field} {value.isoformat()} is outside {EARLIEST.year}-{LATEST.year}"
        )
    return value


def optional_date(text: str | dt.date | None, field: str) -> dt.date | None:
    """A date, or None for an empty value or '-' (clears the field)."""
    if text is None or (isinstance(text, str) and text.strip() in ("", "-")):
        return None
    return date(text, field)


def integer(text: str | int, field: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    if isinstance(text, bool):
        raise ValidationError(f"{field} {show(text)} is not a whole number")
    if isinstance(text, int):
        value = text
    elif isinstance(text, str) and _INT.fullmatch(text.strip()):
        value = int(text.strip())
    else:
        raise ValidationError(f"{field} {show(text)} is not a whole number")
    if not minimum <= value <= maximum:
        raise ValidationError(f"{field} {value} must be between {minimum} and {maximum}")
    return value


def row_id(text: str | int, field: str) -> int:
    return integer(text, field, minimum=1)


def flop(text: str | float | None, field: str = "training compute") -> float | None:
    """Cumulative training compute in FLOP, e.g. 3e24; empty means unknown."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    elif isinstance(text, str) and _FLOAT.fullmatch(text.strip()):
        value = float(text.strip().replace("_", ""))
    else:
        raise ValidationError(f"{field} {show(text)} is not a number of FLOP (e.g. 3e24)")
    if not math.isfinite(value) or not 0 <= value <= MAX_FLOP:
        raise ValidationError(f"{field} {show(text)} must be between 0 and {MAX_FLOP:g} FLOP")
    return value


def choice(enum: type[E], text: str | E, field: str) -> E:
    if isinstance(text, enum):
        return text
    raw = text.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(text, str) else ""
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError(f"{field} {show(text)} is not one of: {allowed}") from None


def status(text: str | Status) -> Status:
    return choice(Status, text, "status")


def priority(text: str | Priority) -> Priority:
    return choice(Priority, text, "priority")


def role(text: str | Role) -> Role:
    return choice(Role, text, "role")


def email(text: str, field: str = "email") -> str:
    raw = utf8(text, field).strip().lower() if isinstance(text, str) else ""
    if not _EMAIL.fullmatch(raw) or any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise ValidationError(f"{field} {show(text)} is not an email address")
    return raw
