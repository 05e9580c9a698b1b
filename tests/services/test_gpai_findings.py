"""The eight review findings on the catalogue rules, one test (or a few) per finding.

Dates are worked out by hand in the comments; "today" never enters an expected date.
"""

import datetime as dt

import pytest

from gpaitracker import catalogue
from gpaitracker.errors import ValidationError
from gpaitracker.services import (
    ai_models,
    catalogue_upgrade,
    item_detail,
    lookup,
    organisation,
    queries,
)
from tests.conftest import ADMIN_EMAIL, run_cli
from tests.services.helpers import add_model, item_id, snapshot

D = dt.date


def items(ws, slug, *, inactive=False):
    model = ws.read(lookup.model_id, ref=slug)
    filters = queries.Filters(model_id=model, include_inactive=inactive)
    return {r.key.split("/", 1)[1]: r for r in ws.read(queries.list_rows, filters=filters)}


def due(ws, slug):
    return {code: row.due for code, row in items(ws, slug).items()}


def assess(ws, slug):
    from gpaitracker.services import model_facts

    return ws.read(model_facts.assess, model_id=ws.read(lookup.model_id, ref=slug))


def cli(home, *args):
    result = run_cli(*args, home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- Finding 1: the Art. 52(1) clock ------------------------------------------------------


def test_f1_notification_without_threshold_date_runs_from_placement_and_warns(home):
    cli(home, "init", "--organisation", "P", "--signatory")
    out = cli(home, "model", "add", "Big", "--placed-on-market", "2025-12-15", "--flop", "4e25")
    # Threshold met by placement at the latest: 2025-12-15 + 14 days = 2025-12-29.
    assert "threshold date not recorded" in out and "notification due 2025-12-29" in out
    cli(home, "model", "add", "Old", "--placed-on-market", "2024-03-01", "--flop", "4e25")
    listed = cli(home, "list", "--format", "csv")
    assert "big/AIA-52-1,AIA-52-1," in listed and ",2025-12-29,red," in listed
    # Placed in 2024: the clock starts when Art. 52 applied, 2025-08-02 + 14 = 2025-08-16.
    assert any(
        line.startswith("old/AIA-52-1,") and ",2025-08-16,red," in line
        for line in listed.splitlines()
    )
    # model edit with the threshold date moves the default due date (after a preview).
    preview = cli(home, "model", "edit", "big", "--threshold-date", "2025-09-01")
    assert "big/AIA-52-1: due 2025-12-29 -> 2025-09-15" in preview
    cli(home, "model", "edit", "big", "--threshold-date", "2025-09-01", "--yes")
    shown = cli(home, "show", "big/AIA-52-1", "--format", "json")
    assert '"due": "2025-09-15"' in shown


def test_f1_a_due_date_moved_by_hand_stays_where_it_was_put(org_ws):
    from gpaitracker.services import register

    model = add_model(org_ws, name="Big", placed_on_market="2025-12-15", training_flop="4e25")
    rid = item_id(org_ws, "big/AIA-52-2")
    org_ws.write(register.set_due, requirement_id=rid, due=D(2026, 1, 31))
    plan = org_ws.read(ai_models.preview_update, model_id=model, threshold_date=D(2025, 9, 1))
    moved = {m[0] for m in plan.due_moves}
    assert moved == {"big/AIA-52-1", "big/COP-SS-1.1"}  # not big/AIA-52-2, set by hand


# --- Finding 2: designation is not the compute presumption ---------------------------------


def test_f2_designated_model_gets_reassessment_not_notification(org_ws):
    add_model(
        org_ws,
        name="Named",
        placed_on_market="2025-10-01",
        training_flop="5e24",
        systemic_risk=True,
        designation_date=D(2026, 1, 10),
    )
    got = items(org_ws, "named")
    assert "AIA-52-1" not in got and "AIA-52-2" not in got
    assert "AIA-52-5" in got and "AIA-55-1-a" in got
    # 2026-01-10 + 6 months = 2026-07-10.
    assert any(
        "reassessment may be requested from 2026-07-10" in s
        for s in assess(org_ws, "named").standing
    )


def test_f2_upgrading_an_existing_register_flags_the_notification_of_a_designated_model(ws):
    ws.create(
        organisation.create_register,
        name="P",
        admin_name="A",
        admin_email=ADMIN_EMAIL,
        signatory=True,
        pinned_catalogues={"ai-act-gpai": "2024/1689", "gpai-code": "final"},
    )
    add_model(ws, name="Named", placed_on_market="2025-10-01", systemic_risk=True)
    assert "AIA-52-1" in items(ws, "named")
    pending = ws.read(catalogue_upgrade.pending)
    assert {(c.id, c.version) for c in pending} == {
        ("ai-act-gpai", "2024/1689-r2"),
        ("gpai-code", "final-r2"),
    }
    for new in pending:
        ws.write(catalogue_upgrade.upgrade, new=new)
    got = items(ws, "named")
    assert "AIA-52-1" not in got and "AIA-52-5" in got
    kept = items(ws, "named", inactive=True)["AIA-52-1"]
    assert not kept.applicable  # kept for the record, flagged


# --- Finding 3: an accepted rebuttal ------------------------------------------------------


def test_f3_accepted_rebuttal_takes_the_model_out_of_systemic_risk(org_ws):
    model = add_model(
        org_ws,
        name="Argued",
        placed_on_market="2025-10-01",
        training_flop="3e25",
        threshold_date="2025-08-20",
    )
    assert "COP-SS-7.1" in items(org_ws, "argued")
    plan = org_ws.read(ai_models.preview_update, model_id=model, rebuttal_accepted=D(2025, 9, 30))
    assert "argued/COP-SS-7.1" in plan.no_longer_applicable
    assert "argued/AIA-52-1" not in plan.no_longer_applicable  # the notification was due
    org_ws.write(
        ai_models.update_model, model_id=model, rebuttal_accepted=D(2025, 9, 30), confirm=True
    )
    got = items(org_ws, "argued")
    assert not any(code.startswith(("COP-SS-", "AIA-55-")) for code in got)
    assert org_ws.read(ai_models.get, model_id=model).systemic_risk is False
    assert any(
        "accepted the rebuttal on 2025-09-30" in s for s in assess(org_ws, "argued").standing
    )


def test_f3_rebuttal_needs_a_presumption_and_comes_after_the_threshold(org_ws):
    model = add_model(org_ws, name="Small", training_flop="5e24")
    before = snapshot(org_ws)
    with pytest.raises(ValidationError, match="only a model trained with more than 1e25 FLOP"):
        org_ws.write(ai_models.update_model, model_id=model, rebuttal_accepted=D(2026, 1, 1))
    with pytest.raises(ValidationError, match="rebuttal acceptance date 2025-01-01 is before"):
        add_model(
            org_ws,
            name="Early",
            training_flop="3e25",
            threshold_date="2025-08-20",
            rebuttal_accepted=D(2025, 1, 1),
        )
    assert snapshot(org_ws) == before


# --- Finding 4: every open-source condition -------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "exempt", "missing"),
    [
        ({"open_source": True, "weights_public": True}, False, "public information on the arch"),
        (
            {
                "open_source": True,
                "weights_public": True,
                "architecture_public": True,
                "usage_public": True,
                "monetised": True,
            },
            False,
            "no monetisation",
        ),
        ({"open_source": True}, True, None),  # the whole release: licence and publications
        (
            {"weights_public": True, "architecture_public": True, "usage_public": True},
            False,
            "a free and open-source licence",
        ),
    ],
)
def test_f4_open_source_exemption_needs_every_condition(org_ws, conditions, exempt, missing):
    add_model(org_ws, name="Libre", training_flop="1e24", **conditions)
    got = items(org_ws, "libre")
    assert ("AIA-53-1-a" not in got) == exempt
    assert "AIA-53-1-c" in got  # copyright policy always
    warnings = " ".join(assess(org_ws, "libre").warnings)
    if missing:
        assert "open-source exemption (Art. 53(2)) does not hold" in warnings
        assert missing in warnings
    else:
        assert "open-source exemption" not in warnings


