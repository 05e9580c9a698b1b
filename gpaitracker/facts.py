"""What the rules are evaluated on: the organisation's flags and one model's facts.

The properties here are the legal tests in plain code: when a model is presumed to have
systemic risk (Art. 51), when the open-source exemption holds (Art. 53(2), 54(6)), whether a
model counts as a general-purpose AI model at all and whether a modifier becomes the provider
of a new model (the Commission's guidelines of 18 July 2025), and when the Art. 52 clock runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SYSTEMIC_RISK_FLOP = 1e25  # Art. 51(2): presumption above 10^25 FLOP
GPAI_INDICATIVE_FLOP = 1e23  # guidelines: indicative criterion for a GPAI model
MODIFICATION_SHARE = 1 / 3  # guidelines: a modifier above a third becomes a provider
GPAI_RULES_APPLY = dt.date(2025, 8, 2)  # Chapter V applies
LEGACY_DEADLINE = dt.date(2027, 8, 2)  # Art. 111(3)
# What a model generates; the guidelines' indicative criterion names the first three.
MODALITIES = ("language", "text-to-image", "text-to-video", "other", "none")
GENERATIVE = frozenset(MODALITIES[:3])
OPEN_SOURCE_CONDITIONS = (
    ("open_source", "a free and open-source licence"),
    ("weights_public", "public weights"),
    ("architecture_public", "public information on the architecture"),
    ("usage_public", "public information on model usage"),
)


@dataclass(frozen=True)
class Facts:
    """The organisation's flags and one model's facts, as the rules read them."""

    placed_on_market: dt.date
    training_flop: float | None = None
    open_source: bool = False  # released under a free and open-source licence
    designated_systemic_risk: bool = False
    threshold_date: dt.date | None = None
    non_eu: bool = False
    sme: bool = False
    signatory: bool = False
    weights_public: bool = False
    architecture_public: bool = False
    usage_public: bool = False
    monetised: bool = False  # offered against a price or otherwise monetised (recital 103)
    designation_date: dt.date | None = None  # Art. 52(4) decision
    rebuttal_accepted: dt.date | None = None  # Art. 52(3): the Commission accepted it
    modality: str = ""  # "" unknown, else one of MODALITIES
    not_gpai: bool = False  # the provider decided and recorded: not a GPAI model
    base_model: str = ""  # a modification of this model ("" if an original model)
    base_flop: float | None = None  # the original model's training compute
    most_capable: bool = False  # one of the provider's most capable models (COP-SS-7.6)
    sr_since: dt.date | None = None  # the day a registered model became systemic-risk
    notified_on: dt.date | None = None  # the Art. 52(1) notification was sent

    @property
    def compute_presumption(self) -> bool:
        """Art. 51(1)(a), 51(2): trained with more than 10^25 FLOP."""
        return self.training_flop is not None and self.training_flop > SYSTEMIC_RISK_FLOP

    @property
    def systemic_risk(self) -> bool:
        """Designated, or presumed by compute unless the Commission accepted a rebuttal."""
        presumed = self.compute_presumption and self.rebuttal_accepted is None
        return self.designated_systemic_risk or presumed

    def open_source_missing(self) -> list[str]:
        """The Art. 53(2) conditions not met (empty: the exemption holds if not systemic)."""
        out = [text for attr, text in OPEN_SOURCE_CONDITIONS if not getattr(self, attr)]
        if self.monetised:
            out.append("no monetisation (it is offered against a price or otherwise monetised)")
        return out

    @property
    def qualifying_open_source(self) -> bool:
        """Art. 53(2): every condition met, and lost by a systemic-risk model."""
        return not self.open_source_missing() and not self.systemic_risk

    @property
    def legacy(self) -> bool:
        return self.placed_on_market < GPAI_RULES_APPLY

    @property
    def new_provider(self) -> bool | None:
        """For a modification: whether the modifier is presumed to provide a new model
        (its compute above a third of the original's); None if a figure is missing."""
        if not self.base_model:
            return True
        if self.training_flop is None or self.base_flop is None:
            return None
        return self.training_flop > self.base_flop * MODIFICATION_SHARE

    @property
    def gpai_indicative(self) -> bool | None:
        """The guidelines' indicative criterion; None while compute or modality is unknown."""
        if self.modality in ("other", "none"):
            return False
        if self.training_flop is None or not self.modality:
            return None
        return self.training_flop > GPAI_INDICATIVE_FLOP and self.modality in GENERATIVE

    @property
    def provider_duties(self) -> bool:
        """Whether provider obligations apply: not recorded as no GPAI model, and not a
        modification below a third of the original's compute (unknown counts as applying)."""
        return not self.not_gpai and self.new_provider is not False

    def threshold_start(self, today: dt.date) -> dt.date | None:
        """When the Art. 52(1) clock starts: the recorded day the threshold was met or
        foreseen; unknown, the day the register learned it for a model that crossed later,
        else placement (compute is known by then) or today, whichever is first. Never before
        Art. 52 applied."""
        if self.threshold_date is not None:
            start = self.threshold_date
        elif not self.compute_presumption:
            return None
        else:
            start = self.sr_since or min(self.placed_on_market, today)
        return max(start, GPAI_RULES_APPLY)

    def notification(self, today: dt.date) -> dt.date | None:
        """The day the Art. 52(1) notification went out, or else is due."""
        if self.notified_on is not None:
            return self.notified_on
        start = self.threshold_start(today)
        return None if start is None else start + dt.timedelta(days=14)

    def systemic_since(self, today: dt.date) -> dt.date | None:
        """When the model became systemic-risk, if it became so after placement."""
        days: list[dt.date] = []
        if self.designated_systemic_risk:
            days.append(self.designation_date or self.sr_since or self.placed_on_market)
        if self.compute_presumption and self.rebuttal_accepted is None:
            start = self.threshold_start(today)
            if start is not None:
                days.append(start)
        return min(days) if days else None

    def market_anchor(self, today: dt.date, systemic_entry: bool = False) -> dt.date:
        """What "before placing on the market" means for this model: placement, or 2 Aug 2027
        for a legacy model; for a systemic-risk duty of a model that became systemic-risk
        later, the day it did."""
        anchor = LEGACY_DEADLINE if self.legacy else self.placed_on_market
        if systemic_entry:
            since = self.systemic_since(today)
            if since is not None and since > anchor:
                return since
        return anchor
