"""Serious incidents of models with systemic risk (COP-SS-9): reports owed, sent, resolution.

The clock is in gpaitracker.deadlines. Reports are never edited; each may carry the file sent,
filed as evidence on the model's incident item (COP-SS-9.3, else AIA-55-1-c).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gpaitracker import audit
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity, IncidentCategory, ReportKind
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import AIModel, Incident, IncidentReport
from gpaitracker.services import catalogues, organisation
from gpaitracker.services.gpai_records import (
    check_day,
    check_evidence,
    evidence_item,
    person,
    reassign,
    text,
)
from gpaitracker.services.incident_reads import IncidentRow as IncidentRow
from gpaitracker.services.incident_reads import ReportRow as ReportRow
from gpaitracker.services.incident_reads import _reports, label
from gpaitracker.services.incident_reads import get as get
from gpaitracker.services.incident_reads import list_incidents as list_incidents
from gpaitracker.services.register import check_version

INC = Entity.INCIDENT
ITEM_CODES = ("COP-SS-9.3", "AIA-55-1-c")


def _load(session: Session, incident_id: int) -> Incident:
    inc = session.get(Incident, incident_id)
    if inc is None:
        raise NotFoundError(f"{label(incident_id)} is not in the register")
    return inc


def _category(value: object) -> IncidentCategory:
    known = ", ".join(c.value for c in IncidentCategory)
    if value is None or value == "":
        raise ValidationError(f"incident category is missing (one of: {known})")
    if not isinstance(value, IncidentCategory):
        raise ValidationError(f"incident category {value!r} is unknown (one of: {known})")
    return value


@write_service(Permission.EDIT)
def add_incident(
    *,
    session: Session,
    actor: Actor,
    model_id: int,
    title: str,
    category: IncidentCategory | None,
    aware_on: dt.date,
    occurred_on: dt.date | None = None,
    owner_id: int | None = None,
    notes: str = "",
    today: dt.date | None = None,
) -> Changes:
    """Record a serious incident of a model with systemic risk, from the day of awareness."""
    model = session.get(AIModel, model_id)
    if model is None:
        raise NotFoundError(f"model id {model_id} is not in the register")
    if not catalogues.facts_for(organisation.load(session), model).systemic_risk:
        raise ValidationError(
            f"model {model.slug} has no systemic risk: serious incidents are reported for "
            "models with systemic risk (Art. 55(1)(c), COP-SS-9)"
        )
    kind = _category(category)
    placed = (model.placed_on_market, "the model's placement on the market")
    aware = check_day(aware_on, "awareness date", today=today, not_before=placed)
    occurred = None
    if occurred_on is not None:
        occurred = check_day(occurred_on, "incident date", today=today)
        if occurred > aware:
            raise ValidationError(
                f"incident date {occurred.isoformat()} is after the awareness date "
                f"{aware.isoformat()}"
            )
    inc = Incident(
        model_id=model_id,
        title=text(title, "incident title", required=True),
        category=kind,
        aware_on=aware,
        occurred_on=occurred,
        owner_id=person(session, owner_id, "owner"),
        notes=text(notes, "notes", max_chars=20_000),
    )
    session.add(inc)
    session.flush()
    name = label(inc.id)
    fields = ("model_id", "title", "category", "aware_on", "occurred_on", "owner_id")
    audit.record(
        session,
        actor,
        [Change("create", INC, inc.id, name, f, None, getattr(inc, f)) for f in fields],
    )
    return audit.change_set(session)


def report_item(*, session: Session, incident_id: int) -> int:
    """The register item a report's file is filed on as evidence."""
    inc = _load(session, incident_id)
    return evidence_item(session, inc.model_id, ITEM_CODES, label(inc.id))


def check_report(
    *,
    session: Session,
    incident_id: int,
    kind: ReportKind,
    sent_on: dt.date,
    today: dt.date | None = None,
) -> None:
    """Refuse a report that cannot be recorded, before any file is copied."""
    inc = _load(session, incident_id)
    if not isinstance(kind, ReportKind):
        raise ValidationError(f"report kind {kind!r} is unknown")
    check_day(sent_on, "sent date", today=today, not_before=(inc.aware_on, "awareness date"))
    kinds = [r.kind for r in _reports(session, incident_id)]
    name = label(inc.id)
    if ReportKind.FINAL in kinds:
        raise ValidationError(f"{name} already has its final report")
    if kind == ReportKind.INITIAL and ReportKind.INITIAL in kinds:
        raise ValidationError(f"{name} already has its initial report")
    if kind == ReportKind.INTERMEDIATE and ReportKind.INITIAL not in kinds:
        raise ValidationError(f"{name}: send the initial report before an intermediate one")
    if kind == ReportKind.FINAL and inc.resolved_on is None:
        raise ValidationError(f"{name} is not resolved: a final report follows the resolution")


@write_service(Permission.EDIT)
def add_report(
    *,
    session: Session,
    actor: Actor,
    incident_id: int,
    kind: ReportKind,
    sent_on: dt.date,
    evidence_id: int | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Changes:
    """Record a report sent to the AI Office (and the file sent, as evidence)."""
    check_report(session=session, incident_id=incident_id, kind=kind, sent_on=sent_on, today=today)
    rep = IncidentReport(
        incident_id=incident_id,
        kind=kind,
        sent_on=sent_on,
        evidence_id=check_evidence(session, evidence_id),
        note=text(note, "note", max_chars=20_000),
        created_by=actor.id,
    )
    session.add(rep)
    session.flush()
    field = f"report {rep.id}"
    value = f"{kind.value} sent {sent_on.isoformat()}" + (
        f" evidence {evidence_id}" if evidence_id else ""
    )
    audit.record(
        session, actor, [Change("report", INC, incident_id, label(incident_id), field, None, value)]
    )
    return audit.change_set(session)


@write_service(Permission.EDIT)
def resolve(
    *,
    session: Session,
    actor: Actor,
    incident_id: int,
    resolved_on: dt.date,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Changes:
    """Record the day the incident was resolved: the final report is due 60 days later."""
    inc = _load(session, incident_id)
    assert inc.id is not None
    check_version(session, INC, inc.id, label(inc.id), inc.row_version, expected_version)
    if inc.resolved_on is not None:
        raise ValidationError(f"{label(inc.id)} was already resolved on {inc.resolved_on}")
    day = check_day(
        resolved_on, "resolution date", today=today, not_before=(inc.aware_on, "awareness date")
    )
    inc.resolved_on = day
    session.add(inc)
    session.flush()
    audit.record(
        session, actor, [Change("resolve", INC, inc.id, label(inc.id), "resolved_on", None, day)]
    )
    return audit.change_set(session)


@write_service(Permission.EDIT)
def assign(
    *,
    session: Session,
    actor: Actor,
    incident_id: int,
    owner_id: int | None,
    expected_version: int | None = None,
) -> Changes:
    """Give the incident to someone to handle (None: nobody)."""
    inc = _load(session, incident_id)
    assert inc.id is not None
    return reassign(session, actor, INC, inc, label(inc.id), owner_id, expected_version)
