"""The columns of the exported sheets, and mapping a foreign spreadsheet's columns onto them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from gpaitracker.errors import ValidationError
from gpaitracker.parse import show

# The items sheet, in order. Editable columns are read back on import; the others are there
# for people to read and are ignored when a file comes back.
ITEM_COLUMNS = (
    "key",
    "model",
    "code",
    "title",
    "chapter",
    "status",
    "rag",
    "priority",
    "owner",
    "reviewer",
    "due",
    "note",
    "evidence",
    "applies",
    "version",
)
ITEM_EDITABLE = ("owner", "reviewer", "due", "status", "priority", "note")
ITEM_FIELDS = ("key", "model", "code", *ITEM_EDITABLE)  # what a column may be mapped to
PEOPLE_COLUMNS = ("email", "name", "role", "active")
EVIDENCE_COLUMNS = (
    "id",
    "title",
    "kind",
    "url",
    "valid_from",
    "valid_until",
    "revision",
    "sha256",
    "size",
    "file_name",
    "items",
)
IGNORE = "-"  # map a column to this to leave it out

# Column names other spreadsheets use for the same thing (compared folded, see _fold).
ALIASES: dict[str, str] = {
    "item": "key",
    "item key": "key",
    "id": "key",
    "model slug": "model",
    "obligation": "code",
    "measure": "code",
    "requirement": "code",
    "catalogue code": "code",
    "assignee": "owner",
    "owner email": "owner",
    "responsible": "owner",
    "reviewer email": "reviewer",
    "due date": "due",
    "deadline": "due",
    "due on": "due",
    "state": "status",
    "notes": "note",
    "comment": "note",
    "comments": "note",
}


class ColumnsError(ValidationError):
    """The file's columns do not say where the key or a field is: a column mapping is needed."""


def _fold(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().casefold())


def parse_map_option(pairs: Iterable[str]) -> dict[str, str]:
    """'Source column=field' pairs (from --map or a mapping file) to a dict."""
    out: dict[str, str] = {}
    for pair in pairs:
        source, sep, field = pair.rpartition("=")
        source, field = source.strip(), field.strip().lower()
        if not sep or not source:
            raise ValidationError(f"mapping {show(pair)} is not like 'Column name=field'")
        if field != IGNORE and field not in ITEM_FIELDS:
            allowed = ", ".join(ITEM_FIELDS)
            raise ValidationError(
                f"mapping {show(pair)}: field {show(field)} is not one of: {allowed} (or -)"
            )
        out[source] = field
    return out


def parse_map_file(text: str) -> dict[str, str]:
    """A mapping file: one 'Source column=field' per line; # starts a comment."""
    lines = [line.strip() for line in text.splitlines()]
    return parse_map_option(line for line in lines if line and not line.startswith("#"))


def resolve(
    headers: Sequence[str],
    explicit: Mapping[str, str] | None = None,
    fields: Sequence[str] = ITEM_FIELDS,
) -> dict[str, int]:
    """Field -> column index: explicit mapping first, then the field's name or an alias."""
    explicit = explicit or {}
    folded_explicit = {_fold(k): v for k, v in explicit.items()}
    unknown = [k for k in explicit if _fold(k) not in {_fold(h) for h in headers}]
    if unknown:
        raise ColumnsError(
            f"mapping names column {show(unknown[0])}, which the file does not have "
            f"(columns: {', '.join(show(h) for h in headers)})"
        )
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = _fold(header)
        field = folded_explicit.get(name)
        if field is None:
            field = (
                name.replace(" ", "_") if name.replace(" ", "_") in fields else ALIASES.get(name)
            )
        if field is None or field == IGNORE or field not in fields:
            continue
        if field in found:
            raise ColumnsError(
                f"columns {show(headers[found[field]])} and {show(header)} both give the "
                f"{field}; map one of them to '-'"
            )
        found[field] = index
    return found


def require_key(found: Mapping[str, int], headers: Sequence[str]) -> None:
    """An items table needs a key column, or model and code columns."""
    if "key" in found or ("model" in found and "code" in found):
        return
    shown = ", ".join(show(h) for h in headers) or "none"
    raise ColumnsError(
        f"the file has no key column (nor model and code columns); columns found: {shown}. "
        "Map one with --map 'Column name=key'"
    )
