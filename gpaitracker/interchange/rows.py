"""Spreadsheet rows to edits: each row parsed once into typed values, or rejected with why.

Nothing here looks at the register; the import service compares the edits with it and
applies them through the write services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gpaitracker import parse
from gpaitracker.enums import Role
from gpaitracker.errors import Cancelled, ValidationError
from gpaitracker.interchange import cells
from gpaitracker.interchange.fields import PEOPLE_COLUMNS, require_key, resolve
from gpaitracker.interchange.readers import Sheet


@dataclass(frozen=True)
class Edit:
    """One row: what it names (an item key or an email) and the values it gives, by field."""

    sheet: str
    row: int
    label: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejected:
    sheet: str
    row: int
    label: str
    reason: str


def _cell(cells_: list[object], index: int | None) -> object:
    if index is None or index >= len(cells_):
        return None
    return cells_[index]


def _key(values: list[object], cols: Mapping[str, int]) -> str:
    if "key" in cols:
        raw = cells.text(_cell(values, cols["key"]), "key").strip()
    else:
        model = cells.text(_cell(values, cols["model"]), "model").strip().lower()
        code = cells.text(_cell(values, cols["code"]), "code").strip()
        raw = f"{model}/{code}" if model or code else ""
    if not raw:
        raise ValidationError("key is empty")
    return str(parse.item_key(raw))


def _item_values(values: list[object], cols: Mapping[str, int]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in ("owner", "reviewer"):
        if name in cols:
            out[name] = cells.email(_cell(values, cols[name]), name)
    if "due" in cols:
        out["due"] = cells.date(_cell(values, cols["due"]), "due date")
    for name, convert in (("status", parse.status), ("priority", parse.priority)):
        if name in cols:
            raw = cells.text(_cell(values, cols[name]), name).strip()
            if raw:
                out[name] = convert(raw)
    if "note" in cols:
        note = cells.text(_cell(values, cols["note"]), "note")
        if note.strip() not in ("", "-"):  # "-" stands for no note, as in the other columns
            out["note"] = note
    return out


def item_edits(
    sheet: Sheet,
    mapping: Mapping[str, str] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[list[Edit], list[Rejected]]:
    """Parse every row of the items table; a key seen twice rejects the later rows."""
    cols = resolve(sheet.headers, mapping)
    require_key(cols, sheet.headers)
    edits: list[Edit] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    for n, (number, values) in enumerate(sheet.rows):
        if cancelled is not None and n % 2000 == 0 and cancelled():
            raise Cancelled("the import was cancelled; nothing was changed")
        label = _label(values, cols)
        try:
            key = _key(values, cols)
            if key in seen:
                raise ValidationError(f"key {key} is also on row {seen[key]}")
            seen[key] = number
            edits.append(Edit(sheet.name, number, key, _item_values(values, cols)))
        except ValidationError as exc:
            rejected.append(Rejected(sheet.name, number, label, str(exc)))
    return edits, rejected


def _label(values: list[object], cols: Mapping[str, int]) -> str:
    index = cols.get("key", cols.get("code"))
    raw = _cell(values, index)
    return raw if isinstance(raw, str) else ""


def person_edits(sheet: Sheet) -> tuple[list[Edit], list[Rejected]]:
    """The people sheet: email, name, role, active (missing columns are left as they are)."""
    cols = resolve(sheet.headers, None, PEOPLE_COLUMNS)
    if "email" not in cols:
        shown = ", ".join(parse.show(h) for h in sheet.headers)
        raise ValidationError(f"sheet {sheet.name!r} has no email column; columns: {shown}")
    edits: list[Edit] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    for number, values in sheet.rows:
        label = str(_cell(values, cols["email"]) or "")
        try:
            email = cells.email(_cell(values, cols["email"]), "email")
            if email is None:
                raise ValidationError("email is empty")
            if email in seen:
                raise ValidationError(f"email {email} is also on row {seen[email]}")
            seen[email] = number
            edits.append(Edit(sheet.name, number, email, _person_values(values, cols)))
        except ValidationError as exc:
            rejected.append(Rejected(sheet.name, number, label, str(exc)))
    return edits, rejected


def _person_values(values: list[object], cols: Mapping[str, int]) -> dict[str, object]:
    out: dict[str, object] = {}
    if "name" in cols:
        name = cells.text(_cell(values, cols["name"]), "name").strip()
        if name:
            out["name"] = name
    if "role" in cols:
        raw = cells.text(_cell(values, cols["role"]), "role").strip()
        if raw:
            out["role"] = Role(parse.role(raw))
    if "active" in cols and not cells.is_empty(_cell(values, cols["active"])):
        out["active"] = cells.flag(_cell(values, cols["active"]), "active")
    return out
