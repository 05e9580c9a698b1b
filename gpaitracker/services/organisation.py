"""The organisation profile: the provider whose obligations the register tracks."""

from __future__ import annotations

from sqlmodel import Session, select

from gpaitracker import audit, validation
from gpaitracker.audit import Change
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import AIModel, Organisation, Person
from gpaitracker.services import catalogues, people, scope


def get(*, session: Session) -> Organisation:
    org = session.exec(select(Organisation)).first()
    if org is None:
        raise NotFoundError("the register has no organisation yet; run 'gpaitracker init' first")
    return org


def exists(*, session: Session) -> bool:
    return session.exec(select(Organisation.id)).first() is not None


def create_register(
    *,
    session: Session,
    name: str,
    admin_name: str,
    admin_email: str,
    non_eu: bool = False,
    sme: bool = False,
    signatory: bool = False,
    pinned_catalogues: dict[str, str] | None = None,
) -> tuple[Organisation, Person]:
    """Create the organisation, its first admin, and load the built-in catalogues."""
    if exists(session=session):
        raise ValidationError("organisation already exists in this register")
    org_name = validation.text(name, "organisation", max_chars=200, required=True)
    admin = people.bootstrap_admin(session=session, name=admin_name, email=admin_email)
    org = Organisation(name=org_name, non_eu=non_eu, sme=sme, signatory=signatory)
    session.add(org)
    session.flush()
    audit.record(
        session,
        admin.email,
        [
            Change("create", "organisation", str(org.id), "name", None, org.name),
            Change("create", "organisation", str(org.id), "non_eu", None, non_eu),
            Change("create", "organisation", str(org.id), "sme", None, sme),
            Change("create", "organisation", str(org.id), "signatory", None, signatory),
        ],
    )
    catalogues.install_shipped(session=session, actor=admin, pinned=pinned_catalogues)
    return org, admin


def update(
    *,
    session: Session,
    actor: Person,
    confirm: bool = True,
    name: str | None = None,
    non_eu: bool | None = None,
    sme: bool | None = None,
    signatory: bool | None = None,
) -> tuple[Organisation, list[scope.ScopePlan], bool]:
    """Change the profile; flags that change what applies need confirm=True to be applied."""
    validation.require_admin(actor)
    org = get(session=session)
    changes: list[Change] = []
    new_name = org.name
    if name is not None:
        new_name = validation.text(name, "organisation", max_chars=200, required=True)
        if new_name != org.name:
            changes.append(
                Change("update", "organisation", str(org.id), "name", org.name, new_name)
            )
    flags = {"non_eu": non_eu, "sme": sme, "signatory": signatory}
    flags = {k: v for k, v in flags.items() if v is not None and getattr(org, k) != v}
    for flag, flag_value in flags.items():
        changes.append(
            Change("update", "organisation", str(org.id), flag, getattr(org, flag), flag_value)
        )
    plans = []
    for model in session.exec(select(AIModel).order_by(AIModel.slug)).all():
        facts = scope.threshold_default(scope.facts_with(org, model, **flags))
        plans.append((model, facts, scope.plan(session=session, model=model, facts=facts)))
    visible = [p for _, _, p in plans if not p.empty]
    if visible and not confirm:
        return org, visible, False
    org.name = new_name
    for flag, flag_value in flags.items():
        setattr(org, flag, flag_value)
    if changes:
        session.add(org)
        session.flush()
        audit.record(session, actor.email, changes)
    for model, facts, plan in plans:
        if not plan.empty:
            scope.apply(session=session, actor=actor, model=model, facts=facts, scope=plan)
    return org, visible, True
