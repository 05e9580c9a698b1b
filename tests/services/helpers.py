"""Small builders shared by the service tests: everything through the workspace."""

from sqlalchemy import func, select

from gpaitracker import parse
from gpaitracker.enums import Entity, Role
from gpaitracker.models import AuditEvent, Comment, Requirement
from gpaitracker.services import ai_models, lookup, people
from gpaitracker.services.workspace import Workspace

ADMIN_EMAIL = "ada@provider.eu"


def add_people(ws: Workspace, admin=None):
    for name, email, role in (
        ("Olga", "olga@provider.eu", Role.OFFICER),
        ("Rita", "rita@provider.eu", Role.REVIEWER),
        ("Eve", "eve@provider.eu", Role.EXECUTIVE),
    ):
        ws.write(people.add_person, name=name, email=email, role=role)


def add_model(ws: Workspace, admin=None, name="Atlas 2", **kw) -> int:
    """Add a model; text values are parsed as the doors would. Returns the model id."""
    placed = parse.date(kw.pop("placed_on_market", "2025-09-01"), "placed-on-market date")
    if "training_flop" in kw:
        kw["training_flop"] = parse.flop(kw["training_flop"])
    if isinstance(kw.get("threshold_date"), str):
        kw["threshold_date"] = parse.date(kw["threshold_date"], "threshold date")
    changes = ws.write(ai_models.add_model, name=name, placed_on_market=placed, **kw)
    return changes.created_id(Entity.MODEL)


def as_person(ws: Workspace, email: str) -> Workspace:
    """The same register, acting as someone else."""
    other = Workspace(ws.register, email)
    return other


def item_id(ws: Workspace, key: str) -> int:
    return ws.read(lookup.requirement_id, key=key)


def person_id(ws: Workspace, email: str) -> int:
    return ws.read(lookup.person_id, email=email)


def snapshot(ws_or_register):
    """Everything a failed write must leave unchanged."""
    register = getattr(ws_or_register, "register", ws_or_register)
    with register.engine.connect() as conn:
        events = conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        comments = conn.execute(select(func.count()).select_from(Comment)).scalar_one()
        items = conn.execute(
            select(
                Requirement.id,
                Requirement.status,
                Requirement.owner_id,
                Requirement.reviewer_id,
                Requirement.due_date,
                Requirement.approved_by,
                Requirement.row_version,
            ).order_by(Requirement.id)
        ).all()
    return events, comments, items
