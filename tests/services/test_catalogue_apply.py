"""Applying catalogues to models: applicability, deadlines, re-scoping and upgrades."""

import datetime as dt

import pytest
from sqlmodel import select

from gpaitracker.catalogue import shipped
from gpaitracker.db import session_scope
from gpaitracker.evidence_store import EvidenceStore
from gpaitracker.models import AuditEvent
from gpaitracker.services import ai_models, catalogue_upgrade, evidence, organisation, queries
from gpaitracker.services import register as reg_service
from tests.conftest import ADMIN_EMAIL
from tests.services.helpers import add_model, add_people, person


def codes(register, slug):
    with session_scope(register) as s:
        return {
            r.code: r for r in queries.list_rows(session=s, filters=queries.Filters(model=slug))
        }


def test_systemic_risk_model_gets_articles_53_55_and_all_three_chapters(org_register, admin):
    add_model(org_register, admin, name="Titan", placed_on_market="2025-09-01",
              training_flop="3e25")  # fmt: skip
    got = codes(org_register, "titan")
    for code in ("AIA-53-1-a", "AIA-53-1-b", "AIA-53-1-c", "AIA-53-1-d", "AIA-55-1-a",
                 "AIA-55-1-b", "AIA-55-1-c", "AIA-55-1-d", "AIA-52-1"):  # fmt: skip
        assert code in got
    assert sum(c.startswith("COP-T-") for c in got) == 3
    assert sum(c.startswith("COP-C-") for c in got) == 5
    assert sum(c.startswith("COP-SS-") for c in got) == 32
    assert got["AIA-53-1-a"].due == dt.date(2025, 9, 1)
    assert "AIA-111-3" not in got and "AIA-54-1" not in got


def test_open_source_non_systemic_model(org_register, admin):
    add_model(org_register, admin, name="Libre", placed_on_market="2025-10-01",
              training_flop="1e24", open_source=True)  # fmt: skip
    got = codes(org_register, "libre")
    assert "AIA-53-1-a" not in got and "AIA-53-1-b" not in got
    assert not any(c.startswith("COP-T-") for c in got)
    assert not any(c.startswith("COP-SS-") for c in got)
    assert {"AIA-53-1-c", "AIA-53-1-d"} <= set(got)
    assert sum(c.startswith("COP-C-") for c in got) == 5


def test_legacy_model_items_are_due_2_august_2027(org_register, admin):
    add_model(org_register, admin, name="Old Faithful", placed_on_market="2024-11-01")
    got = codes(org_register, "old-faithful")
    assert "AIA-111-3" in got
    for code in ("AIA-53-1-a", "AIA-53-1-c", "COP-C-1.1", "COP-T-1.1"):
        assert got[code].due == dt.date(2027, 8, 2)


def test_non_signatory_gets_no_code_items_and_non_eu_needs_representative(register):
    with session_scope(register, write=True) as s:
        _, admin = organisation.create_register(session=s, name="Far Away Inc",
                                                admin_name="A", admin_email=ADMIN_EMAIL,
                                                non_eu=True)  # fmt: skip
    add_model(register, admin, name="Atlas")
    got = codes(register, "atlas")
    assert not any(c.startswith("COP-") for c in got)
    assert "AIA-54-1" in got


def test_crossing_the_threshold_is_planned_then_applied_never_deleted(org_register, admin):
    add_people(org_register, admin)
    add_model(org_register, admin, name="Atlas", training_flop="5e24")
    with session_scope(org_register, write=True) as s:
        reg_service.assign(session=s, actor=admin, key="atlas/AIA-53-1-a", owner="olga@provider.eu")
    before = codes(org_register, "atlas")
    with session_scope(org_register, write=True) as s:
        _, plan, applied = ai_models.update_model(session=s, actor=admin, ref="atlas",
                                                  training_flop="2e25", confirm=False)  # fmt: skip
    assert not applied
    assert "AIA-52-1" in plan.newly_applicable and len(plan.newly_applicable) == 32 + 6
    assert codes(org_register, "atlas").keys() == before.keys()  # nothing changed yet
    with session_scope(org_register, write=True) as s:
        model, _, applied = ai_models.update_model(session=s, actor=admin, ref="atlas",
                                                   training_flop="2e25", confirm=True)  # fmt: skip
    assert applied and model.threshold_date == dt.date.today()
    after = codes(org_register, "atlas")
    assert after["AIA-52-1"].due == dt.date.today() + dt.timedelta(days=14)
    assert after["AIA-53-1-a"].owner == "olga@provider.eu"
    # And back below: items are kept, only flagged.
    with session_scope(org_register, write=True) as s:
        _, plan, _ = ai_models.update_model(session=s, actor=admin, ref="atlas",
                                            training_flop="1e24", systemic_risk=False,
                                            confirm=True)  # fmt: skip
    assert "atlas/COP-SS-7.1" in plan.no_longer_applicable
    with session_scope(org_register) as s:
        everything = queries.list_rows(session=s, filters=queries.Filters(include_inactive=True))
    flagged = [r for r in everything if r.code == "COP-SS-7.1"]
    assert flagged and not flagged[0].applicable


