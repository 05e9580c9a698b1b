"""The Model Documentation Form (Code of Practice, Transparency chapter): fields, audiences.

Each field is marked for its audiences: the AI Office (aio), national competent authorities
(nca) and downstream providers (downstream). Some figures go to each audience at its own
granularity: training compute to two significant figures for the AI Office and as an order
of magnitude for national authorities; training time in days for the AI Office and as a range
for national authorities. Where secondary sources disagree or are silent on the split, the
choice here is the cautious one (less to downstream providers) and is marked in `note`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gpaitracker.errors import ValidationError

AUDIENCES = ("aio", "nca", "downstream")
AUDIENCE_NAMES = {
    "aio": "AI Office",
    "nca": "national competent authorities",
    "downstream": "downstream providers",
}
ALL = AUDIENCES
AUTHORITIES = ("aio", "nca")
SIZE_BRACKETS = (
    "1-500M",
    "500M-5B",
    "5B-15B",
    "15B-50B",
    "50B-100B",
    "100B-500B",
    "500B-1T",
    ">1T",
)
PROVENANCE = (
    "web crawl",
    "private third-party data",
    "user data",
    "publicly available datasets",
    "non-public synthetic data",
    "other",
)
MAX_TEXT = 10_000
_NUMBER = re.compile(r"[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]{1,3})?")


@dataclass(frozen=True)
class Field:
    name: str
    section: str
    label: str
    kind: str  # text | number | date | choice | choices
    audiences: tuple[str, ...]
    choices: tuple[str, ...] = ()
    na_allowed: bool = False  # "N/A" is an answer (energy, when the provider withholds it)
    # per audience: how the stored value is shown (default: as stored)
    views: Mapping[str, Callable[[object], object]] | None = None
    note: str = ""


def sig2(value: object) -> object:
    """Two significant figures, as the AI Office's copy asks."""
    if not isinstance(value, int | float) or value == 0:
        return value
    return float(f"{value:.2g}")


def magnitude(value: object) -> object:
    """An order of magnitude ("1e25"), as the national authorities' copy asks."""
    if not isinstance(value, int | float) or value <= 0:
        return value
    return f"1e{math.floor(math.log10(value))}"


def months_range(days: object) -> object:
    """Training time as a range of months, as the national authorities' copy asks."""
    if not isinstance(days, int | float):
        return days
    months = days / 30.44
    if months < 1:
        return "<1 month"
    if months <= 3:
        return "1-3 months"
    if months <= 6:
        return "3-6 months"
    return ">6 months"


def _f(name: str, section: str, label: str, kind: str = "text", audiences=ALL, **kw) -> Field:  # type: ignore[no-untyped-def]
    return Field(name, section, label, kind, tuple(audiences), **kw)


S1, S2, S3, S4 = "1 General information", "2 Model properties", "3 Distribution", "4 Use"
S5, S6, S7, S8 = (
    "5 Training process",
    "6 Training, testing and validation data",
    "7 Computational resources",
    "8 Energy consumption",
)
FIELDS: tuple[Field, ...] = (
    _f("legal_name", S1, "Legal name of the provider"),
    _f("model_name", S1, "Model name (unique identifier, family, public versions covered)"),
    _f("authenticity", S1, "Model authenticity (hash or endpoint)", audiences=AUTHORITIES),
    _f("release_date", S1, "Release date", "date"),
    _f("eu_release_date", S1, "Union market release date", "date"),
    _f("dependencies", S1, "Model dependencies (base models, for modified models)"),
    _f("architecture", S2, "Architecture (about 20 words)"),
    _f("design_specification", S2, "Design specifications (about 100 words)",
       audiences=AUTHORITIES),
    _f("modalities", S2, "Input and output modalities, with maximum size per modality"),
    _f("parameters", S2, "Total model size: parameters (at least 2 significant figures)", "number",
       views={"aio": sig2, "nca": sig2, "downstream": sig2}),
    _f("size_bracket", S2, "Total model size: bracket", "choice", choices=SIZE_BRACKETS),
    _f("distribution_channels", S3, "Distribution channels"),
    _f("licence", S3, "Licence (link, category, other assets released)"),
    _f("acceptable_use_policy", S4, "Acceptable use policy (link, or none)"),
    _f("intended_uses", S4, "Intended or restricted uses"),
    _f("integrable_systems", S4, "Type and nature of AI systems it can be integrated into"),
    _f("integration_means", S4, "Technical means for integration"),
    _f("required_hardware", S4, "Required hardware"),
    _f("required_software", S4, "Required software"),
    _f("training_design", S5, "Design specification of the training process",
       audiences=AUTHORITIES),
    _f("training_rationale", S5, "Decision rationale", audiences=AUTHORITIES),
    _f("data_modality", S6, "Type and modality of the data"),
    _f("data_provenance", S6, "Provenance", "choices", choices=PROVENANCE),
    _f("data_acquisition", S6, "How the data was obtained and selected", audiences=AUTHORITIES),
    _f("data_points", S6, "Number of data points", "number", audiences=AUTHORITIES,
       views={"aio": sig2, "nca": magnitude},
       note="split per audience unverified: the AI Office gets the figure, NCAs its magnitude"),
    _f("data_scope", S6, "Scope and main characteristics", audiences=AUTHORITIES),
    _f("data_curation", S6, "Curation methods"),
    _f("unsuitable_data_measures", S6, "Measures to detect unsuitable data sources",
       audiences=AUTHORITIES),
    _f("bias_measures", S6, "Measures to detect identifiable biases", audiences=AUTHORITIES),
    _f("training_days", S7, "Training time (wall-clock days)", "number", audiences=AUTHORITIES,
       views={"aio": lambda v: v, "nca": months_range}),
    _f("hardware_days", S7, "Training time (hardware-days)", "number", audiences=("aio",)),
    _f("training_flop", S7, "Amount of training compute (FLOP)", "number", audiences=AUTHORITIES,
       views={"aio": sig2, "nca": magnitude}),
    _f("compute_method", S7, "Measurement method for compute", audiences=AUTHORITIES),
    _f("energy_mwh", S8, "Training energy (MWh, at least 2 significant figures)", "number",
       audiences=AUTHORITIES, na_allowed=True, views={"aio": sig2, "nca": sig2}),
    _f("energy_method", S8, "Energy measurement or estimation method", audiences=AUTHORITIES),
    _f("inference_flop", S8, "Benchmarked inference compute (FLOP)", "number",
       audiences=AUTHORITIES, views={"aio": sig2, "nca": sig2}),
    _f("inference_benchmark", S8, "Inference benchmark: task and hardware", audiences=AUTHORITIES),
)  # fmt: skip
BY_NAME = {f.name: f for f in FIELDS}


