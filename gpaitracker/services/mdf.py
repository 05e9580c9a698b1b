"""Model Documentation Form versions: edit a draft, freeze it, read it per audience.

A version is never overwritten: editing a model whose newest version is frozen starts a new
draft from it. Versions are kept (COP-T-1.1: 10 years after placement; nothing deletes them).
Exports are in mdf_export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker import audit, mdf_form
from gpaitracker.audit import Change
from gpaitracker.authz import Actor, Permission, write_service
from gpaitracker.changes import Changes
from gpaitracker.enums import Entity
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import AIModel, MdfVersion, Person, utcnow
from gpaitracker.services.register import check_version

MDF = Entity.MDF
RETENTION_YEARS = 10


class MdfView(NamedTuple):
    """One version as one audience sees it."""

    model_id: int
    model: str  # slug
    version: int
    frozen: bool
    frozen_at: dt.datetime | None
    frozen_by: str | None
    audience: str
    fields: dict[str, object]  # name -> value at the audience's granularity (None: empty)
    missing: tuple[str, ...]
    keep_until: dt.date
    exports: dict[str, Any]

    @property
    def complete(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "version": self.version,
            "frozen": self.frozen,
            "frozen_at": self.frozen_at.isoformat() if self.frozen_at else None,
            "frozen_by": self.frozen_by,
            "audience": self.audience,
            "fields": self.fields,
            "missing": list(self.missing),
            "keep_until": self.keep_until.isoformat(),
        }


def label(slug: str, number: int) -> str:
    return f"{slug}/MDF v{number}"


def _model(session: Session, model_id: int) -> AIModel:
    model = session.get(AIModel, model_id)
    if model is None:
        raise NotFoundError(f"model id {model_id} is not in the register")
    return model


def _version(session: Session, model_id: int, number: int | None = None) -> MdfVersion | None:
    query = select(MdfVersion).where(col(MdfVersion.model_id) == model_id)
    if number is not None:
        query = query.where(col(MdfVersion.number) == number)
    return session.scalars(query.order_by(col(MdfVersion.number).desc()).limit(1)).first()


def view(*, session: Session, model_id: int, audience: str, number: int | None = None) -> MdfView:
    """A version (the newest unless given) as one audience gets it; an empty form if none."""
    who = mdf_form.audience(audience)
    model = _model(session, model_id)
    ver = _version(session, model_id, number)
    if number is not None and ver is None:
        raise NotFoundError(f"{label(model.slug, number)} does not exist")
    values: Mapping[str, object] = ver.values if ver else {}
    frozen_by = session.get(Person, ver.frozen_by) if ver and ver.frozen_by else None
    placed = model.placed_on_market
    return MdfView(
        model_id=model_id,
        model=model.slug,
        version=ver.number if ver else 0,
        frozen=bool(ver and ver.frozen),
        frozen_at=ver.frozen_at if ver else None,
        frozen_by=frozen_by.email if frozen_by else None,
        audience=who,
        fields=mdf_form.view(values, who),
        missing=tuple(mdf_form.missing(values, who)),
        keep_until=placed.replace(year=placed.year + RETENTION_YEARS)
        if not (placed.month == 2 and placed.day == 29)
        else dt.date(placed.year + RETENTION_YEARS, 2, 28),
        exports=dict(ver.exports) if ver else {},
    )


def versions(*, session: Session, model_id: int) -> list[tuple[int, bool]]:
    """Every version of the model's form: (number, frozen), oldest first."""
    query = select(MdfVersion).where(col(MdfVersion.model_id) == model_id)
    return [(v.number, v.frozen) for v in session.scalars(query.order_by(col(MdfVersion.number)))]


@write_service(Permission.EDIT)
def edit(
    *,
    session: Session,
    actor: Actor,
    model_id: int,
    values: Mapping[str, object],
    expected_version: int | None = None,
) -> Changes:
    """Set fields (None clears one) of the model's draft; a frozen newest version is kept and
    a new draft starts from it. Every value is checked before anything is written."""
    model = _model(session, model_id)
    if not values:
        raise ValidationError("no form field to change")
    clean = {name: mdf_form.parse_value(name, raw) for name, raw in values.items()}
    ver = _version(session, model_id)
    changes: list[Change] = []
    if ver is None or ver.frozen:
        number = 1 if ver is None else ver.number + 1
        ver = MdfVersion(
            model_id=model_id,
            number=number,
            values=dict(ver.values) if ver else {},
            created_by=actor.id,
        )
        session.add(ver)
        session.flush()
        changes.append(
            Change("create", MDF, ver.id, label(model.slug, number), "version", None, number)
        )
    else:
        assert ver.id is not None
        check_version(
            session, MDF, ver.id, label(model.slug, ver.number), ver.row_version, expected_version
        )
    new = dict(ver.values)
    name = label(model.slug, ver.number)
    for field, value in clean.items():
        old = new.get(field)
        if old == value:
            continue
        if value is None:
            new.pop(field, None)
        else:
            new[field] = value
        changes.append(Change("update", MDF, ver.id, name, field, old, value))
    ver.values = new
    session.add(ver)
    session.flush()
    audit.record(session, actor, changes)
    return audit.change_set(session)


@write_service(Permission.EDIT)
def freeze(*, session: Session, actor: Actor, model_id: int) -> Changes:
    """Freeze the model's draft: it can be exported and never changes again."""
    model = _model(session, model_id)
    ver = _version(session, model_id)
    if ver is None:
        raise ValidationError(f"model {model.slug} has no documentation form yet (mdf edit)")
    if ver.frozen:
        raise ValidationError(f"{label(model.slug, ver.number)} is already frozen")
    ver.frozen, ver.frozen_at, ver.frozen_by = True, utcnow(), actor.id
    session.add(ver)
    session.flush()
    name = label(model.slug, ver.number)
    audit.record(session, actor, [Change("freeze", MDF, ver.id, name, "frozen", False, True)])
    return audit.change_set(session)


def check_exportable(*, session: Session, model_id: int, number: int | None = None) -> int:
    """The frozen version to export (the newest frozen unless given); its number."""
    model = _model(session, model_id)
    query = select(MdfVersion).where(
        col(MdfVersion.model_id) == model_id, col(MdfVersion.frozen).is_(True)
    )
    if number is not None:
        query = query.where(col(MdfVersion.number) == number)
    ver = session.scalars(query.order_by(col(MdfVersion.number).desc()).limit(1)).first()
    if ver is None:
        what = f" version {number}" if number is not None else ""
        raise ValidationError(
            f"model {model.slug} has no frozen form{what}: freeze it first (mdf freeze)"
        )
    return ver.number


@write_service(Permission.EDIT)
def record_export(
    *,
    session: Session,
    actor: Actor,
    model_id: int,
    number: int,
    audience: str,
    digests: Mapping[str, str],
    evidence_ids: list[int],
) -> Changes:
    """Note on the frozen version what was exported for an audience and filed as evidence."""
    model = _model(session, model_id)
    ver = _version(session, model_id, number)
    if ver is None or not ver.frozen:
        raise ValidationError(f"{label(model.slug, number)} is not a frozen version")
    exports = dict(ver.exports)
    exports[audience] = {**digests, "evidence": evidence_ids}
    ver.exports = exports
    session.add(ver)
    session.flush()
    name = label(model.slug, number)
    shown = " ".join(f"{kind} {digest}" for kind, digest in sorted(digests.items()))
    audit.record(
        session, actor, [Change("export", MDF, ver.id, name, f"export {audience}", None, shown)]
    )
    return audit.change_set(session)
