import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpaitracker import rules
from gpaitracker.errors import ValidationError
from gpaitracker.rules import Facts

facts_strategy = st.builds(
    Facts,
    placed_on_market=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    training_flop=st.one_of(st.none(), st.floats(0, 1e27, allow_nan=False)),
    open_source=st.booleans(),
    designated_systemic_risk=st.booleans(),
    threshold_date=st.one_of(st.none(), st.dates(dt.date(2024, 1, 1), dt.date(2030, 1, 1))),
    non_eu=st.booleans(),
    sme=st.booleans(),
    signatory=st.booleans(),
)


@given(facts_strategy)
def test_rule_properties(f):
    if f.systemic_risk:
        # Art. 53(2): the open-source exemption never survives systemic risk.
        assert rules.applies(("all_except_open_source",), f)
    if f.open_source and not f.systemic_risk:
        assert not rules.applies(("all_except_open_source",), f)
        assert not rules.applies(("non_eu",), f)  # Art. 54(6)
    assert rules.applies(("all",), f)
    assert not rules.applies(("informational",), f)
    assert rules.applies(("legacy",), f) == (f.placed_on_market < dt.date(2025, 8, 2))
    due = rules.due_date("before_market", f)
    assert due == (dt.date(2027, 8, 2) if f.legacy else f.placed_on_market)


def test_threshold_presumption_is_strictly_above_1e25():
    base = dict(placed_on_market=dt.date(2025, 9, 1))
    assert not Facts(training_flop=1e25, **base).systemic_risk
    assert Facts(training_flop=1.01e25, **base).systemic_risk
    assert Facts(designated_systemic_risk=True, **base).systemic_risk


def test_event_offset_counts_from_threshold_date():
    f = Facts(placed_on_market=dt.date(2026, 1, 1), training_flop=2e25,
              threshold_date=dt.date(2025, 10, 1))  # fmt: skip
    assert rules.due_date("event:threshold+14d", f) == dt.date(2025, 10, 15)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2090, 1, 1)), st.integers(1, 120))
def test_add_months_stays_in_month_bounds(day, months):
    out = rules.add_months(day, months)
    assert (out.year * 12 + out.month) - (day.year * 12 + day.month) == months
    assert out.day <= day.day


@pytest.mark.parametrize("bad", ["2025-02-30", "30/01/2025", "", "2025-1-1", None, 20250101])
def test_parse_date_names_field_and_value(bad):
    with pytest.raises(ValidationError, match="due date .* is not a date"):
        rules.parse_date(bad, "due date")


def test_due_rules_are_parsed_once_into_values():
    import datetime as dt

    from gpaitracker import rules

    rule = rules.parse_due("event:threshold+14d")
    assert rule == rules.DueRule("threshold", days=14) and str(rule) == "event:threshold+14d"
    assert rules.parse_due("date:2026-08-02").on == dt.date(2026, 8, 2)
    facts = rules.Facts(placed_on_market=dt.date(2026, 1, 1), threshold_date=dt.date(2025, 9, 1))
    assert rules.due_date(rule, facts) == dt.date(2025, 9, 15)
    assert rules.due_date("before_market", facts) == dt.date(2026, 1, 1)
