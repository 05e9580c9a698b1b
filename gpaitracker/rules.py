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
from gpaitracker.facts import GPAI_RULES_APPLY, LEGACY_DEADLINE, SYSTEMIC_RISK_FLOP, Facts

__all__ = ["GPAI_RULES_APPLY", "LEGACY_DEADLINE", "SYSTEMIC_RISK_FLOP", "Facts"]

# The dates the register holds (the same bounds as parse.py, a sibling layer): a deadline
# in 9999 can never be met, and one before 2000 is a typo.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_THRESHOLD_DAYS = 3660  # ten years after the systemic-risk threshold was met


RULES: dict[str, Callable[[Facts], bool]] = {
    "all": lambda f: True,
    "all_except_open_source": lambda f: not f.qualifying_open_source,
    "systemic_risk": lambda f: f.systemic_risk,
    # Art. 52(1)-(2): only a model that meets the compute presumption is notified (and may
    # be argued out); a designated one may ask for reassessment instead (Art. 52(5)).
    "compute_presumption": lambda f: f.compute_presumption,
    "designated": lambda f: f.designated_systemic_risk,
    "most_capable": lambda f: f.most_capable,
    # Art. 54(6): open-source non-systemic models need no authorised representative.
    "non_eu": lambda f: f.non_eu and not f.qualifying_open_source,
    "legacy": lambda f: f.legacy,
    "signatory": lambda f: f.signatory,
    # The check whether the model is a GPAI model at all applies even when it is not.
    "gpai_check": lambda f: True,
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
    names = tuple(rule)
    if not facts.provider_duties and "gpai_check" not in names:
        return False  # no GPAI model, or a minor modification: no provider duties
    return all(RULES[name](facts) for name in names)


# \Z, not $: $ also matches before a final newline, and "none\n" would pass as a rule.
_TERM = re.compile(
    r"^(before_market|none|date:([0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"|event:(threshold|notification)\+([0-9]{1,4})d"
    r"|market([+-])([0-9]{1,4})([dm]))\Z"
)
MAX_TERMS = 4


@dataclass(frozen=True)
class DueRule:
    """When an entry falls due: before_market, none, a fixed date, days after the
    systemic-risk threshold was met or after the Art. 52(1) notification, days or months
    from placement ("market+12m", "market-14d"), or the earliest of several such terms
    joined by "|". Parsed once from its text form (kept in the register)."""

    kind: str  # before_market | none | date | threshold | notification | market | earliest
    on: dt.date | None = None
    days: int = 0  # signed for "market"
    months: int = 0
    terms: tuple[DueRule, ...] = ()

    def __str__(self) -> str:
        if self.kind == "earliest":
            return "|".join(str(t) for t in self.terms)
        if self.kind == "date" and self.on is not None:
            return f"date:{self.on.isoformat()}"
        if self.kind in ("threshold", "notification"):
            return f"event:{self.kind}+{self.days}d"
        if self.kind == "market":
            amount, unit = (self.months, "m") if self.months else (self.days, "d")
            return f"market{'-' if amount < 0 else '+'}{abs(amount)}{unit}"
        return self.kind


@functools.lru_cache(maxsize=1024)
def parse_due(value: object) -> DueRule:
    if not isinstance(value, str):
        raise ValidationError(f"due {value!r} is not a due rule")
    parts = value.split("|")
    if len(parts) > 1:
        if len(parts) > MAX_TERMS:
            raise ValidationError(f"due rule {value!r} has more than {MAX_TERMS} terms")
        terms = tuple(_parse_term(part, value) for part in parts)
        if any(t.kind == "none" for t in terms):
            raise ValidationError(f"due rule {value!r}: 'none' cannot be combined")
        return DueRule("earliest", terms=terms)
    return _parse_term(value, value)


def _parse_term(text: str, value: str) -> DueRule:
    match = _TERM.match(text)
    if not match:
        raise ValidationError(
            f"due rule {value!r} is unknown (use before_market, none, date:YYYY-MM-DD, "
            "event:threshold+Nd, event:notification+Nd or market+N(d|m), joined by |)"
        )
    if match.group(2):
        return DueRule("date", parse_date(match.group(2), "due date"))
    if match.group(3):
        days = int(match.group(4))
        if days > MAX_THRESHOLD_DAYS:
            raise ValidationError(
                f"due rule {value!r}: {days} days is more than {MAX_THRESHOLD_DAYS} days"
            )
        return DueRule(match.group(3), days=days)
    if match.group(5):
        sign = -1 if match.group(5) == "-" else 1
        amount = int(match.group(6))
        if amount > (120 if match.group(7) == "m" else MAX_THRESHOLD_DAYS):
            raise ValidationError(f"due rule {value!r}: offset {amount} is too large")
        if match.group(7) == "m":
            return DueRule("market", months=sign * amount)
        return DueRule("market", days=sign * amount)
    return DueRule(text)


def due_date(
    rule: DueRule | str,
    facts: Facts,
    today: dt.date | None = None,
    systemic_entry: bool = False,
) -> dt.date | None:
    """The default due date an entry's rule gives for one model, within EARLIEST-LATEST.

    systemic_entry: the entry applies to systemic-risk models only, so for a model that
    became systemic-risk after placement it runs from that day, not from placement.
    """
    if isinstance(rule, str):
        rule = parse_due(rule)
    today = today or dt.date.today()
    if rule.kind == "earliest":
        days = [d for t in rule.terms if (d := due_date(t, facts, today, systemic_entry))]
        return min(days) if days else None
    if rule.kind == "none":
        return None
    if rule.kind == "date":
        return rule.on
    if rule.kind == "threshold":
        start = facts.threshold_start(today) or today
        return _bounded(start, rule.days)
    if rule.kind == "notification":
        notified = facts.notification(today)
        return None if notified is None else _bounded(notified, rule.days)
    anchor = facts.market_anchor(today, systemic_entry)
    if rule.months:
        return min(add_months(anchor, rule.months), LATEST)
    return _bounded(anchor, rule.days)


def _bounded(day: dt.date, days: int) -> dt.date:
    ordinal = min(max(day.toordinal() + days, EARLIEST.toordinal()), LATEST.toordinal())
    return dt.date.fromordinal(ordinal)


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
