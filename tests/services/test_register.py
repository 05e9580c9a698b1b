import datetime as dt
import sqlite3

import pytest

from gpaitracker import parse
from gpaitracker.enums import Entity, Priority, Status
from gpaitracker.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    StorageError,
    ValidationError,
)
from gpaitracker.services import item_detail, lookup, queries, register
from tests.services.helpers import add_model, add_people, as_person, item_id, person_id, snapshot

KEY = "atlas-2/AIA-53-1-a"
ADA, OLGA, RITA, EVE = "ada@provider.eu", "olga@provider.eu", "rita@provider.eu", "eve@provider.eu"


@pytest.fixture
def reg(org_ws):
    add_people(org_ws)
    add_model(org_ws)
    return org_ws


def _row(ws, key=KEY):
    return ws.read(queries.row, requirement_id=item_id(ws, key))


def _assign(ws, key=KEY, owner=OLGA, reviewer=RITA):
    ws.write(
        register.assign,
        requirement_id=item_id(ws, key),
        owner_id=person_id(ws, owner),
        reviewer_id=person_id(ws, reviewer),
    )


def _status(ws, email, status, key=KEY, **kw):
    return as_person(ws, email).write(
        register.change_status, requirement_id=item_id(ws, key), status=Status(status), **kw
    )


def test_assign_due_priority_notes_are_saved_audited_and_reported(reg):
    before_events, _, _ = snapshot(reg)
    rid = item_id(reg, KEY)
    changes = reg.write(
        register.assign,
        requirement_id=rid,
        owner_id=person_id(reg, OLGA),
        reviewer_id=person_id(reg, RITA),
    )
    assert changes.ids(Entity.REQUIREMENT) == {rid} and not changes.created
    reg.write(register.set_due, requirement_id=rid, due=dt.date(2026, 12, 1))
    reg.write(register.set_priority, requirement_id=rid, priority=Priority.HIGH)
    as_person(reg, OLGA).write(
        register.add_comment, requirement_id=rid, text="Draft MDF v0.3 shared"
    )
    row = _row(reg)
    assert (row.owner, row.reviewer, row.due, row.priority) == (
        OLGA,
        RITA,
        dt.date(2026, 12, 1),
        Priority.HIGH,
    )
    assert row.version == 4  # a comment does not change the item row
    detail = reg.read(item_detail.detail, requirement_id=rid)
    assert [(c.author, c.text) for c in detail.comments] == [(OLGA, "Draft MDF v0.3 shared")]
    assert detail.owner_name == "Olga"
    assert [h.field for h in detail.history][-5:] == [
        "owner",
        "reviewer",
        "due_date",
        "priority",
        "comment",
    ]
    after_events, _, _ = snapshot(reg)
    assert after_events - before_events == 5  # owner, reviewer, due, priority, notes


def test_full_workflow_with_four_eyes(reg):
    _assign(reg)
    _status(reg, OLGA, "in_progress")
    _status(reg, OLGA, "in_review")
    before = snapshot(reg)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        _status(reg, OLGA, "done")
    assert snapshot(reg) == before
    changes = _status(reg, RITA, "done")
    assert _row(reg).status == Status.DONE
    assert changes.notes == (f"{KEY} was approved with no valid evidence attached",)
    detail = reg.read(item_detail.detail, requirement_id=item_id(reg, KEY))
    assert (detail.submitted_by, detail.approved_by) == (OLGA, RITA)
    assert not detail.approval_override


def test_comments_are_a_thread_and_status_notes_join_it(reg):
    _assign(reg)
    rid = item_id(reg, KEY)
    as_person(reg, OLGA).write(register.add_comment, requirement_id=rid, text="first")
    _status(reg, OLGA, "in_progress")
    _status(reg, OLGA, "blocked", note="waiting for the vendor")
    as_person(reg, RITA).write(register.add_comment, requirement_id=rid, text="second")
    detail = reg.read(item_detail.detail, requirement_id=rid)
    assert [(c.author, c.kind, c.text) for c in detail.comments] == [
        (OLGA, "comment", "first"),
        (OLGA, "status", "waiting for the vendor"),
        (RITA, "comment", "second"),
    ]
    with pytest.raises(ValidationError, match="comment must not be empty"):
        reg.write(register.add_comment, requirement_id=rid, text="  ")


