"""Applying catalogues to models: applicability, deadlines, re-scoping and upgrades."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from gpaitracker.authz import Actor
from gpaitracker.catalogue import parse, shipped
from gpaitracker.db import session_scope
from gpaitracker.enums import Entity, Role, Status
from gpaitracker.errors import PermissionDenied, ValidationError
from gpaitracker.models import Catalogue
from gpaitracker.services import (
    ai_models,
    catalogue_reads,
    catalogue_upgrade,
    evidence,
    evidence_import,
    lookup,
    organisation,
    people,
    queries,
)
from gpaitracker.services import register as reg_service
from tests.conftest import ADMIN_EMAIL
from tests.services.helpers import add_model, add_people, as_person, item_id, person_id, snapshot

OLGA, RITA = "olga@provider.eu", "rita@provider.eu"


def codes(ws, slug):
    model = ws.read(lookup.model_id, ref=slug)
    rows = ws.read(queries.list_rows, filters=queries.Filters(model_id=model))
    return {r.code: r for r in rows}


def final_code():
    """The newest built-in version of the Code."""
    return next(c for c in shipped() if c.version == "final-r2")


def test_systemic_risk_model_gets_articles_53_55_and_all_three_chapters(org_ws):
    add_model(org_ws, name="Titan", placed_on_market="2025-09-01", training_flop="3e25")
    got = codes(org_ws, "titan")
    for code in (
        "AIA-53-1-a",
        "AIA-53-1-b",
        "AIA-53-1-c",
        "AIA-53-1-d",
        "AIA-55-1-a",
        "AIA-55-1-b",
        "AIA-55-1-c",
        "AIA-55-1-d",
        "AIA-52-1",
    ):
        assert code in got
    assert sum(c.startswith("COP-T-") for c in got) == 3
    assert sum(c.startswith("COP-C-") for c in got) == 5
    assert sum(c.startswith("COP-SS-") for c in got) == 32
    assert got["AIA-53-1-a"].due == dt.date(2025, 9, 1)
    assert "AIA-111-3" not in got and "AIA-54-1" not in got
    model = org_ws.read(ai_models.get, model_id=org_ws.read(lookup.model_id, ref="titan"))
    # No threshold date given: none is invented; the clock runs from placement.
    assert model.systemic_risk and model.threshold_date is None
    assert got["AIA-52-1"].due == dt.date(2025, 9, 15)
    assert model.item_count == len(got)


def test_open_source_non_systemic_model(org_ws):
    add_model(
        org_ws, name="Libre", placed_on_market="2025-10-01", training_flop="1e24", open_source=True
    )
    got = codes(org_ws, "libre")
    assert "AIA-53-1-a" not in got and "AIA-53-1-b" not in got
    assert not any(c.startswith("COP-T-") for c in got)
    assert not any(c.startswith("COP-SS-") for c in got)
    assert {"AIA-53-1-c", "AIA-53-1-d"} <= set(got)
    assert sum(c.startswith("COP-C-") for c in got) == 5


def test_legacy_model_items_are_due_2_august_2027(org_ws):
    add_model(org_ws, name="Old Faithful", placed_on_market="2024-11-01")
    got = codes(org_ws, "old-faithful")
    assert "AIA-111-3" in got
    for code in ("AIA-53-1-a", "AIA-53-1-c", "COP-C-1.1", "COP-T-1.1"):
        assert got[code].due == dt.date(2027, 8, 2)


def test_non_signatory_gets_no_code_items_and_non_eu_needs_representative(ws):
    ws.create(
        organisation.create_register,
        name="Far Away Inc",
        admin_name="A",
        admin_email=ADMIN_EMAIL,
        non_eu=True,
    )
    add_model(ws, name="Atlas")
    got = codes(ws, "atlas")
    assert not any(c.startswith("COP-") for c in got)
    assert "AIA-54-1" in got


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"name": " "}, "model name must not be empty"),
        ({"name": "Atlas"}, "model name 'Atlas' is already used (key atlas)"),
        ({"placed_on_market": "2025-02-30"}, "placed-on-market date '2025-02-30' is not a date"),
        ({"placed_on_market": dt.date(1999, 1, 1)}, "placed-on-market date 1999-01-01 is outside"),
        ({"training_flop": float("nan")}, "training compute 'nan' must be between 0 and"),
        ({"training_flop": -1.0}, "training compute '-1.0' must be between 0 and"),
    ],
)
def test_bad_model_facts_name_the_field_and_change_nothing(org_ws, kw, message):
    add_model(org_ws, name="Atlas")
    before = snapshot(org_ws)
    args = {"name": "Other", "placed_on_market": dt.date(2025, 9, 1)} | kw
    with pytest.raises(ValidationError, match=re.escape(message)):
        org_ws.write(ai_models.add_model, **args)
    assert snapshot(org_ws) == before


def test_crossing_the_threshold_is_planned_then_applied_never_deleted(org_ws):
    add_people(org_ws)
    model_id = add_model(org_ws, name="Atlas", training_flop="5e24")
    org_ws.write(
        reg_service.assign,
        requirement_id=item_id(org_ws, "atlas/AIA-53-1-a"),
        owner_id=person_id(org_ws, OLGA),
    )
    before = codes(org_ws, "atlas")
    plan = org_ws.read(ai_models.preview_update, model_id=model_id, training_flop=2e25)
    assert "AIA-52-1" in plan.newly_applicable and len(plan.newly_applicable) == 32 + 6
    with pytest.raises(ValidationError, match="alters what applies to model atlas; review"):
        org_ws.write(ai_models.update_model, model_id=model_id, training_flop=2e25)
    assert codes(org_ws, "atlas").keys() == before.keys()  # nothing changed yet
    version = org_ws.read(ai_models.get, model_id=model_id).row_version
    changes = org_ws.write(
        ai_models.update_model,
        model_id=model_id,
        training_flop=2e25,
        confirm=True,
        expected_version=version,
    )
    assert changes.ids(Entity.MODEL) == {model_id} and len(changes.created) == 38
    model = org_ws.read(ai_models.get, model_id=model_id)
    assert model.threshold_date is None and model.facts.sr_since == dt.date.today()
    assert model.row_version == version + 1
    after = codes(org_ws, "atlas")
    assert after["AIA-52-1"].due == dt.date.today() + dt.timedelta(days=14)
    assert after["AIA-53-1-a"].owner == OLGA
    # And back below: items are kept, only flagged.
    plan = org_ws.read(
        ai_models.preview_update, model_id=model_id, training_flop=1e24, systemic_risk=False
    )
    assert "atlas/COP-SS-7.1" in plan.no_longer_applicable
    org_ws.write(
        ai_models.update_model,
        model_id=model_id,
        training_flop=1e24,
        systemic_risk=False,
        confirm=True,
    )
    everything = org_ws.read(queries.list_rows, filters=queries.Filters(include_inactive=True))
    flagged = [r for r in everything if r.code == "COP-SS-7.1"]
    assert flagged and not flagged[0].applicable
    # A stale edit is refused.
    with pytest.raises(Exception, match=r"was changed by ada@provider\.eu"):
        org_ws.write(
            ai_models.update_model, model_id=model_id, name="Atlas X", expected_version=version
        )


def test_unknown_compute_can_be_cleared_and_names_and_versions_change(org_ws):
    model_id = add_model(org_ws, name="Atlas", training_flop="5e24")
    org_ws.write(
        ai_models.update_model,
        model_id=model_id,
        training_flop=None,
        version="2.0",
        name="Atlas Two",
    )
    model = org_ws.read(ai_models.get, model_id=model_id)
    assert (model.training_flop, model.version, model.name, model.slug) == (
        None,
        "2.0",
        "Atlas Two",
        "atlas",
    )
    trail = org_ws.read(queries.audit_rows, entity="model", row_id=model_id)
    assert [(e.field, e.new) for e in trail if e.action == "update"] == [
        ("name", "Atlas Two"),
        ("version", "2.0"),
        ("training_flop", None),
    ]


@pytest.fixture
def draft_ws(ws, tmp_path):
    """A register begun on the third draft, with work on mapped and merged items."""
    ws.create(
        organisation.create_register,
        name="Early Bird",
        admin_name="A",
        admin_email=ADMIN_EMAIL,
        signatory=True,
        pinned_catalogues={"gpai-code": "draft-3"},
    )
    add_people(ws)
    add_model(ws, name="Titan", training_flop="3e25")
    policy = tmp_path / "policy.pdf"
    policy.write_bytes(b"%PDF-1.4 copyright policy v1")
    item = item_id(ws, "titan/COP3-I.2.1")
    ws.write(
        reg_service.assign,
        requirement_id=item,
        owner_id=person_id(ws, OLGA),
        reviewer_id=person_id(ws, RITA),
    )
    ws.write(reg_service.change_status, requirement_id=item, status=Status.IN_PROGRESS)
    ws.write(reg_service.add_comment, requirement_id=item, text="v1 drafted")
    evidence_import.import_file(ws, requirement_id=item, path=policy)
    return ws


def test_draft_register_upgrades_to_final_keeping_work(draft_ws):
    final = final_code()
    plan = draft_ws.read(catalogue_upgrade.diff, new=final)
    assert plan.renamed["COP3-I.2.1"] == "COP-C-1.1"
    assert "COP3-I.2.4" in plan.withdrawn
    assert "COP-SS-3.3" in plan.added
    assert plan.merged  # several draft measures fold into one final measure
    assert draft_ws.read(catalogue_upgrade.pending) == [final]
    changes = draft_ws.write(catalogue_upgrade.upgrade, new=final)
    assert changes.touches(Entity.CATALOGUE) and changes.touches(Entity.REQUIREMENT)
    assert draft_ws.read(catalogue_upgrade.pending) == []
    got = codes(draft_ws, "titan")
    item = got["COP-C-1.1"]
    assert (item.owner, item.reviewer, item.status) == (OLGA, RITA, Status.IN_PROGRESS)
    assert not any(c.startswith("COP3-") for c in got)
    assert sum(c.startswith("COP-SS-") for c in got) == 32
    rows = draft_ws.read(evidence.list_evidence, requirement_id=item.id)
    assert [(r.title, r.keys) for r in rows] == [("policy.pdf", ("titan/COP-C-1.1",))]
    everything = draft_ws.read(queries.list_rows, filters=queries.Filters(include_inactive=True))
    assert any(r.code == "COP3-I.2.4" and r.withdrawn for r in everything)
    assert draft_ws.read(queries.row, requirement_id=item.id).title == (
        draft_ws.read(catalogue_reads.entry, code="COP-C-1.1").title
    )


def test_history_by_row_id_survives_the_rename(draft_ws):
    before = item_id(draft_ws, "titan/COP3-I.2.1")
    draft_ws.write(catalogue_upgrade.upgrade, new=final_code())
    after = item_id(draft_ws, "titan/COP-C-1.1")
    assert after == before  # the item keeps its row; only its key changed
    trail = draft_ws.read(queries.audit_rows, entity="requirement", row_id=after, limit=1000)
    labels = {e.label for e in trail}
    assert labels == {"titan/COP3-I.2.1", "titan/COP-C-1.1"}
    fields = [e.field for e in trail]
    assert {"due_date", "owner", "reviewer", "status", "comment", "evidence", "key"} <= set(fields)
    [rename] = [e for e in trail if e.field == "key"]
    assert (rename.action, rename.old, rename.new) == (
        "update",
        "titan/COP3-I.2.1",
        "titan/COP-C-1.1",
    )
    # Later work is recorded under the new key, on the same row.
    draft_ws.write(reg_service.add_comment, requirement_id=after, text="v2 final")
    last = draft_ws.read(queries.audit_rows, entity="requirement", row_id=after, limit=1)[0]
    assert (last.label, last.field, last.new) == ("titan/COP-C-1.1", "comment", "v2 final")


def test_upgrading_twice_or_backwards_is_refused(draft_ws):
    cats = {c.version: c for c in shipped()}
    draft_ws.write(catalogue_upgrade.upgrade, new=cats["final-r2"])
    with pytest.raises(ValidationError, match="already in use"):
        draft_ws.read(catalogue_upgrade.diff, new=cats["final-r2"])
    with pytest.raises(ValidationError, match="older than"):
        draft_ws.read(catalogue_upgrade.diff, new=cats["draft-3"])


def test_merged_items_combine_owners_and_comments(draft_ws):
    final = final_code()
    plan = draft_ws.read(catalogue_upgrade.diff, new=final)
    target, olds = next(iter(plan.merged.items()))
    second = item_id(draft_ws, f"titan/{olds[1]}")
    as_person(draft_ws, OLGA).write(
        reg_service.add_comment, requirement_id=second, text="second part"
    )
    draft_ws.write(reg_service.assign, requirement_id=second, owner_id=person_id(draft_ws, RITA))
    draft_ws.write(catalogue_upgrade.upgrade, new=final)
    item = draft_ws.read(queries.row, requirement_id=item_id(draft_ws, f"titan/{target}"))
    assert item.owner == RITA
    [merged] = draft_ws.read(queries.comments, requirement_id=item.id)
    assert (merged.author, merged.kind, merged.text) == (
        OLGA,
        "merged",
        f"[from titan/{olds[1]}] second part",
    )
    gone = draft_ws.read(queries.row, requirement_id=second)
    assert gone.withdrawn
    notice = draft_ws.read(queries.comments, requirement_id=second)[-1]
    assert (notice.kind, notice.text) == ("merged", f"Merged into titan/{target}.")


OWN = b"""
[catalogue]
id = "board"
title = "Board duties"
version = "2026.1"
published = 2026-01-01

