"""Exporting a frozen Model Documentation Form for one audience: JSON and PDF, as evidence.

Checks first (a frozen version, the audience, new file names), then writes both files, files
each as evidence on the model's documentation items (COP-T-1.1, and AIA-53-1-a for the
authorities or AIA-53-1-b for downstream providers) and records their SHA-256 on the version.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from gpaitracker import mdf_form, mdf_pdf
from gpaitracker.enums import Entity
from gpaitracker.errors import StorageError, ValidationError
from gpaitracker.models import Requirement
from gpaitracker.services import evidence, evidence_import, mdf, organisation
from gpaitracker.services.workspace import Workspace

ITEM_CODES = {
    "aio": ("COP-T-1.1", "AIA-53-1-a"),
    "nca": ("COP-T-1.1", "AIA-53-1-a"),
    "downstream": ("COP-T-1.1", "AIA-53-1-b"),
}


class Exported(NamedTuple):
    version: int
    files: tuple[Path, ...]
    sha256: dict[str, str]  # "json"/"pdf" -> digest
    evidence_ids: tuple[int, ...]
    items: tuple[int, ...]  # register items the files were filed on


def target_items(*, session: Session, model_id: int, audience: str) -> list[int]:
    """The model's applicable documentation items for this audience's copy."""
    out = []
    for code in ITEM_CODES[mdf_form.audience(audience)]:
        found = session.execute(
            select(col(Requirement.id))
            .where(
                col(Requirement.model_id) == model_id,
                col(Requirement.code) == code,
                col(Requirement.applicable).is_(True),
                col(Requirement.withdrawn).is_(False),
            )
            .order_by(col(Requirement.occurrence).desc())
            .limit(1)
        ).scalar()
        if found is not None:
            out.append(int(found))
    return out


def _provider(*, session: Session) -> str:
    return organisation.load(session).name


def export(
    ws: Workspace,
    *,
    model_id: int,
    audience: str,
    out_dir: Path,
    number: int | None = None,
) -> Exported:
    who = mdf_form.audience(audience)
    version = ws.read(mdf.check_exportable, model_id=model_id, number=number)
    copy = ws.read(mdf.view, model_id=model_id, audience=who, number=version)
    items = ws.read(target_items, model_id=model_id, audience=who)
    if not out_dir.is_dir():
        raise ValidationError(f"output folder {str(out_dir)!r} is not a folder")
    stem = f"{copy.model}-mdf-v{version}-{who}"
    paths = {"json": out_dir / f"{stem}.json", "pdf": out_dir / f"{stem}.pdf"}
    for path in paths.values():
        if path.exists():
            raise ValidationError(f"file {str(path)!r} already exists; nothing was written")
    document = {
        "form": "Model Documentation Form (GPAI Code of Practice, Transparency chapter)",
        "provider": ws.read(_provider),
        **copy.as_dict(),
    }
    data = {
        "json": json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True).encode(),
        "pdf": mdf_pdf.render(
            mdf_pdf.FormCopy(
                provider=str(document["provider"]),
                model=copy.model,
                version=version,
                frozen_at=copy.frozen_at.isoformat() if copy.frozen_at else "",
                audience=who,
                fields=copy.fields,
                missing=copy.missing,
            )
        ),
    }
    for kind, path in paths.items():
        _write_new(path, data[kind])
    digests = {kind: hashlib.sha256(content).hexdigest() for kind, content in data.items()}
    evidence_ids: list[int] = []
    if items:
        for kind, path in paths.items():
            changes, _ = evidence_import.import_file(
                ws,
                requirement_id=items[0],
                path=path,
                title=f"Model Documentation Form v{version} ({who}, {kind.upper()})",
            )
            ev = changes.created_id(Entity.EVIDENCE)
            evidence_ids.append(ev)
            for other in items[1:]:
                ws.write(evidence.link, evidence_id=ev, requirement_id=other)
    ws.write(
        mdf.record_export,
        model_id=model_id,
        number=version,
        audience=who,
        digests=digests,
        evidence_ids=evidence_ids,
    )
    return Exported(version, tuple(paths.values()), digests, tuple(evidence_ids), tuple(items))


def _write_new(path: Path, content: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    except OSError as exc:
        raise StorageError(f"cannot write {str(path)!r} ({exc.strerror})") from None
    with os.fdopen(fd, "wb") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