def test_a_done_item_changes_owner_reviewer_or_due_date_only_by_reopening(reg):
    _assign(reg)
    _status(reg, OLGA, "in_review")
    _status(reg, RITA, "done")
    rid = item_id(reg, KEY)
    before = snapshot(reg)
    with pytest.raises(ValidationError, match="reopen it"):
        reg.write(register.assign, requirement_id=rid, reviewer_id=person_id(reg, ADA))
    with pytest.raises(ValidationError, match="reopen it"):
        reg.write(register.set_due, requirement_id=rid, due=dt.date(2030, 1, 1))
    assert snapshot(reg) == before
    _status(reg, ADA, "in_progress", note="auditor asked for the v2 form")
    reg.write(register.assign, requirement_id=rid, reviewer_id=person_id(reg, ADA))
    detail = reg.read(item_detail.detail, requirement_id=rid)
    assert detail.approved_by is None and detail.row.reviewer == ADA


def test_ownership_hops_do_not_open_a_way_around_four_eyes(reg):
    """Hand the item to a colleague, have it approved... by yourself: refused."""
    rid = item_id(reg, KEY)
    reg.write(register.assign, requirement_id=rid, owner_id=person_id(reg, OLGA))
    _status(reg, OLGA, "in_progress")
    reg.write(register.assign, requirement_id=rid, owner_id=None)
    with pytest.raises(ValidationError, match="needs an owner"):
        _status(reg, OLGA, "in_review")
    reg.write(register.assign, requirement_id=rid, owner_id=person_id(reg, RITA))
    _status(reg, RITA, "in_review")
    with pytest.raises(PermissionDenied, match="owned it since"):
        _status(reg, OLGA, "done")
    _status(reg, ADA, "done")
    assert reg.read(item_detail.detail, requirement_id=rid).approved_by == ADA


def test_admin_override_is_recorded_and_flagged(reg):
    _assign(reg)
    _status(reg, OLGA, "in_review")
    with pytest.raises(PermissionDenied, match="named reviewer"):
        _status(reg, ADA, "done")
    _status(reg, ADA, "done", override=True)
    rid = item_id(reg, KEY)
    detail = reg.read(item_detail.detail, requirement_id=rid)
    assert detail.approval_override and detail.approved_by == ADA
    assert ("override", "reviewer", RITA, ADA) in [
        (h.action, h.field, h.old, h.new) for h in detail.history
    ]


def test_not_applicable_is_decided_by_two_people(reg):
    _assign(reg)
    _status(reg, OLGA, "not_applicable", note="never placed on the EU market")
    assert _row(reg).status == Status.IN_REVIEW
    with pytest.raises(PermissionDenied, match="four-eyes"):
        _status(reg, OLGA, "not_applicable")
    _status(reg, RITA, "not_applicable")
    assert _row(reg).status == Status.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("parser", "text", "message"),
    [
        (lambda t: parse.date(t, "due date"), "2025-02-30", "due date '2025-02-30' is not a date"),
        (lambda t: parse.date(t, "due date"), "next week", "due date 'next week' is not a date"),
        (lambda t: parse.date(t, "due date"), "9999-12-31", "due date 9999-12-31 is outside"),
        (lambda t: parse.date(t, "due date"), "\uff12\uff10\uff12\uff16-01-01", "is not a date"),
        (parse.priority, "urgent", "priority 'urgent' is not one of"),
        (parse.status, "finished", "status 'finished' is not one of"),
        (parse.email, "not-an-email", "'not-an-email' is not an email"),
        (parse.item_key, "atlas-2", "key 'atlas-2' is not like"),
        (parse.item_key, "atlas-2/X\nY", "is not like"),
        (lambda t: parse.row_id(t, "evidence id"), "9" * 400, "is not a whole number"),
        (lambda t: parse.row_id(t, "evidence id"), "٣", "is not a whole number"),
        (parse.flop, "NaN", "is not a number"),
        (parse.flop, "1e999", "must be between"),
    ],
)
def test_text_is_refused_at_the_door_naming_field_and_value(parser, text, message):
    with pytest.raises(ValidationError) as info:
        parser(text)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("fn", "kw", "message"),
    [
        (register.set_due, {"due": dt.date(1999, 12, 31)}, "due date 1999-12-31 is outside"),
        (register.change_status, {"status": Status.DONE}, "from not_started to done"),
        (register.change_status, {"status": Status.NOT_APPLICABLE}, "justification"),
        (register.change_status, {"status": Status.IN_REVIEW}, "needs an owner"),
        (register.assign, {"owner_id": 9999}, "owner id 9999 is not in the register"),
        (register.add_comment, {"text": "x" * 10_000_000}, "comment is 10000000 characters"),
        (register.add_comment, {"text": "bad \udcff byte"}, "not valid UTF-8"),
    ],
)
def test_bad_values_are_refused_with_field_and_value_and_change_nothing(reg, fn, kw, message):
    before = snapshot(reg)
    with pytest.raises((ValidationError, NotFoundError)) as info:
        reg.write(fn, requirement_id=item_id(reg, KEY), **kw)
    assert message in str(info.value)
    assert snapshot(reg) == before