# --- Finding 5: is it a GPAI model; downstream modifiers ------------------------------------


def test_f5_gpai_check_item_and_indicative_criterion(org_ws):
    add_model(org_ws, name="Tiny", training_flop="5e22", modality="language")
    assert "AIA-3-63" in items(org_ws, "tiny")
    assert any(
        "below the guidelines' indicative criterion" in w for w in assess(org_ws, "tiny").warnings
    )
    add_model(org_ws, name="Large", training_flop="5e23", modality="text-to-image")
    assert any("meets the guidelines' indicative" in s for s in assess(org_ws, "large").standing)
    model = org_ws.read(lookup.model_id, ref="tiny")
    org_ws.write(ai_models.update_model, model_id=model, not_gpai=True, confirm=True)
    assert list(items(org_ws, "tiny")) == ["AIA-3-63"]


def test_f5_modifier_is_a_provider_only_above_a_third_of_the_original_compute(org_ws):
    # A third of 3e24 is 1e24: 9e23 stays below, 2e24 is above.
    add_model(org_ws, name="Tuned", training_flop="9e23", base_model="Base X", base_flop=3e24)
    assert list(items(org_ws, "tuned")) == ["AIA-3-63"]
    add_model(org_ws, name="Remade", training_flop="2e24", base_model="Base X", base_flop=3e24)
    assert "AIA-53-1-a" in items(org_ws, "remade")
    standing = " ".join(assess(org_ws, "remade").standing)
    assert "duties cover the modification only" in standing
    add_model(org_ws, name="Unsure", training_flop="2e24", base_model="Base Y")
    assert "AIA-53-1-a" in items(org_ws, "unsure")  # unknown: duties kept
    assert any("record the compute" in w for w in assess(org_ws, "unsure").warnings)


