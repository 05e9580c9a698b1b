"""Replaying the audit trail: do the tables hold what the trail says they should?

A change made directly in the database file (a status set by hand, an auditor promoted to
admin, an evidence revision pointed at another stored file, events deleted) leaves the hash
chain intact but the tables disagreeing with it. This walks every event once, in order, and
compares the values it ends with to the rows, field by field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from gpaitracker.audit import value_text
from gpaitracker.enums import Priority, Role, Status

# Fields the trail records, per entity: table column -> audit field names that set it.
TRACKED: dict[str, dict[str, tuple[str, ...]]] = {
    "requirement": {
        "status": ("status",),
        "due_date": ("due_date",),
        "priority": ("priority",),
        "owner_id": ("owner", "owner_id"),
        "reviewer_id": ("reviewer", "reviewer_id"),
        "applicable": ("applicable",),
        "withdrawn": ("withdrawn", "merged_into"),
        "na_justification": ("na_justification",),
    },
    "person": {"name": ("name",), "email": ("email",), "role": ("role",), "active": ("active",)},
    "model": {
        "name": ("name",),
        "version": ("version",),
        "placed_on_market": ("placed_on_market",),
        "training_flop": ("training_flop",),
        "open_source": ("open_source",),
        "designated_systemic_risk": ("designated_systemic_risk",),
        "threshold_date": ("threshold_date",),
        "notes": ("notes",),
        "retired": ("retired",),
    },
    "organisation": {
        "name": ("name",),
        "non_eu": ("non_eu",),
        "sme": ("sme",),
        "signatory": ("signatory",),
    },
    "evidence": {
        "title": ("title",),
        "url": ("url",),
        "valid_from": ("valid_from",),
        "valid_until": ("valid_until",),
        "description": ("description",),
    },
}
TABLES = {
    "requirement": "requirement",
    "person": "person",
    "model": "ai_model",
    "organisation": "organisation",
    "evidence": "evidence",
}
# What a field holds when the trail never set it (the row's creation default).
DEFAULTS: dict[str, dict[str, str | None]] = {
    "requirement": {
        "status": "not_started",
        "priority": "medium",
        "owner_id": None,
        "reviewer_id": None,
        "applicable": "true",
        "withdrawn": "false",
        "na_justification": "",
    },
    "person": {"active": "true"},
}
ENUMS = {
    ("requirement", "status"): Status,
    ("requirement", "priority"): Priority,
    ("requirement", "review_outcome"): Status,
    ("person", "role"): Role,
}
_PERSON_FIELDS = {"owner", "reviewer", "approved_by"}


@dataclass(frozen=True)
class Finding:
    kind: str  # "differs", "no trail", "invalid value", "revision"
    message: str


class _Trail:
    """The values the trail ends with, per (entity, row id)."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, int], dict[str, str | None]] = {}
        self.email_owner: dict[str, int] = {}  # email -> person id, as the trail goes
        self.revisions: dict[tuple[int, int], str] = {}  # (evidence, number) -> "sha size"
        self.comments: dict[int, list[str]] = {}  # requirement id -> texts, in order

    def apply(
        self, entity: str, row_id: int, label: str, action: str, field: str, new: str | None
    ) -> None:
        key = (entity, row_id)
        values = self.values.get(key)
        if values is None:
            values = self.values[key] = {}
        column = COLUMN_OF.get((entity, field))
        if column is not None and entity != "person" and field not in _SPECIAL:
            values[column] = new  # the common case, kept short: it runs once per event
            return
        if entity == "person":
            if not values:
                self.email_owner[label] = row_id
                values["email"] = label
            if field == "email" and new:
                self.email_owner[new] = row_id
        if entity == "evidence" and action == "revise" and field.startswith("revision "):
            number = field.removeprefix("revision ")
            if number.isdigit() and new:
                self.revisions[(row_id, int(number))] = " ".join(new.split(" ")[:2])
            return
        if entity == "requirement" and action == "comment":
            self.comments.setdefault(row_id, []).append(new or "")
            return
        if column is None:
            return
        if field == "merged_into":
            new = "true"
        elif field in _PERSON_FIELDS:
            # Older events name people by email; map to the person who had it then.
            new = None if new is None else str(self.email_owner.get(new, f"email {new}"))
        values[column] = new


# (entity, audit field) -> table column it sets
COLUMN_OF = {
    (entity, field): column
    for entity, columns in TRACKED.items()
    for column, fields in columns.items()
    for field in fields
}
_SPECIAL = _PERSON_FIELDS | {"merged_into"}