def field(name: str) -> Field:
    if name not in BY_NAME:
        raise ValidationError(f"form field {name!r} is unknown (see `mdf show` for the fields)")
    return BY_NAME[name]


def audience(value: object) -> str:
    if value not in AUDIENCES:
        raise ValidationError(f"audience {value!r} is not one of: {', '.join(AUDIENCES)}")
    return str(value)


def parse_value(name: str, raw: object) -> object:
    """A field's value from text (or a typed value), checked against its kind."""
    f = field(name)
    if raw is None:
        return None
    if f.na_allowed and isinstance(raw, str) and raw.strip().upper() == "N/A":
        return "N/A"
    if f.kind == "number":
        return _number(f, raw)
    if f.kind == "date":
        return _date(f, raw)
    if f.kind == "choice":
        if raw not in f.choices:
            raise ValidationError(f"{f.name} {raw!r} is not one of: {', '.join(f.choices)}")
        return raw
    if f.kind == "choices":
        items = raw if isinstance(raw, list) else [p.strip() for p in str(raw).split(",")]
        if bad := [p for p in items if p not in f.choices]:
            raise ValidationError(f"{f.name} {bad[0]!r} is not one of: {', '.join(f.choices)}")
        return list(dict.fromkeys(items))
    return _text(f, raw)


def _number(f: Field, raw: object) -> float | int:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValidationError(f"{f.name} {raw!r} is not a number")
    text = str(raw).strip()
    if not _NUMBER.fullmatch(text):
        raise ValidationError(
            f"{f.name} {raw!r} is not a number" + (" (or N/A)" if f.na_allowed else "")
        )
    value = float(text.replace("_", ""))
    if not math.isfinite(value) or value > 1e40:
        raise ValidationError(f"{f.name} {raw!r} is too large")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _date(f: Field, raw: object) -> str:
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip()
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{f.name} {raw!r} is not a date (use YYYY-MM-DD)") from None
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise ValidationError(f"{f.name} {text} is outside 2000-2100")
    return text


def _text(f: Field, raw: object) -> str:
    if not isinstance(raw, str):
        raise ValidationError(f"{f.name} {raw!r} is not text")
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"{f.name} is {len(text)} characters long; the limit is {MAX_TEXT}")
    if any((ord(c) < 32 and c not in "\n\t") or 127 <= ord(c) < 160 for c in text):
        raise ValidationError(f"{f.name} contains a control character")
    return text


def view(values: Mapping[str, object], who: str) -> dict[str, object]:
    """The fields one audience gets, each at that audience's granularity (None: empty)."""
    out: dict[str, object] = {}
    for f in FIELDS:
        if who not in f.audiences:
            continue
        value = values.get(f.name)
        if value is not None and value != "N/A" and f.views and who in f.views:
            value = f.views[who](value)
        out[f.name] = value
    return out


def missing(values: Mapping[str, object], who: str) -> list[str]:
    """The fields this audience needs that are still empty."""
    return [f.name for f in FIELDS if who in f.audiences and values.get(f.name) in (None, "", [])]