# --- Finding 6: Code timing defaults ----------------------------------------------------------


def test_f6_framework_assessment_contact_point_and_six_monthly_report(org_ws):
    add_model(
        org_ws,
        name="Frontier",
        placed_on_market="2026-06-01",
        training_flop="3e25",
        threshold_date="2026-01-05",
        most_capable=True,
    )
    got = due(org_ws, "frontier")
    # Notification 2026-01-05 + 14 = 2026-01-19; + 4 weeks = 2026-02-16, before 2026-05-18.
    assert got["AIA-52-1"] == D(2026, 1, 19)
    assert got["COP-SS-1.1"] == D(2026, 2, 16)
    assert got["COP-SS-1.3"] == D(2027, 6, 1)  # 12 months from placement
    assert got["COP-T-1.2"] == D(2026, 6, 1)  # contact point at placement
    assert got["COP-SS-7.6-periodic"] == D(2026, 12, 1)  # most capable: 6 months
    assert got["COP-SS-7.6"] is None  # updates when triggered
    add_model(
        org_ws,
        name="Soon",
        placed_on_market="2026-02-01",
        training_flop="3e25",
        threshold_date="2026-01-05",
    )
    got = due(org_ws, "soon")
    assert "COP-SS-7.6-periodic" not in got
    # 2 weeks before placement, 2026-01-18, comes before 2026-02-16. The Framework is a
    # provider-level item: the second model's item is held by the first's (finding 7), so
    # read it with the inactive items.
    every = items(org_ws, "soon", inactive=True)
    assert every["COP-SS-1.1"].due == D(2026, 1, 18)


def test_f6_model_becoming_systemic_later_is_dated_from_that_day(org_ws):
    model = add_model(org_ws, name="Grower", placed_on_market="2025-09-01", training_flop="5e24")
    plan = org_ws.read(
        ai_models.preview_update,
        model_id=model,
        training_flop=2e25,
        threshold_date=D(2026, 3, 2),
    )
    assert "AIA-55-1-a" in plan.newly_applicable
    org_ws.write(
        ai_models.update_model,
        model_id=model,
        training_flop=2e25,
        threshold_date=D(2026, 3, 2),
        confirm=True,
    )
    got = due(org_ws, "grower")
    assert got["AIA-55-1-a"] == D(2026, 3, 2)  # not 2025-09-01
    assert got["COP-SS-7.1"] == D(2026, 3, 2)
    assert got["AIA-52-1"] == D(2026, 3, 16)
    assert got["COP-SS-1.3"] == D(2027, 3, 2)
    assert got["AIA-53-1-a"] == D(2025, 9, 1)  # duties of every model keep their date


# --- Finding 7: provider-level artefacts --------------------------------------------------