def _events(conn: Connection, batch: int = 50_000) -> Iterator[tuple[Any, ...]]:
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(
            "SELECT entity, row_id, label, action, field, new_value FROM audit_event "
            "WHERE row_id IS NOT NULL ORDER BY id"
        )
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def replay(conn: Connection, progress: Callable[[int], None] | None = None) -> list[Finding]:
    """Every row whose values differ from the trail, rows with no trail, and bad values."""
    findings = _invalid_values(conn)
    trail = _Trail()
    apply = trail.apply
    for n, event in enumerate(_events(conn), 1):
        apply(*event)
        if progress is not None and n % 100_000 == 0:
            progress(n)
    for entity, table in TABLES.items():
        findings += _compare(conn, trail, entity, table)
    findings += _compare_revisions(conn, trail)
    findings += _compare_comments(conn, trail)
    return findings


def _compare_comments(conn: Connection, trail: _Trail) -> list[Finding]:
    """Comments people wrote are append-only: the thread must be exactly what was recorded."""
    threads: dict[int, list[str]] = {}
    written_by_people = "kind IN ('comment', 'status')"
    rows: Any = conn.execute(
        text(f"SELECT requirement_id, text FROM comment WHERE {written_by_people} ORDER BY id")
    )
    for requirement_id, body in rows:
        threads.setdefault(int(requirement_id), []).append(str(body))
    out = []
    for requirement_id in sorted(set(threads) | set(trail.comments)):
        if threads.get(requirement_id, []) != trail.comments.get(requirement_id, []):
            out.append(
                Finding(
                    "differs",
                    f"requirement {requirement_id}: its comment thread "
                    "differs from the comments the audit trail recorded",
                )
            )
    return out


def _compare(conn: Connection, trail: _Trail, entity: str, table: str) -> list[Finding]:
    columns = list(TRACKED[entity])
    label = {
        "requirement": "id",
        "person": "email",
        "model": "slug",
        "organisation": "name",
        "evidence": "title",
    }[entity]
    rows = conn.execute(text(f"SELECT id, {label}, {', '.join(columns)} FROM {table}"))
    out = []
    defaults = DEFAULTS.get(entity, {})
    for row in rows:
        row_id, shown = row[0], row[1]
        recorded = trail.values.get((entity, row_id))
        what = f"{entity} {row_id}" + (f" ({shown})" if entity != "requirement" else "")
        if recorded is None:
            out.append(Finding("no trail", f"{what}: no audit event records this row"))
            continue
        for column, value in zip(columns, row[2:], strict=True):
            expected = recorded[column] if column in recorded else defaults.get(column, "?")
            if expected == "?":
                continue  # the trail never said; nothing to compare
            actual = _normalise(column, value)
            same_number = (
                column == "training_flop"
                and expected is not None
                and actual is not None
                and float(expected) == float(actual)
            )
            if same_number:
                continue
            if actual != expected:
                out.append(
                    Finding(
                        "differs",
                        f"{what}: {column} is {actual!r} in the table but "
                        f"the audit trail says {expected!r}",
                    )
                )
    return out


BOOLEANS = frozenset(
    {
        "applicable",
        "withdrawn",
        "active",
        "open_source",
        "retired",
        "designated_systemic_risk",
        "non_eu",
        "sme",
        "signatory",
    }
)


def _normalise(column: str, value: object) -> str | None:
    if column in BOOLEANS and value in (0, 1):  # SQLite keeps booleans as 0/1
        return value_text(bool(value))
    return value_text(value)


def _compare_revisions(conn: Connection, trail: _Trail) -> list[Finding]:
    out = []
    rows: Any = conn.execute(
        text("SELECT evidence_id, number, sha256, size FROM evidence_revision")
    )
    for evidence_id, number, sha256, size in rows:
        recorded = trail.revisions.get((int(evidence_id), int(number)))
        actual = f"{sha256} {size}"
        if recorded is None:
            out.append(
                Finding(
                    "no trail",
                    f"evidence {evidence_id} revision {number}: no audit event records it",
                )
            )
        elif recorded != actual:
            out.append(
                Finding(
                    "revision",
                    f"evidence {evidence_id} revision {number}: points to "
                    f"file {sha256[:12]}… but the audit trail recorded "
                    f"{recorded.split(' ')[0][:12]}…",
                )
            )
    return out


def _invalid_values(conn: Connection) -> list[Finding]:
    out = []
    for (entity, column), enum in ENUMS.items():
        allowed = ", ".join(f"'{m.value}'" for m in enum)
        table = TABLES[entity]
        query = f"SELECT id, {column} FROM {table} WHERE {column} NOT IN ({allowed})"
        if column == "review_outcome":
            query += " AND review_outcome IS NOT NULL"
        for row_id, value in conn.execute(text(query)):
            out.append(
                Finding(
                    "invalid value",
                    f"{entity} {row_id}: {column} {value!r} is not "
                    f"one of {', '.join(m.value for m in enum)}",
                )
            )
    return out
