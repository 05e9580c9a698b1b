"""Small builders shared by the service tests."""

from sqlalchemy import func, select

from gpaitracker.db import session_scope
from gpaitracker.models import AuditEvent, Requirement
from gpaitracker.services import ai_models, people


def add_people(register, admin):
    with session_scope(register, write=True) as s:
        people.add_person(session=s, actor=admin, name="Olga", email="olga@provider.eu",
                          role="officer")  # fmt: skip
        people.add_person(session=s, actor=admin, name="Rita", email="rita@provider.eu",
                          role="reviewer")  # fmt: skip
        people.add_person(session=s, actor=admin, name="Eve", email="eve@provider.eu",
                          role="executive")  # fmt: skip


def add_model(register, admin, name="Atlas 2", **kw):
    kw.setdefault("placed_on_market", "2025-09-01")
    with session_scope(register, write=True) as s:
        return ai_models.add_model(session=s, actor=admin, name=name, **kw)


def person(register, email):
    with session_scope(register) as s:
        return people.get_by_email(session=s, email=email)


def snapshot(register):
    """Everything a failed write must leave unchanged."""
    with session_scope(register) as s:
        events = s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        items = s.execute(
            select(Requirement.id, Requirement.status, Requirement.owner_id,
                   Requirement.due_date, Requirement.notes, Requirement.version)
            .order_by(Requirement.id)
        ).all()  # fmt: skip
    return events, items