def test_f7_one_framework_and_one_copyright_policy_for_several_models(org_ws):
    add_model(org_ws, name="One", training_flop="3e25", threshold_date="2025-08-10")
    add_model(org_ws, name="Two", training_flop="3e25", threshold_date="2025-08-10")
    first, second = items(org_ws, "one"), items(org_ws, "two")
    for code in ("COP-SS-1.1", "COP-SS-1.3", "COP-C-1.1", "AIA-53-1-c", "COP-SS-8.1"):
        assert code in first and code not in second
    assert "COP-SS-7.1" in second  # a Model Report per model
    held = items(org_ws, "two", inactive=True)["COP-SS-1.1"]
    detail = org_ws.read(item_detail.detail, requirement_id=held.id)
    assert detail.covered_by == "one/COP-SS-1.1"
    lead = org_ws.read(item_detail.detail, requirement_id=first["COP-SS-1.1"].id)
    assert lead.covers == ("two/COP-SS-1.1",)


# --- Finding 8: wording ------------------------------------------------------------------------


def test_f8_wording_matches_the_code():
    newest = {c.id: c for c in catalogue.shipped()}["gpai-code"]
    assert newest.version == "final-r2"
    text = {e.code: e.summary for e in newest.entries}
    assert "serious and irreversible disruption" in text["COP-SS-9.3"]
    assert (
        "indicator" in text["COP-SS-8.3"]
        and "Keep a whistleblower policy" not in text["COP-SS-8.3"]
    )
    assert "at least state of the art" in text["COP-SS-3.2"]
    assert "current best methods" not in text["COP-SS-3.2"]
    assert "unreleased" not in text["COP-SS-6"] and "physical infrastructure" in text["COP-SS-6"]
    from_draft = newest.upgrade_from("draft-3")
    assert "COP3-II.4.10" in from_draft.withdrawn and "COP3-II.4.10" not in from_draft.mapping


def test_f6_framework_clock_runs_from_the_notification_actually_sent(org_ws):
    from gpaitracker.enums import RequestKind
    from gpaitracker.services import requests_register

    model = add_model(
        org_ws,
        name="Frontier",
        placed_on_market="2026-06-01",
        training_flop="3e25",
        threshold_date="2026-01-05",
    )
    assert due(org_ws, "frontier")["COP-SS-1.1"] == D(2026, 2, 16)
    org_ws.write(
        requests_register.add_request,
        kind=RequestKind.NOTIFICATION,
        subject="Frontier meets 1e25 FLOP",
        received=D(2026, 1, 5),
        model_id=model,
    )
    org_ws.write(requests_register.answer_request, request_id=1, answered_on=D(2026, 1, 7))
    # Sent 7 January: the Framework is due 4 weeks later, 4 February.
    assert due(org_ws, "frontier")["COP-SS-1.1"] == D(2026, 2, 4)


def test_f7_existing_duplicates_can_be_held_by_one_item_and_released(ws, home):
    """A register begun before provider-level items: the officer lets one item hold them."""
    ws.create(
        organisation.create_register,
        name="P",
        admin_name="A",
        admin_email=ADMIN_EMAIL,
        signatory=True,
        pinned_catalogues={"ai-act-gpai": "2024/1689", "gpai-code": "final"},
    )
    add_model(ws, name="One")
    add_model(ws, name="Two")
    assert "COP-C-1.1" in items(ws, "two")
    out = cli(home, "cover", "two/COP-C-1.1", "--by", "one/COP-C-1.1")
    assert "two/COP-C-1.1 is now held by one/COP-C-1.1" in out
    assert "COP-C-1.1" not in items(ws, "two")
    shown = cli(home, "show", "two/COP-C-1.1")
    assert "held by the provider-level item one/COP-C-1.1" in shown
    assert "covers     two/COP-C-1.1" in cli(home, "show", "one/COP-C-1.1")
    bad = run_cli("cover", "two/COP-C-1.2", "--by", "one/COP-C-1.1", home=home)
    assert bad.returncode == 1 and "must be the same item of another model" in bad.stderr
    cli(home, "cover", "two/COP-C-1.1", "--none")
    assert "COP-C-1.1" in items(ws, "two")


def test_f2_a_withdrawn_designation_clears_its_date_and_its_items(org_ws):
    model = add_model(org_ws, name="Named", systemic_risk=True, designation_date=D(2026, 1, 10))
    org_ws.write(ai_models.update_model, model_id=model, systemic_risk=False, confirm=True)
    row = org_ws.read(ai_models.get, model_id=model)
    assert row.facts.designation_date is None and not row.systemic_risk
    assert "AIA-52-5" not in items(org_ws, "named")
    with pytest.raises(ValidationError, match="designation date 2026-02-01: the model is not"):
        org_ws.write(ai_models.update_model, model_id=model, designation_date=D(2026, 2, 1))