@pytest.fixture
def draft_register(register, tmp_path):
    """A register begun on the third draft, with work on mapped and merged items."""
    with session_scope(register, write=True) as s:
        _, admin = organisation.create_register(
            session=s, name="Early Bird", admin_name="A", admin_email=ADMIN_EMAIL,
            signatory=True, pinned_catalogues={"gpai-code": "draft-3"},
        )  # fmt: skip
    add_people(register, admin)
    add_model(register, admin, name="Titan", training_flop="3e25")
    policy = tmp_path / "policy.pdf"
    policy.write_bytes(b"%PDF-1.4 copyright policy v1")
    with session_scope(register, write=True) as s:
        reg_service.assign(session=s, actor=admin, key="titan/COP3-I.2.1",
                           owner="olga@provider.eu", reviewer="rita@provider.eu")  # fmt: skip
        reg_service.change_status(session=s, actor=admin, key="titan/COP3-I.2.1",
                                  status="in_progress")  # fmt: skip
        reg_service.set_notes(session=s, actor=admin, key="titan/COP3-I.2.1", notes="v1 drafted")
        store = EvidenceStore.of_home(register.home)
        evidence.add_file_evidence(
            session=s, actor=admin, store=store, key="titan/COP3-I.2.1", path=policy
        )
    return register, admin


def test_draft_register_upgrades_to_final_keeping_work(draft_register):
    register, admin = draft_register
    final = next(c for c in shipped() if c.version == "final")
    with session_scope(register) as s:
        plan = catalogue_upgrade.diff(session=s, new=final)
    assert plan.renamed["COP3-I.2.1"] == "COP-C-1.1"
    assert "COP3-I.2.4" in plan.withdrawn
    assert "COP-SS-3.3" in plan.added
    assert plan.merged  # several draft measures fold into one final measure
    with session_scope(register, write=True) as s:
        catalogue_upgrade.upgrade(session=s, actor=admin, new=final)
    got = codes(register, "titan")
    item = got["COP-C-1.1"]
    assert (item.owner, item.reviewer, item.status) == (
        "olga@provider.eu",
        "rita@provider.eu",
        "in_progress",
    )
    assert not any(c.startswith("COP3-") for c in got)
    assert sum(c.startswith("COP-SS-") for c in got) == 32
    with session_scope(register) as s:
        rows = evidence.list_evidence(session=s, key="titan/COP-C-1.1")
        assert [r.title for r in rows] == ["policy.pdf"]
        keys = catalogue_upgrade.history_keys(session=s, key="titan/COP-C-1.1")
        assert keys == ["titan/COP-C-1.1", "titan/COP3-I.2.1"]
        events = s.exec(select(AuditEvent).where(AuditEvent.entity_id.in_(keys))).all()
        fields = [e.field for e in events]
        assert {"owner", "status", "notes", "key"} <= set(fields)
        withdrawn = queries.list_rows(session=s, filters=queries.Filters(include_inactive=True))
        assert any(r.code == "COP3-I.2.4" and r.withdrawn for r in withdrawn)
        item_row, _ = reg_service.get_by_key(session=s, key="titan/COP-C-1.1")
        assert item_row.notes == "v1 drafted"


def test_upgrading_twice_or_backwards_is_refused(draft_register):
    register, admin = draft_register
    cats = {c.version: c for c in shipped()}
    with session_scope(register, write=True) as s:
        catalogue_upgrade.upgrade(session=s, actor=admin, new=cats["final"])
    from gpaitracker.errors import ValidationError

    with session_scope(register) as s, pytest.raises(ValidationError, match="already in use"):
        catalogue_upgrade.diff(session=s, new=cats["final"])
    with session_scope(register) as s, pytest.raises(ValidationError, match="older than"):
        catalogue_upgrade.diff(session=s, new=cats["draft-3"])


def test_merged_items_combine_owners_and_notes(draft_register):
    register, admin = draft_register
    final = next(c for c in shipped() if c.version == "final")
    with session_scope(register) as s:
        plan = catalogue_upgrade.diff(session=s, new=final)
    target, olds = next(iter(plan.merged.items()))
    with session_scope(register, write=True) as s:
        reg_service.set_notes(session=s, actor=admin, key=f"titan/{olds[1]}", notes="second part")
        reg_service.assign(session=s, actor=admin, key=f"titan/{olds[1]}", owner="rita@provider.eu")
        catalogue_upgrade.upgrade(session=s, actor=admin, new=final)
    with session_scope(register) as s:
        item, _ = reg_service.get_by_key(session=s, key=f"titan/{target}")
        assert "second part" in item.notes
        assert item.owner_id == person(register, "rita@provider.eu").id
