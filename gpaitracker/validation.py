"""Input checks shared by the services; each error names the field and the value."""

from __future__ import annotations

from gpaitracker import parse
from gpaitracker.errors import ValidationError

MAX_NOTE_CHARS = 20_000


def text(value: object, field: str, *, max_chars: int = 300, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} {value!r} is not text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"{field} {parse.show(value)} is not valid UTF-8 text") from None
    if "\x00" in value:
        raise ValidationError(f"{field} {parse.show(value)} contains a NUL character")
    if len(value) > max_chars:
        raise ValidationError(f"{field} is {len(value)} characters long; the limit is {max_chars}")
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{field} must not be empty")
    return value


def email(value: object, field: str = "email") -> str:
    return parse.email(text(value, field, max_chars=254, required=True), field)