def test_executive_cannot_own_items(reg):
    with pytest.raises(ValidationError, match="role executive and cannot take"):
        reg.write(register.assign, requirement_id=item_id(reg, KEY), owner_id=person_id(reg, EVE))


@pytest.mark.parametrize("key", ["atlas-2/NOPE-1", "ghost/AIA-53-1-a"])
def test_unknown_keys(reg, key):
    with pytest.raises(NotFoundError, match="key"):
        item_id(reg, key)


def test_unknown_row_id(reg):
    with pytest.raises(NotFoundError, match="register item id 424242"):
        reg.write(register.set_due, requirement_id=424242, due=dt.date(2026, 1, 1))


def test_owner_and_reviewer_must_differ(reg):
    with pytest.raises(ValidationError, match="other than the owner"):
        _assign(reg, owner=OLGA, reviewer=OLGA)


def test_read_only_roles_cannot_write(reg):
    before = snapshot(reg)
    with pytest.raises(PermissionDenied, match="role executive, which is read-only"):
        as_person(reg, EVE).write(
            register.set_due, requirement_id=item_id(reg, KEY), due=dt.date(2026, 1, 1)
        )
    assert snapshot(reg) == before


def test_stale_version_is_a_conflict_naming_who_and_when(reg):
    read = _row(reg)
    as_person(reg, OLGA).write(register.set_due, requirement_id=read.id, due=dt.date(2026, 1, 1))
    before = snapshot(reg)
    with pytest.raises(ConflictError, match=f"{KEY} was changed by {OLGA} at 20"):
        reg.write(
            register.set_due,
            requirement_id=read.id,
            due=dt.date(2026, 2, 1),
            expected_version=read.version,
        )
    assert snapshot(reg) == before


def test_two_app_instances_on_one_file_see_both_values_in_the_refusal(reg):
    """Two windows on one SQLite file read the same item; the second save shows both values."""
    from gpaitracker.migrate import open_register
    from gpaitracker.services.workspace import Workspace

    rid = item_id(reg, KEY)
    _assign(reg)
    window_a = Workspace(open_register(reg.home), OLGA)
    window_b = Workspace(open_register(reg.home), RITA)
    read_a = window_a.read(queries.row, requirement_id=rid)
    read_b = window_b.read(queries.row, requirement_id=rid)
    window_b.write(
        register.set_due,
        requirement_id=rid,
        due=dt.date(2026, 1, 1),
        expected_version=read_b.version,
    )
    before = snapshot(reg)
    for call, kwargs, shown in (
        (
            register.set_due,
            {"due": dt.date(2026, 2, 1)},
            "due date is now 2026-01-01 (yours: 2026-02-01)",
        ),
        (
            register.set_priority,
            {"priority": Priority.HIGH},
            "priority is now medium (yours: high)",
        ),
        (register.assign, {"owner_id": person_id(reg, ADA)}, f"owner is now {OLGA} (yours: {ADA})"),
        (
            register.change_status,
            {"status": Status.IN_PROGRESS},
            "status is now not_started (yours: in_progress)",
        ),
    ):
        with pytest.raises(ConflictError) as refused:
            window_a.write(call, requirement_id=rid, expected_version=read_a.version, **kwargs)
        message = str(refused.value)
        assert message.startswith(f"{KEY} was changed by {RITA} at 20")
        assert shown in message and "nothing was saved" in message
    assert snapshot(reg) == before
    window_a.close()
    window_b.close()


def test_write_racing_a_concurrent_change_is_refused_by_the_version_counter(reg):
    """Two sessions read the same row; the second UPDATE matches no row and is refused."""
    from gpaitracker.db import session_scope
    from gpaitracker.models import Requirement

    rid = item_id(reg, KEY)
    with session_scope(reg.register) as first:
        stale = first.get(Requirement, rid)  # read, then the read transaction ends
    as_person(reg, OLGA).write(register.set_due, requirement_id=rid, due=dt.date(2026, 1, 1))
    with (
        pytest.raises(ConflictError, match=f"{KEY} was changed by {OLGA}"),
        session_scope(reg.register, write=True) as second,
    ):
        stale.na_justification = "written over a newer row"
        second.add(stale)
    assert reg.read(item_detail.detail, requirement_id=rid).row.due == dt.date(2026, 1, 1)


