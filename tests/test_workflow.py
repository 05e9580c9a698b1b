import datetime as dt

import pytest

from gpaitracker import parse, workflow
from gpaitracker.enums import Status
from gpaitracker.errors import PermissionDenied, ValidationError

TODAY = dt.date(2026, 3, 1)


OLGA, RITA, ADA, KARIM = 1, 2, 3, 4


def _item(status, **kw):
    kw.setdefault("owner_id", OLGA)
    kw.setdefault("cycle_owner_ids", (kw["owner_id"],) if kw["owner_id"] else ())
    return workflow.ItemState(status=status, **kw)


@pytest.mark.parametrize(
    ("current", "target", "kind", "result"),
    [
        (Status.NOT_STARTED, Status.IN_PROGRESS, "move", Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.IN_REVIEW, "submit", Status.IN_REVIEW),
        (Status.IN_PROGRESS, Status.NOT_APPLICABLE, "submit", Status.IN_REVIEW),
        (Status.IN_REVIEW, Status.IN_PROGRESS, "send_back", Status.IN_PROGRESS),
        (Status.BLOCKED, Status.IN_PROGRESS, "move", Status.IN_PROGRESS),
        (Status.DONE, Status.IN_PROGRESS, "reopen", Status.IN_PROGRESS),
        (Status.NOT_APPLICABLE, Status.NOT_STARTED, "reopen", Status.NOT_STARTED),
    ],
)
def test_allowed_steps(current, target, kind, result):
    step = workflow.plan(_item(current), target, actor_id=OLGA, note="why")
    assert (step.kind, step.status) == (kind, result)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.NOT_STARTED, Status.DONE),
        (Status.IN_PROGRESS, Status.DONE),
        (Status.DONE, Status.NOT_STARTED),
        (Status.NOT_APPLICABLE, Status.DONE),
    ],
)
def test_illegal_transitions_name_both_states(current, target):
    with pytest.raises(ValidationError, match=f"from {current.value} to {target.value}"):
        workflow.plan(_item(current), target, actor_id=RITA)


def test_approval_by_another_person_who_never_owned_it():
    item = _item(Status.IN_REVIEW, submitted_by=OLGA, review_outcome=Status.DONE)
    step = workflow.plan(item, Status.DONE, actor_id=RITA)
    assert (step.kind, step.status, step.override) == ("approve", Status.DONE, False)


@pytest.mark.parametrize(
    ("item", "actor", "why"),
    [
        # the owner approving their own work
        (_item(Status.IN_REVIEW, submitted_by=OLGA), OLGA, "four-eyes"),
        # clear the owner, then approve: the submitter still may not
        (
            _item(Status.IN_REVIEW, owner_id=None, cycle_owner_ids=(OLGA,), submitted_by=OLGA),
            OLGA,
            "four-eyes",
        ),
        # hand it to a colleague, approve, take it back: a former owner may not
        (
            _item(
                Status.IN_REVIEW, owner_id=KARIM, cycle_owner_ids=(OLGA, KARIM), submitted_by=KARIM
            ),
            OLGA,
            "owned it",
        ),
        # a reviewer who submitted someone else's item may not approve his own submission
        (_item(Status.IN_REVIEW, reviewer_id=RITA, submitted_by=RITA), RITA, "submitted it"),
        # an admin approving an item whose named reviewer is someone else
        (_item(Status.IN_REVIEW, reviewer_id=RITA, submitted_by=OLGA), ADA, "named reviewer"),
    ],
)
def test_four_eyes_cannot_be_walked_around(item, actor, why):
    with pytest.raises(PermissionDenied, match=why):
        workflow.plan(item, Status.DONE, actor_id=actor, actor_is_admin=True)


def test_admin_override_of_the_named_reviewer_is_explicit_and_flagged():
    item = _item(Status.IN_REVIEW, reviewer_id=RITA, submitted_by=OLGA)
    step = workflow.plan(item, Status.DONE, actor_id=ADA, actor_is_admin=True, override=True)
    assert step.override
    with pytest.raises(PermissionDenied, match="named reviewer"):
        workflow.plan(item, Status.DONE, actor_id=KARIM, actor_is_admin=False, override=True)


def test_nothing_enters_review_without_an_owner():
    with pytest.raises(ValidationError, match="needs an owner"):
        workflow.plan(_item(Status.IN_PROGRESS, owner_id=None), Status.IN_REVIEW, actor_id=ADA)


def test_not_applicable_needs_justification_and_goes_through_review():
    with pytest.raises(ValidationError, match="justification"):
        workflow.plan(_item(Status.NOT_STARTED), Status.NOT_APPLICABLE, actor_id=OLGA, note=" ")
    step = workflow.plan(
        _item(Status.NOT_STARTED),
        Status.NOT_APPLICABLE,
        actor_id=OLGA,
        note="model not placed in the EU",
    )
    assert (step.status, step.outcome) == (Status.IN_REVIEW, Status.NOT_APPLICABLE)
    in_review = _item(Status.IN_REVIEW, submitted_by=OLGA, review_outcome=Status.NOT_APPLICABLE)
    with pytest.raises(ValidationError, match="in review for not_applicable, not done"):
        workflow.plan(in_review, Status.DONE, actor_id=RITA)
    assert workflow.plan(in_review, Status.NOT_APPLICABLE, actor_id=RITA).kind == "approve"


def test_blocked_needs_a_reason():
    with pytest.raises(ValidationError, match="blocked needs a reason"):
        workflow.plan(_item(Status.IN_PROGRESS), Status.BLOCKED, actor_id=OLGA)


def test_unknown_status_lists_the_allowed_ones():
    with pytest.raises(ValidationError, match="'finished' is not one of: not_started"):
        parse.status("finished")


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        ("in_progress", TODAY - dt.timedelta(days=1), "red"),
        ("blocked", TODAY + dt.timedelta(days=300), "red"),
        ("not_started", TODAY + dt.timedelta(days=30), "amber"),
        ("not_started", TODAY + dt.timedelta(days=31), "green"),
        ("in_review", TODAY + dt.timedelta(days=5), "green"),
        ("done", TODAY - dt.timedelta(days=100), "green"),
        ("not_started", None, "green"),
    ],
)
def test_rag(status, due, expected):
    assert workflow.rag(status, due, TODAY) == expected
