"""Input checks shared by the services; each error names the field and the value."""

from __future__ import annotations

import re

from gpaitracker.errors import PermissionDenied, ValidationError
from gpaitracker.models import Person, Role

MAX_NOTE_CHARS = 20_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
WRITER_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.REVIEWER})


def _preview(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def text(value: object, field: str, *, max_chars: int = 300, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} {value!r} is not text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"{field} {_preview(value)} is not valid UTF-8 text") from None
    if "\x00" in value:
        raise ValidationError(f"{field} {_preview(value)} contains a NUL character")
    if len(value) > max_chars:
        raise ValidationError(f"{field} is {len(value)} characters long; the limit is {max_chars}")
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{field} must not be empty")
    return value


def email(value: object, field: str = "email") -> str:
    value = text(value, field, max_chars=254, required=True).lower()
    if not _EMAIL.match(value):
        raise ValidationError(f"{field} {value!r} is not an email address")
    return value


def role(value: object) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationError(f"role {value!r} is not one of: {allowed}") from None


def require_writer(actor: Person) -> None:
    if not actor.active:
        raise PermissionDenied(f"person {actor.email} is inactive and cannot change the register")
    if actor.role not in WRITER_ROLES:
        raise PermissionDenied(f"person {actor.email} has role {actor.role}, which is read-only")


def require_admin(actor: Person) -> None:
    require_writer(actor)
    if actor.role != Role.ADMIN:
        raise PermissionDenied(f"person {actor.email} must be an admin for this change")
