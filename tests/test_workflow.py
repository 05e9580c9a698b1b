import datetime as dt

import pytest

from gpaitracker import workflow
from gpaitracker.errors import PermissionDenied, ValidationError
from gpaitracker.models import Status

TODAY = dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.NOT_STARTED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.IN_REVIEW),
        (Status.IN_REVIEW, Status.DONE),
        (Status.IN_REVIEW, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.BLOCKED),
        (Status.BLOCKED, Status.IN_PROGRESS),
        (Status.DONE, Status.IN_PROGRESS),
    ],
)
def test_allowed_transitions(current, target):
    workflow.check_transition(current, target, actor_id=2, owner_id=1)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.NOT_STARTED, Status.DONE),
        (Status.NOT_STARTED, Status.IN_REVIEW),
        (Status.IN_PROGRESS, Status.DONE),
        (Status.DONE, Status.NOT_STARTED),
        (Status.NOT_APPLICABLE, Status.DONE),
    ],
)
def test_illegal_transitions_name_both_states(current, target):
    with pytest.raises(ValidationError, match=f"from {current.value} to {target.value}"):
        workflow.check_transition(current, target, actor_id=2, owner_id=1)


def test_owner_cannot_approve_own_review():
    with pytest.raises(PermissionDenied, match="four-eyes"):
        workflow.check_transition(Status.IN_REVIEW, Status.DONE, actor_id=1, owner_id=1)


def test_not_applicable_needs_justification():
    with pytest.raises(ValidationError, match="justification"):
        workflow.check_transition(
            Status.NOT_STARTED, Status.NOT_APPLICABLE, actor_id=1, owner_id=None, justification="  "
        )
    workflow.check_transition(
        Status.NOT_STARTED,
        Status.NOT_APPLICABLE,
        actor_id=1,
        owner_id=None,
        justification="model not placed in the EU",
    )


def test_unknown_status_lists_the_allowed_ones():
    with pytest.raises(ValidationError, match="'finished' is not one of: not_started"):
        workflow.parse_status("finished")


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