[[entries]]
code = "BRD-1"
kind = "measure"
title = "Quarterly AI risk briefing"
applies = "all"
due = "date:2026-03-31"
recurrence = "3 months"
"""


def _catalogue_rows(ws):
    with session_scope(ws.register) as s:
        return s.execute(select(func.count()).select_from(Catalogue)).scalar_one()


@pytest.mark.parametrize("who", ["auditor", "executive", "officer", "deactivated admin"])
def test_only_active_admins_upgrade_or_import_catalogues(draft_ws, who):
    draft_ws.write(people.add_person, name="Al", email="al@provider.eu", role=Role.AUDITOR)
    draft_ws.write(people.add_person, name="Bo", email="bo@provider.eu", role=Role.ADMIN)
    email = {
        "auditor": "al@provider.eu",
        "executive": "eve@provider.eu",
        "officer": OLGA,
        "deactivated admin": "bo@provider.eu",
    }[who]
    actor: Actor = as_person(draft_ws, email).actor()
    if who == "deactivated admin":  # a moment after this person's window read who they are
        draft_ws.write(people.update_person, person_id=actor.id, active=False)
    before = snapshot(draft_ws), _catalogue_rows(draft_ws)
    for new in (final_code(), parse(OWN, "own.toml")):
        with session_scope(draft_ws.register, write=True) as s, pytest.raises(PermissionDenied):
            catalogue_upgrade.upgrade(session=s, actor=actor, new=new)
    assert (snapshot(draft_ws), _catalogue_rows(draft_ws)) == before
    assert draft_ws.read(catalogue_upgrade.pending) == [final_code()]


def test_catalogue_rows_for_the_doors(draft_ws):
    draft_ws.write(catalogue_upgrade.upgrade, new=parse(OWN, "own.toml"))
    in_use = draft_ws.read(catalogue_reads.catalogue_summaries)
    assert [(c.catalogue_id, c.version, c.active) for c in in_use] == [
        ("ai-act-gpai", "2024/1689-r2", True),
        ("board", "2026.1", True),
        ("gpai-code", "draft-3", True),
    ]
    assert (in_use[1].entries, in_use[1].tracked) == (1, 1)
    draft_ws.write(catalogue_upgrade.upgrade, new=final_code())
    every = draft_ws.read(catalogue_reads.catalogue_summaries, include_inactive=True)
    assert [(c.version, c.active) for c in every if c.catalogue_id == "gpai-code"] == [
        ("draft-3", False),
        ("final-r2", True),
    ]
    entry = draft_ws.read(catalogue_reads.entry, code="BRD-1")
    assert (entry.catalogue, entry.due, entry.recurrence_months) == (
        "board@2026.1",
        "date:2026-03-31",
        3,
    )
    assert entry.as_dict()["applies"] == ["all"]
    assert codes(draft_ws, "titan")["BRD-1"].due == dt.date(2026, 3, 31)
    with pytest.raises(Exception, match=r"catalogue code 'COP3-I\.2\.1' is not in any catalogue"):
        draft_ws.read(catalogue_reads.entry, code="COP3-I.2.1")
