import datetime as dt
import sqlite3

import pytest

from gpaitracker.db import session_scope
from gpaitracker.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    StorageError,
    ValidationError,
)
from gpaitracker.services import queries, register
from tests.services.helpers import add_model, add_people, person, snapshot

KEY = "atlas-2/AIA-53-1-a"


@pytest.fixture
def reg(org_register, admin):
    add_people(org_register, admin)
    add_model(org_register, admin)
    return org_register


def _do(reg, actor_email, fn, **kw):
    with session_scope(reg, write=True) as s:
        return fn(session=s, actor=person(reg, actor_email), **kw)


def test_assign_due_priority_notes_are_saved_and_audited(reg):
    before_events, _ = snapshot(reg)
    _do(reg, "ada@provider.eu", register.assign, key=KEY, owner="olga@provider.eu",
        reviewer="rita@provider.eu")  # fmt: skip
    _do(reg, "ada@provider.eu", register.set_due, key=KEY, due="2026-12-01")
    _do(reg, "ada@provider.eu", register.set_priority, key=KEY, priority="high")
    _do(reg, "olga@provider.eu", register.set_notes, key=KEY, notes="Draft MDF v0.3 shared")
    with session_scope(reg) as s:
        row = next(r for r in queries.list_rows(session=s) if r.key == KEY)
        item, _ = register.get_by_key(session=s, key=KEY)
    assert (row.owner, row.reviewer, row.due, row.priority) == (
        "olga@provider.eu",
        "rita@provider.eu",
        dt.date(2026, 12, 1),
        "high",
    )
    assert item.notes == "Draft MDF v0.3 shared"
    assert item.version == 5
    after_events, _ = snapshot(reg)
    assert after_events - before_events == 5  # owner, reviewer, due, priority, notes


def test_full_workflow_with_four_eyes(reg):
    _do(reg, "ada@provider.eu", register.assign, key=KEY, owner="olga@provider.eu",
        reviewer="rita@provider.eu")  # fmt: skip
    _do(reg, "olga@provider.eu", register.change_status, key=KEY, status="in_progress")
    _do(reg, "olga@provider.eu", register.change_status, key=KEY, status="in_review")
    before = snapshot(reg)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        _do(reg, "olga@provider.eu", register.change_status, key=KEY, status="done")
    assert snapshot(reg) == before
    item = _do(reg, "rita@provider.eu", register.change_status, key=KEY, status="done")
    assert item.status == "done" and item.completed_at is not None


@pytest.mark.parametrize(
    ("fn", "kw", "message"),
    [
        (register.set_due, {"due": "2025-02-30"}, "due date '2025-02-30' is not a date"),
        (register.set_due, {"due": "next week"}, "due date 'next week' is not a date"),
        (register.change_status, {"status": "done"}, "from not_started to done"),
        (register.change_status, {"status": "not_applicable"}, "justification"),
        (register.set_priority, {"priority": "urgent"}, "priority 'urgent' is not one of"),
        (register.assign, {"owner": "nobody@provider.eu"}, "'nobody@provider.eu' is not in"),
        (register.assign, {"owner": "eve@provider.eu"}, "role executive and cannot take"),
        (register.assign, {"owner": "not-an-email"}, "'not-an-email' is not an email"),
        (register.set_notes, {"notes": "x" * 10_000_000}, "notes is 10000000 characters"),
        (register.set_notes, {"notes": "bad \udcff byte"}, "not valid UTF-8"),
    ],
)
def test_bad_input_is_refused_with_field_and_value_and_changes_nothing(reg, fn, kw, message):
    before = snapshot(reg)
    with pytest.raises((ValidationError, NotFoundError)) as info:
        _do(reg, "ada@provider.eu", fn, key=KEY, **kw)
    assert message in str(info.value)
    assert snapshot(reg) == before


@pytest.mark.parametrize("key", ["atlas-2/NOPE-1", "ghost/AIA-53-1-a", "atlas-2"])
def test_unknown_keys(reg, key):
    with pytest.raises((NotFoundError, ValidationError), match="key"):
        _do(reg, "ada@provider.eu", register.set_due, key=key, due="2026-01-01")


def test_owner_and_reviewer_must_differ(reg):
    with pytest.raises(ValidationError, match="other than the owner"):
        _do(reg, "ada@provider.eu", register.assign, key=KEY, owner="olga@provider.eu",
            reviewer="olga@provider.eu")  # fmt: skip


def test_read_only_roles_cannot_write(reg):
    before = snapshot(reg)
    with pytest.raises(PermissionDenied, match="role executive, which is read-only"):
        _do(reg, "eve@provider.eu", register.set_due, key=KEY, due="2026-01-01")
    assert snapshot(reg) == before


def test_stale_version_is_a_conflict(reg):
    with session_scope(reg) as s:
        item, _ = register.get_by_key(session=s, key=KEY)
    _do(reg, "ada@provider.eu", register.set_due, key=KEY, due="2026-01-01")
    with pytest.raises(ConflictError, match="changed by someone else"):
        _do(reg, "ada@provider.eu", register.set_due, key=KEY, due="2026-02-01",
            expected_version=item.version)  # fmt: skip


def test_not_applicable_keeps_justification(reg):
    item = _do(reg, "ada@provider.eu", register.change_status, key=KEY,
               status="not_applicable", note="model withdrawn before EU launch")  # fmt: skip
    assert item.na_justification == "model withdrawn before EU launch"


def test_recurring_item_creates_next_occurrence_when_done(org_register, admin):
    add_people(org_register, admin)
    add_model(org_register, admin, name="Titan", training_flop="5e25")
    key = "titan/COP-SS-1.3"  # yearly Framework assessment
    reg = org_register
    _do(reg, "ada@provider.eu", register.assign, key=key, owner="olga@provider.eu")
    _do(reg, "ada@provider.eu", register.set_due, key=key, due="2026-09-01")
    for status in ("in_progress", "in_review"):
        _do(reg, "olga@provider.eu", register.change_status, key=key, status=status)
    _do(reg, "rita@provider.eu", register.change_status, key=key, status="done")
    with session_scope(reg) as s:
        rows = [r for r in queries.list_rows(session=s) if r.code == "COP-SS-1.3"]
    assert [(r.key, r.status, r.due) for r in rows] == [
        ("titan/COP-SS-1.3", "done", dt.date(2026, 9, 1)),
        ("titan/COP-SS-1.3#2", "not_started", dt.date(2027, 9, 1)),
    ]
    assert rows[1].owner == "olga@provider.eu"


def test_register_locked_by_another_writer(reg):
    before = snapshot(reg)
    other = sqlite3.connect(reg.url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError, match="locked by another program"):
            _do(reg, "ada@provider.eu", register.set_due, key=KEY, due="2026-01-01")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert snapshot(reg) == before
