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
    weights_public=st.booleans(),
    architecture_public=st.booleans(),
    usage_public=st.booleans(),
    monetised=st.booleans(),
    rebuttal_accepted=st.one_of(st.none(), st.just(dt.date(2026, 1, 1))),
)


@given(facts_strategy)
def test_rule_properties(f):
    if f.systemic_risk:
        # Art. 53(2): the open-source exemption never survives systemic risk.
        assert rules.applies(("all_except_open_source",), f)
    conditions = f.open_source and f.weights_public and f.architecture_public and f.usage_public
    if conditions and not f.monetised and not f.systemic_risk:
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
    f = Facts(
        placed_on_market=dt.date(2026, 1, 1),
        training_flop=2e25,
        threshold_date=dt.date(2025, 10, 1),
    )
    assert rules.due_date("event:threshold+14d", f) == dt.date(2025, 10, 15)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2090, 1, 1)), st.integers(1, 120))
def test_add_months_stays_in_month_bounds(day, months):
    out = rules.add_months(day, months)
    assert (out.year * 12 + out.month) - (day.year * 12 + day.month) == months
    assert out.day <= day.day


@pytest.mark.parametrize("bad", ["2025-02-30", "30/01/2025", "", "2025-1-1", None, 20250101])
def test_parse_date_names_field_and_value(bad):
    with pytest.raises(ValidationError, match=r"due date .* is not a date"):
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


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9999-12-31", "due date 9999-12-31 is outside 2000-2100"),
        ("1999-12-31", "due date 1999-12-31 is outside 2000-2100"),
        ("2101-01-01", "due date 2101-01-01 is outside 2000-2100"),
        (dt.date(1900, 1, 1), "due date 1900-01-01 is outside 2000-2100"),
        (dt.datetime(9999, 1, 1, 12), "due date 9999-01-01 is outside 2000-2100"),
        ("\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661", "is not a date"),  # Arabic-Indic
        ("\uff12\uff10\uff12\uff16-01-01", "is not a date"),  # full-width digits
        ("2026-01-01\n", None),  # surrounding whitespace is stripped, as before
    ],
)
def test_parse_date_is_bounded_and_ascii(value, message):
    if message is None:
        assert rules.parse_date(value, "due date") == dt.date(2026, 1, 1)
        return
    with pytest.raises(ValidationError, match=message):
        rules.parse_date(value, "due date")


@pytest.mark.parametrize("text", ["date:9999-12-31", "date:1970-01-01", "date:2101-01-01"])
def test_fixed_date_due_rules_are_bounded(text):
    rules.parse_due.cache_clear()
    with pytest.raises(ValidationError, match="outside 2000-2100"):
        rules.parse_due(text)


def test_threshold_rules_are_bounded_and_never_give_a_date_after_2100():
    with pytest.raises(ValidationError, match="9999 days is more than 3660 days"):
        rules.parse_due("event:threshold+9999d")
    late = Facts(placed_on_market=dt.date(2100, 1, 1), threshold_date=dt.date(2100, 6, 1))
    assert rules.due_date("event:threshold+3660d", late) == dt.date(2100, 12, 31)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)), st.integers(1, 120))
def test_the_next_occurrence_is_never_after_2100(day, months):
    nxt = rules.next_due(day, months)
    if nxt is None:
        assert rules.add_months(day, months) > dt.date(2100, 12, 31)
    else:
        assert nxt == rules.add_months(day, months) and nxt <= dt.date(2100, 12, 31)
    assert rules.next_due(dt.date(9999, 12, 31), months) is None


def test_rules_and_parse_hold_the_same_dates():
    from gpaitracker import parse

    assert (rules.EARLIEST, rules.LATEST) == (parse.EARLIEST, parse.LATEST)
