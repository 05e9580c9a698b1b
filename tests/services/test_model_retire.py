"""Retiring a model: audited, reversible, its items kept; expiry leaves it alone."""

import datetime as dt

import pytest

from gpaitracker import checks
from gpaitracker.enums import Role, Status
from gpaitracker.errors import PermissionDenied, ValidationError
from gpaitracker.models import Requirement
from gpaitracker.services import (
    ai_models,
    evidence_expiry,
    evidence_import,
    lookup,
    model_retire,
    people,
    queries,
)
from gpaitracker.services import register as reg_service
from tests.services.helpers import add_model, as_person, item_id


@pytest.fixture
def reg(org_ws):
    add_model(org_ws, name="Atlas", placed_on_market="2025-09-01")
    add_model(org_ws, name="Orca", placed_on_market="2025-09-01")
    return org_ws


def test_retiring_is_previewed_audited_and_reversible(reg):
    atlas = reg.read(lookup.model_id, ref="atlas")
    rid = item_id(reg, "atlas/AIA-53-1-a")
    reg.write(reg_service.change_status, requirement_id=rid, status=Status.IN_PROGRESS)
    plan = reg.read(model_retire.preview, model_id=atlas, today=dt.date(2025, 10, 1))
    items = reg.read(ai_models.get, model_id=atlas).item_count
    assert (plan.slug, plan.retired, plan.open_items) == ("atlas", False, items)
    assert plan.overdue == sum(
        r.due is not None and r.due < dt.date(2025, 10, 1)
        for r in reg.read(queries.list_rows, filters=queries.Filters(model_id=atlas))
    )
    assert plan.lines()[0].startswith(f"atlas: retire model Atlas; its {items} open item(s)")
    version = reg.read(ai_models.get, model_id=atlas).row_version
    reg.write(model_retire.retire_model, model_id=atlas, expected_version=version)
    models = {m.slug: m.retired for m in reg.read(ai_models.list_models)}
    assert models == {"atlas": True, "orca": False}  # the list shows retired models
    with pytest.raises(ValidationError, match="model atlas is already retired"):
        reg.write(model_retire.retire_model, model_id=atlas)
    # Nothing is deleted: the items and their work stay.
    assert reg.read(queries.row, requirement_id=rid).status == Status.IN_PROGRESS
    trail = reg.read(queries.audit_rows, entity="model", row_id=atlas)
    last = trail[-1]
    assert (last.action, last.field, last.old, last.new) == ("retire", "retired", "false", "true")
    assert checks.run_checks(reg.register).ok
    reg.write(model_retire.retire_model, model_id=atlas, retired=False)
    assert not reg.read(ai_models.get, model_id=atlas).retired
    with pytest.raises(ValidationError, match="model atlas is not retired"):
        reg.write(model_retire.retire_model, model_id=atlas, retired=False)
    assert checks.run_checks(reg.register).ok


def test_read_only_people_cannot_retire(reg):
    reg.write(people.add_person, name="Al", email="al@provider.eu", role=Role.AUDITOR)
    atlas = reg.read(lookup.model_id, ref="atlas")
    with pytest.raises(PermissionDenied, match="read-only"):
        as_person(reg, "al@provider.eu").write(model_retire.retire_model, model_id=atlas)
    assert not reg.read(ai_models.get, model_id=atlas).retired


def test_expired_evidence_of_a_retired_model_reopens_nothing(reg, tmp_path):
    ids = {slug: reg.read(lookup.model_id, ref=slug) for slug in ("atlas", "orca")}
    src = tmp_path / "a.txt"
    src.write_bytes(b"a")
    for slug in ids:
        evidence_import.import_file(
            reg,
            requirement_id=item_id(reg, f"{slug}/AIA-53-1-a"),
            path=src,
            valid_until=dt.date(2026, 1, 1),
        )
    # Mark both done directly: the workflow is not what this test is about.
    with reg.register.engine.begin() as conn:
        conn.execute(Requirement.__table__.update().values(status="done"))
    reg.write(model_retire.retire_model, model_id=ids["atlas"])
    flagged = reg.read(evidence_expiry.done_with_only_expired, today=dt.date(2026, 6, 1))
    assert [i.key for i in flagged] == ["orca/AIA-53-1-a"]
