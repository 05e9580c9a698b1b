"""Requests, incidents and the form as services: stale writes, the audit trail."""

import datetime as dt

import pytest

from gpaitracker.enums import IncidentCategory, RequestKind
from gpaitracker.errors import ConflictError
from gpaitracker.services import incidents, mdf, queries, requests_register
from tests.services.helpers import add_model

D = dt.date


@pytest.fixture
def titan(org_ws):
    return add_model(org_ws, name="Titan", training_flop="3e25", threshold_date="2025-08-20")


def test_stale_writes_are_refused_naming_who_changed_the_row(org_ws, titan):
    org_ws.write(
        requests_register.add_request,
        kind=RequestKind.AIO,
        subject="Annex XI",
        received=D(2026, 1, 5),
        deadline=D(2026, 1, 30),
        model_id=titan,
    )
    seen = org_ws.read(requests_register.get, request_id=1).row_version
    with pytest.raises(ConflictError):
        org_ws.write(
            requests_register.answer_request,
            request_id=1,
            answered_on=D(2026, 1, 20),
            expected_version=seen + 1,
        )
    org_ws.write(
        incidents.add_incident,
        model_id=titan,
        title="Outage",
        category=IncidentCategory.HARM,
        aware_on=D(2026, 3, 2),
    )
    with pytest.raises(ConflictError):
        org_ws.write(
            incidents.resolve, incident_id=1, resolved_on=D(2026, 3, 9), expected_version=99
        )
    org_ws.write(mdf.edit, model_id=titan, values={"legal_name": "P"})
    with pytest.raises(ConflictError, match=r"titan/MDF v1 was changed by ada@provider\.eu"):
        org_ws.write(mdf.edit, model_id=titan, values={"licence": "x"}, expected_version=99)


def test_every_record_write_is_in_the_audit_trail(org_ws, titan):
    org_ws.write(
        incidents.add_incident,
        model_id=titan,
        title="Outage",
        category=IncidentCategory.DEATH,
        aware_on=D(2026, 3, 2),
    )
    org_ws.write(incidents.resolve, incident_id=1, resolved_on=D(2026, 3, 9))
    org_ws.write(mdf.edit, model_id=titan, values={"parameters": "7.1e9"})
    org_ws.write(mdf.freeze, model_id=titan)
    trail = org_ws.read(queries.audit_rows, entity="incident", row_id=1, limit=50)
    assert {(e.action, e.field) for e in trail} >= {
        ("create", "category"),
        ("resolve", "resolved_on"),
    }
    form = org_ws.read(queries.audit_rows, entity="mdf", row_id=1, limit=50)
    assert {(e.label, e.action, e.field) for e in form} >= {
        ("titan/MDF v1", "update", "parameters"),
        ("titan/MDF v1", "freeze", "frozen"),
    }


def test_models_list_empty_before_the_register_has_an_organisation(ws):
    from gpaitracker.services import ai_models

    assert ws.read(ai_models.list_models) == []
