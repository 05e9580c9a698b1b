"""What a catalogue file must satisfy before it may change the register.

A catalogue decides which obligations every model carries, so a file is trusted only as far
as it can be checked: the ids of the built-in catalogues belong to the files shipped with the
app, a new version must say it continues the version in use, and its codes must be its own.
"""

from __future__ import annotations

import functools

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpaitracker import catalogue as catalogue_files
from gpaitracker.catalogue import CatalogueFile
from gpaitracker.errors import NotFoundError, ValidationError
from gpaitracker.models import Catalogue, CatalogueEntry


@functools.cache
def _shipped() -> tuple[CatalogueFile, ...]:
    return tuple(catalogue_files.shipped())


def builtin_ids() -> frozenset[str]:
    """The ids of the catalogues shipped with the app."""
    return frozenset(c.id for c in _shipped())


def is_builtin_id(catalogue_id: str) -> bool:
    return catalogue_id.casefold() in {i.casefold() for i in builtin_ids()}


def newest_builtin(catalogue_id: str) -> CatalogueFile:
    """The newest shipped version of a built-in catalogue."""
    versions = [c for c in _shipped() if c.id == catalogue_id]  # oldest first
    if not versions:
        known = ", ".join(sorted(builtin_ids()))
        raise NotFoundError(f"catalogue {catalogue_id!r} is not built in (built-in: {known})")
    return versions[-1]


def is_genuine_builtin(catalogue_id: str, sha256: str) -> bool:
    """Whether these bytes are those of a file shipped under this id."""
    return any(c.id == catalogue_id and c.sha256 == sha256 for c in _shipped())


def genuine(new: CatalogueFile) -> CatalogueFile:
    """The catalogue to install for `new`: under a built-in id only a shipped file, and then
    the shipped file itself (whatever object the caller built), else `new` unchanged."""
    if not is_builtin_id(new.id):
        return new
    for cat in _shipped():
        if cat.id == new.id and cat.sha256 == new.sha256:
            return cat
    raise ValidationError(
        f"catalogue {new.source}: id {new.id!r} belongs to a built-in catalogue; only the "
        "files shipped with the app load under it (give your catalogue its own id)"
    )


def check_codes_are_its_own(session: Session, new: CatalogueFile) -> None:
    """A code already used by another catalogue would make keys and look-ups ambiguous."""
    c, e = Catalogue.__table__.c, CatalogueEntry.__table__.c  # type: ignore[attr-defined]
    codes = [entry.code for entry in new.entries]
    taken = session.execute(
        select(e.code, c.catalogue_id)
        .join(Catalogue, c.id == e.catalogue_pk)
        .where(c.catalogue_id != new.id, e.code.in_(codes))
        .order_by(e.code)
        .limit(1)
    ).first()
    if taken is not None:
        raise ValidationError(
            f"catalogue {new.source}: entry {taken.code}: code {taken.code} is already used "
            f"by catalogue {taken.catalogue_id}"
        )


def check_continues(new: CatalogueFile, current: Catalogue, old_codes: set[str]) -> None:
    """A new version's [upgrade] must start from the version in use and name its codes."""
    if not new.upgrades:
        return
    upgrade = new.upgrade_from(current.version)
    if upgrade is None:
        froms = ", ".join(repr(u.from_version) for u in new.upgrades)
        raise ValidationError(
            f"catalogue {new.id} version {new.version} upgrades from version "
            f"{froms} ([upgrade] from_version), but the register uses "
            f"version {current.version!r}"
        )
    named = sorted((set(upgrade.mapping) | upgrade.withdrawn) - old_codes)
    if named:
        shown = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
        raise ValidationError(
            f"catalogue {new.id} version {new.version}: [upgrade] names code(s) {shown}, "
            f"which version {current.version} in use does not have"
        )
