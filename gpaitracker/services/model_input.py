"""Model facts as given (by a door or a window), checked before a model is added or changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gpaitracker import parse, rules
from gpaitracker.errors import ValidationError
from gpaitracker.facts import MODALITIES
from gpaitracker.services import catalogues, gpai_records
from gpaitracker.services.register import _Keep

FACTS = catalogues.MODEL_FACTS
_DATES = {
    "placed_on_market": "placed-on-market date",
    "threshold_date": "threshold date",
    "designation_date": "designation date",
    "rebuttal_accepted": "rebuttal acceptance date",
}
_FLOPS = {"training_flop": "training compute", "base_flop": "original model's training compute"}
_CONDITIONS = ("weights_public", "architecture_public", "usage_public")
_MAY_BE_UNKNOWN = frozenset(
    ("training_flop", "base_flop", "threshold_date", "designation_date", "rebuttal_accepted")
)
_FLAGS = ("open_source", "monetised", "not_gpai", "most_capable", *_CONDITIONS)


def _date(value: dt.date, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError(f"{field} {parse.show(value)} is not a date")
    return parse.date_in_range(value, field)


def facts_in(given: dict[str, Any]) -> dict[str, Any]:
    """The model facts given, checked; None leaves a fact as it is, KEEP too for those that
    may be unknown. open_source alone stands for the whole Art. 53(2) release (licence and
    public weights, architecture and usage information) unless any condition is given."""
    out: dict[str, Any] = {}
    for attr, value in given.items():
        if isinstance(value, _Keep) or (value is None and attr not in _MAY_BE_UNKNOWN):
            continue
        if attr in _DATES:
            out[attr] = None if value is None else _date(value, _DATES[attr])
        elif attr in _FLOPS:
            out[attr] = parse.flop(value, _FLOPS[attr])
        elif attr in _FLAGS or attr == "designated_systemic_risk":
            out[attr] = bool(value)
        elif attr == "modality":
            out[attr] = _modality(value)
        elif attr == "base_model":
            out[attr] = gpai_records.text(value, "original model", max_chars=200)
    if "open_source" in out and all(given.get(attr) is None for attr in _CONDITIONS):
        for attr in _CONDITIONS:
            out[attr] = out["open_source"]
    return out


def _modality(value: object) -> str:
    if value == "" or value in MODALITIES:
        return str(value)
    raise ValidationError(
        f"modality {parse.show(value)} is not one of: {', '.join(MODALITIES)} (or - for unknown)"
    )


def check_dates(facts: rules.Facts) -> None:
    """Dates the law orders: a designation or an accepted rebuttal needs a reason to exist."""
    if facts.rebuttal_accepted is not None and not facts.compute_presumption:
        raise ValidationError(
            f"rebuttal acceptance date {facts.rebuttal_accepted.isoformat()}: only a model "
            "trained with more than 1e25 FLOP has a presumption to rebut (Art. 52(2))"
        )
    if facts.designation_date is not None and not facts.designated_systemic_risk:
        raise ValidationError(
            f"designation date {facts.designation_date.isoformat()}: the model is not "
            "designated (use --systemic-risk)"
        )
    start = facts.threshold_date
    if facts.rebuttal_accepted is not None and start and facts.rebuttal_accepted < start:
        raise ValidationError(
            f"rebuttal acceptance date {facts.rebuttal_accepted.isoformat()} is before the "
            f"threshold date {start.isoformat()}"
        )
