"""The organisation profile: the provider whose obligations the register tracks."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy.orm import Session
from sqlmodel import select

from gpaitracker import audit, rules, validation
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import AIModel, Organisation
from gpaitracker.services import catalogues, people, scope
from gpaitracker.services.register import check_version

ORG = Entity.ORGANISATION


class OrganisationRow(NamedTuple):
    id: int
    name: str
    non_eu: bool
    sme: bool
    signatory: bool
    version: int
    updated_at: dt.datetime


def load(session: Session) -> Organisation:
    """The organisation row itself, for services."""
    org = session.scalars(select(Organisation)).first()
    if org is None:
        raise NotFoundError("the register has no organisation yet; create the register first")
    return org


def get(*, session: Session) -> OrganisationRow:
    o = load(session)
    assert o.id is not None
    return OrganisationRow(o.id, o.name, o.non_eu, o.sme, o.signatory, o.row_version, o.updated_at)


def exists(*, session: Session) -> bool:
    return session.scalars(select(Organisation.id)).first() is not None


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
) -> Changes:
    """Create the organisation, its first admin, and load the built-in catalogues.

    The one write without an acting person: it only runs on an empty register.
    """
    if exists(session=session):
        raise ValidationError("organisation already exists in this register")
    org_name = validation.text(name, "organisation", max_chars=200, required=True)
    admin = people.bootstrap_admin(session=session, name=admin_name, email=admin_email)
    org = Organisation(name=org_name, non_eu=non_eu, sme=sme, signatory=signatory)
    session.add(org)
    session.flush()
    label = org_name
    audit.record(
        session,
        admin,
        [
            Change("create", ORG, org.id, label, field, None, value)
            for field, value in (
                ("name", org.name),
                ("non_eu", non_eu),
                ("sme", sme),
                ("signatory", signatory),
            )
        ],
    )
    catalogues.install_shipped(session=session, actor=admin, pinned=pinned_catalogues)
    return audit.change_set(session)


def _flags(org: Organisation, **wanted: bool | None) -> dict[str, bool]:
    return {k: v for k, v in wanted.items() if v is not None and getattr(org, k) != v}


def _plans(
    session: Session, org: Organisation, flags: dict[str, bool]
) -> list[tuple[AIModel, rules.Facts, scope.ScopePlan]]:
    out = []
    for model in session.scalars(select(AIModel).order_by(AIModel.slug)).all():
        facts = scope.facts_with(org, model, **flags)
        out.append((model, facts, scope.plan(session=session, model=model, facts=facts)))
    return out


def preview_update(
    *,
    session: Session,
    non_eu: bool | None = None,
    sme: bool | None = None,
    signatory: bool | None = None,
) -> list[scope.ScopePlan]:
    """What changing these flags would change in each model's register (empty: nothing)."""
    org = load(session)
    flags = _flags(org, non_eu=non_eu, sme=sme, signatory=signatory)
    return [p for _, _, p in _plans(session, org, flags) if not p.empty]


@write_service(Permission.ADMIN)
def update(
    *,
    session: Session,
    actor: Actor,
    name: str | None = None,
    non_eu: bool | None = None,
    sme: bool | None = None,
    signatory: bool | None = None,
    confirm: bool = False,
    expected_version: int | None = None,
) -> Changes:
    """Change the profile. Flags that change what applies need confirm=True (preview first)."""
    org = load(session)
    assert org.id is not None
    check_version(session, ORG, org.id, org.name, org.row_version, expected_version)
    changes: list[Change] = []
    label = org.name
    if name is not None:
        new_name = validation.text(name, "organisation", max_chars=200, required=True)
        if new_name != org.name:
            changes.append(Change("update", ORG, org.id, label, "name", org.name, new_name))
            org.name = new_name
    flags = _flags(org, non_eu=non_eu, sme=sme, signatory=signatory)
    plans = _plans(session, org, flags)
    visible = [p for _, _, p in plans if not p.empty]
    if visible and not confirm:
        raise ValidationError(
            f"this change alters what applies to {len(visible)} model(s); "
            "review the preview and confirm it"
        )
    for flag, value in flags.items():
        changes.append(Change("update", ORG, org.id, label, flag, getattr(org, flag), value))
        setattr(org, flag, value)
    if changes:
        session.add(org)
        session.flush()
        audit.record(session, actor, changes)
    for model, facts, plan in plans:
        if not plan.empty:
            scope.apply(session=session, actor=actor, model=model, facts=facts, scope=plan)
    return audit.change_set(session)