def test_not_applicable_keeps_justification(reg):
    rid = item_id(reg, KEY)
    _assign(reg)
    _status(reg, OLGA, "not_applicable", note="model withdrawn before EU launch")
    _status(reg, RITA, "not_applicable")
    detail = reg.read(item_detail.detail, requirement_id=rid)
    assert detail.na_justification == "model withdrawn before EU launch"


def test_recurring_item_creates_next_occurrence_when_done(org_ws):
    add_people(org_ws)
    add_model(org_ws, name="Titan", training_flop="5e25")
    key = "titan/COP-SS-1.3"  # yearly Framework assessment
    rid = item_id(org_ws, key)
    org_ws.write(register.assign, requirement_id=rid, owner_id=person_id(org_ws, OLGA))
    org_ws.write(register.set_due, requirement_id=rid, due=dt.date(2026, 9, 1))
    for status in ("in_progress", "in_review"):
        _status(org_ws, OLGA, status, key)
    changes = _status(org_ws, RITA, "done", key)
    rows = [r for r in org_ws.read(queries.list_rows) if r.code == "COP-SS-1.3"]
    assert [(r.key, r.status, r.due) for r in rows] == [
        ("titan/COP-SS-1.3", Status.DONE, dt.date(2026, 9, 1)),
        ("titan/COP-SS-1.3#2", Status.NOT_STARTED, dt.date(2027, 9, 1)),
    ]
    assert rows[1].owner == OLGA
    assert changes.created_id(Entity.REQUIREMENT) == rows[1].id
    assert org_ws.read(lookup.requirement_id, key=key) == rows[1].id  # latest occurrence


def test_register_busy_with_another_writer(reg):
    before = snapshot(reg)
    other = sqlite3.connect(reg.home / "register.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError, match="busy with another change"):
            reg.write(register.set_due, requirement_id=item_id(reg, KEY), due=dt.date(2026, 1, 1))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert snapshot(reg) == before


def test_filters_and_rag_in_sql_match_the_workflow_rule(reg):
    today = dt.date(2026, 6, 1)
    rid = item_id(reg, KEY)
    reg.write(register.set_due, requirement_id=rid, due=dt.date(2026, 5, 1))
    rows = reg.read(queries.list_rows, today=today)
    from gpaitracker import workflow

    for r in rows:
        assert r.rag == workflow.rag(r.status, r.due, today), r.key
    overdue = reg.read(queries.list_rows, filters=queries.Filters(overdue=True), today=today)
    assert rid in {r.id for r in overdue}
    found = reg.read(queries.list_rows, filters=queries.Filters(text="100%_"))
    assert found == []  # LIKE wildcards in the search text are literal
    page = reg.read(queries.list_rows, filters=queries.Filters(limit=5, offset=2))
    assert [r.id for r in page] == [r.id for r in reg.read(queries.list_rows)][2:7]


def test_codes_sort_naturally():
    codes = ["COP-SS-10.1", "COP-SS-2.1", "COP-SS-2.10", "COP-SS-2.2", "AIA-53-1-a"]
    assert sorted(codes, key=queries.natural_key) == [
        "AIA-53-1-a",
        "COP-SS-2.1",
        "COP-SS-2.2",
        "COP-SS-2.10",
        "COP-SS-10.1",
    ]


def test_text_search_finds_comments_through_the_index_and_literally(reg):
    rid = item_id(reg, KEY)
    reg.write(register.add_comment, requirement_id=rid, text="Vendor sent the 100%_done report")
    for text in ("vendor SENT", "100%_d", "nt the 1"):
        found = reg.read(queries.list_rows, filters=queries.Filters(text=text))
        assert [r.id for r in found] == [rid], text
    assert reg.read(queries.list_rows, filters=queries.Filters(text="vendor zzz")) == []


def test_no_occurrence_is_scheduled_beyond_2100(org_ws):
    add_people(org_ws)
    add_model(org_ws, name="Titan", training_flop="5e25")
    key = "titan/COP-SS-1.3"  # yearly
    rid = item_id(org_ws, key)
    org_ws.write(register.assign, requirement_id=rid, owner_id=person_id(org_ws, OLGA))
    org_ws.write(register.set_due, requirement_id=rid, due=dt.date(2100, 6, 1))
    _status(org_ws, OLGA, "in_review", key)
    _status(org_ws, RITA, "done", key)
    assert [r.key for r in org_ws.read(queries.list_rows) if r.code == "COP-SS-1.3"] == [key]
