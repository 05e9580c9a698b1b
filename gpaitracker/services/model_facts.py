"""What a model's facts mean under Art. 3, 51-54: the lines `model show` and the window print.

Plain reads: every warning says what is missing or assumed and which date the register used.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy.orm import Session

from gpaitracker import rules
from gpaitracker.facts import MODIFICATION_SHARE
from gpaitracker.services import ai_models


class Assessment(NamedTuple):
    """The model's standing (one line each) and what needs the officer's attention."""

    model_id: int
    slug: str
    standing: tuple[str, ...]
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.slug,
            "standing": list(self.standing),
            "warnings": list(self.warnings),
        }


def assess(*, session: Session, model_id: int, today: dt.date | None = None) -> Assessment:
    row = ai_models.get(session=session, model_id=model_id)
    assert row.facts is not None
    f, today = row.facts, today or dt.date.today()
    standing: list[str] = []
    warnings: list[str] = []
    _gpai(f, standing, warnings)
    _systemic(f, today, standing, warnings)
    _open_source(f, standing, warnings)
    return Assessment(row.id, row.slug, tuple(standing), tuple(warnings))


def _gpai(f: rules.Facts, standing: list[str], warnings: list[str]) -> None:
    if f.not_gpai:
        standing.append("recorded as not a general-purpose AI model: no provider duties apply")
        return
    if f.base_model:
        share = f.new_provider
        if share is None:
            warnings.append(
                f"modification of {f.base_model}: record the compute of the modification and "
                "of the original model to know whether you provide a new model (more than "
                f"{MODIFICATION_SHARE:.0%} of the original's compute); duties are kept meanwhile"
            )
        elif share:
            standing.append(
                f"modification of {f.base_model} using more than a third of its training "
                "compute: presumed provider of a new model; duties cover the modification only"
            )
        else:
            standing.append(
                f"modification of {f.base_model} using at most a third of its training "
                "compute: not presumed the provider of a new model; no provider duties apply"
            )
    indicative = f.gpai_indicative
    if indicative is None:
        standing.append(
            "GPAI check: record the training compute and what the model generates "
            "(indicative criterion: more than 1e23 FLOP and language, text-to-image or "
            "text-to-video generation)"
        )
    elif indicative:
        standing.append("meets the guidelines' indicative criterion for a GPAI model")
    else:
        warnings.append(
            "GPAI check: below the guidelines' indicative criterion; confirm whether it is a "
            "general-purpose AI model (Art. 3(63)) or record that it is not (--not-gpai)"
        )


def _systemic(f: rules.Facts, today: dt.date, standing: list[str], warnings: list[str]) -> None:
    if f.compute_presumption:
        start = f.threshold_start(today)
        assert start is not None
        if f.threshold_date is None:
            warnings.append(
                "threshold date not recorded: the Art. 52(1) clock assumes the "
                f"1e25 FLOP threshold was met on {start.isoformat()} "
                "(notification due "
                f"{(start + dt.timedelta(days=14)).isoformat()}); record it with --threshold-date"
            )
        if f.rebuttal_accepted is not None:
            standing.append(
                f"the Commission accepted the rebuttal on {f.rebuttal_accepted.isoformat()}: "
                "not a model with systemic risk despite its compute (Art. 52(3))"
            )
        else:
            standing.append("presumed to have systemic risk: trained with more than 1e25 FLOP")
    if f.designated_systemic_risk:
        if f.designation_date is None:
            warnings.append(
                "designation date not recorded (Art. 52(4)); record it with --designation-date"
            )
            standing.append("designated by the Commission as a model with systemic risk")
        else:
            earliest = rules.add_months(f.designation_date, 6)
            standing.append(
                f"designated by the Commission on {f.designation_date.isoformat()}; "
                f"reassessment may be requested from {earliest.isoformat()} (Art. 52(5))"
            )
    if not f.systemic_risk:
        standing.append("no systemic risk")


def _open_source(f: rules.Facts, standing: list[str], warnings: list[str]) -> None:
    claimed = f.open_source or f.weights_public or f.architecture_public or f.usage_public
    if not claimed:
        return
    missing = f.open_source_missing()
    if missing:
        warnings.append(
            "open-source exemption (Art. 53(2)) does not hold: missing " + "; ".join(missing)
        )
    elif f.systemic_risk:
        standing.append(
            "open-source conditions met, but a model with systemic risk keeps every duty"
        )
    else:
        standing.append("open-source exemption (Art. 53(2), 54(6)) holds: every condition is met")
