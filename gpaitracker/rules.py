"""Applicability and due-date rules of catalogue entries, evaluated on plain facts."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gpaitracker.errors import ValidationError

SYSTEMIC_RISK_FLOP = 1e25  # Art. 51(2): presumption above 10^25 FLOP
GPAI_RULES_APPLY = dt.date(2025, 8, 2)  # Chapter V applies
LEGACY_DEADLINE = dt.date(2027, 8, 2)  # Art. 111(3)
# The dates the register holds (the same bounds as parse.py, a sibling layer): a deadline
# in 9999 can never be met, and one before 2000 is a typo.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_THRESHOLD_DAYS = 3660  # ten years after the systemic-risk threshold was met


@dataclass(frozen=True)
class Facts:
    """What applicability depends on: the organisation's flags and one model's facts."""

    placed_on_market: dt.date
    training_flop: float | None = None
    open_source: bool = False
    designated_systemic_risk: bool = False
    threshold_date: dt.date | None = None
    non_eu: bool = False
    sme: bool = False
    signatory: bool = False

    @property
    def systemic_risk(self) -> bool:
        over = self.training_flop is not None and self.training_flop > SYSTEMIC_RISK_FLOP
        return self.designated_systemic_risk or over

    @property
    def qualifying_open_source(self) -> bool:
        """Art. 53(2): the open-source exemption is lost by a systemic-risk model."""
        return self.open_source and not self.systemic_risk

    @property
    def legacy(self) -> bool:
        return self.placed_on_market < GPAI_RULES_APPLY


RULES: dict[str, Callable[[Facts], bool]] = {
    "all": lambda f: True,
    "all_except_open_source": lambda f: not f.qualifying_open_source,
    "systemic_risk": lambda f: f.systemic_risk,
    # Art. 54(6): open-source non-systemic models need no authorised representative.
    "non_eu": lambda f: f.non_eu and not f.qualifying_open_source,
    "legacy": lambda f: f.legacy,
    "signatory": lambda f: f.signatory,
    "informational": lambda f: False,
}


def parse_applies(value: object) -> tuple[str, ...]:
    """A rule name or a list of names that must all hold."""
    names: Iterable[object]
    if isinstance(value, str):
        names = [value]
    elif isinstance(value, list | tuple):
        names = value
    else:
        raise ValidationError(f"applies {value!r} is not a rule name or a list of rule names")
    out = []
    for name in names:
        if not isinstance(name, str) or name not in RULES:
            raise ValidationError(
                f"applies rule {name!r} is unknown (known: {', '.join(sorted(RULES))})"
            )
        out.append(name)
    if not out:
        raise ValidationError("applies list is empty")
    return tuple(out)


def applies(rule: Iterable[str], facts: Facts) -> bool:
    return all(RULES[name](facts) for name in rule)


# \Z, not $: $ also matches before a final newline, and "none\n" would pass as a rule.
_DUE = re.compile(
    r"^(before_market|none|date:([0-9]{4}-[0-9]{2}-[0-9]{2})|event:threshold\+([0-9]{1,4})d)\Z"
)


@dataclass(frozen=True)
class DueRule:
    """When an entry falls due: before_market, none, a fixed date, or days after the
    systemic-risk threshold was met. Parsed once from its text form (kept in the register)."""

    kind: str  # "before_market" | "none" | "date" | "threshold"
    on: dt.date | None = None
    days: int = 0

    def __str__(self) -> str:
        if self.kind == "date" and self.on is not None:
            return f"date:{self.on.isoformat()}"
        if self.kind == "threshold":
            return f"event:threshold+{self.days}d"
        return self.kind


@functools.lru_cache(maxsize=1024)
def parse_due(value: object) -> DueRule:
    if not isinstance(value, str):
        raise ValidationError(f"due {value!r} is not a due rule")
    match = _DUE.match(value)
    if not match:
        raise ValidationError(
            f"due rule {value!r} is unknown "
            "(use before_market, none, date:YYYY-MM-DD or event:threshold+Nd)"
        )
    if match.group(2):
        return DueRule("date", parse_date(match.group(2), "due date"))
    if match.group(3):
        days = int(match.group(3))
        if days > MAX_THRESHOLD_DAYS:
            raise ValidationError(
                f"due rule {value!r}: {days} days is more than {MAX_THRESHOLD_DAYS} days"
            )
        return DueRule("threshold", days=days)
    return DueRule(value)


def due_date(rule: DueRule | str, facts: Facts, today: dt.date | None = None) -> dt.date | None:
    """The default due date an entry's rule gives for one model, never after LATEST."""
    if isinstance(rule, str):
        rule = parse_due(rule)
    if rule.kind == "none":
        return None
    if rule.kind == "before_market":
        return LEGACY_DEADLINE if facts.legacy else facts.placed_on_market
    if rule.kind == "date":
        return rule.on
    start = facts.threshold_date or today or dt.date.today()
    return min(start + dt.timedelta(days=rule.days), LATEST)


_RECURRENCE = re.compile(r"^([0-9]{1,3}) months?\Z")


def parse_recurrence(value: object) -> int:
    if not isinstance(value, str) or not (match := _RECURRENCE.match(value.strip())):
        raise ValidationError(f"recurrence {value!r} is not like '12 months'")
    months = int(match.group(1))
    if not 1 <= months <= 120:
        raise ValidationError(f"recurrence {value!r} must be between 1 and 120 months")
    return months


def next_due(day: dt.date, months: int) -> dt.date | None:
    """When the next occurrence of a recurring item falls due; None if after LATEST (the
    register holds no such date, so no next occurrence is created)."""
    if day.year > LATEST.year:
        return None
    later = add_months(day, months)
    return later if later <= LATEST else None


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ASCII digits only: \d also matches the digits of other scripts.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: object, field: str) -> dt.date:
    """Parse YYYY-MM-DD between EARLIEST and LATEST; the error names the field and the value."""
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and _DATE.fullmatch(value.strip()):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(value.strip())
    if day is None:
        raise ValidationError(f"{field} {value!r} is not a date (use YYYY-MM-DD)")
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(f"{field} {day.isoformat()} is outside {EARLIEST.year}-{LATEST.year}")
    return day
