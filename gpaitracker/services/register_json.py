"""The whole register as one JSON document for other tools (schema: docs/json-export.md).

Every table is written row by row with its columns as they are stored (dates and times in
ISO 8601, enums as their values); items also carry their key, and the audit trail is
represented by its length and head, which `audit --verify --head` can check later.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from gpaitracker import __version__, audit
from gpaitracker.models import (
    AIModel,
    Catalogue,
    Comment,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    Organisation,
    Person,
    ReportRecord,
    Requirement,
)
from gpaitracker.services.register import requirement_key

SCHEMA = "gpaitracker-register"
SCHEMA_VERSION = 1
SECTIONS: dict[str, Any] = {
    "organisation": Organisation,
    "people": Person,
    "models": AIModel,
    "catalogues": Catalogue,
    "items": Requirement,
    "comments": Comment,
    "evidence": Evidence,
    "evidence_revisions": EvidenceRevision,
    "evidence_links": EvidenceLink,
    "reports": ReportRecord,
}
LEFT_OUT = {"row_version"}  # locking counters: no meaning outside the register


def _value(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        at = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return at.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rows(session: Session, table: Table) -> list[dict[str, object]]:
    columns = [c for c in table.c if c.name not in LEFT_OUT]
    order = [c for c in table.primary_key.columns]
    result = session.execute(select(*columns).order_by(*order))
    names = [c.name for c in columns]
    return [{n: _value(v) for n, v in zip(names, row, strict=True)} for row in result]


def document(*, session: Session, now: dt.datetime | None = None) -> dict[str, Any]:
    """The register as a JSON-ready dict."""
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "app_version": __version__,
        "exported_at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
    }
    for name, model in SECTIONS.items():
        doc[name] = _rows(session, model.__table__)
    slugs = {m["id"]: m["slug"] for m in doc["models"]}
    for item in doc["items"]:
        item["key"] = requirement_key(
            str(slugs[item["model_id"]]), item["code"], item["occurrence"]
        )
    head = audit.head(session)
    doc["audit"] = {
        "events": head.count if head is not None else 0,
        "head": {"id": head.id, "hash": head.hash} if head is not None else None,
    }
    return doc


def write_json(doc: dict[str, Any], out: Path) -> None:
    from gpaitracker.services.interchange_export import write_bytes

    body = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    write_bytes(out, body)
