"""Exports: the register as xlsx, CSV, an iCalendar of deadlines, or one JSON document.

The doors read a Snapshot (interchange_reads) in one transaction, then write the file from it
outside the transaction, with progress and cancel; files are written beside the target and
renamed into place, so a cancelled or failed export leaves no partial file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from gpaitracker import workflow
from gpaitracker.errors import ValidationError
from gpaitracker.interchange import ics, writers
from gpaitracker.interchange.fields import EVIDENCE_COLUMNS, ITEM_COLUMNS, PEOPLE_COLUMNS
from gpaitracker.interchange.writers import SheetSpec
from gpaitracker.services.interchange_reads import Snapshot
from gpaitracker.services.queries import RegisterRow

FORMATS = ("xlsx", "csv", "json", "ics")
Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


def item_values(row: RegisterRow, note: str) -> tuple[object, ...]:
    """One item as the items sheet shows it, in ITEM_COLUMNS order."""
    applies = row.applicable and not row.withdrawn and not row.model_retired
    return (
        row.key,
        row.model_slug,
        row.code,
        row.title,
        row.chapter or "",
        row.status.value,
        row.rag,
        row.priority.value,
        row.owner or "",
        row.reviewer or "",
        row.due,
        note,
        row.evidence_count,
        "yes" if applies else "no",
        row.version,
    )


def _items(data: Snapshot) -> Iterator[tuple[object, ...]]:
    notes = data.notes
    for row in data.items:
        yield item_values(row, notes.get(row.id, ""))


def _people(data: Snapshot) -> Iterator[tuple[object, ...]]:
    for p in data.people:
        yield (p.email, p.name, p.role.value, "yes" if p.active else "no")


def _evidence(data: Snapshot) -> Iterator[tuple[object, ...]]:
    for e in data.evidence:
        yield (
            e.id,
            e.title,
            e.kind,
            e.url or "",
            e.valid_from,
            e.valid_until,
            e.revision,
            e.sha256 or "",
            e.size,
            e.name or "",
            " ".join(e.keys),
        )


def item_sheet(data: Snapshot) -> SheetSpec:
    return SheetSpec("items", ITEM_COLUMNS, _items(data), len(data.items))


def write_xlsx(
    data: Snapshot, out: Path, progress: Progress | None = None, cancelled: Cancel | None = None
) -> int:
    """Items, evidence and people, one sheet each; returns the number of items."""
    sheets = [
        item_sheet(data),
        SheetSpec("evidence", EVIDENCE_COLUMNS, _evidence(data), len(data.evidence)),
        SheetSpec("people", PEOPLE_COLUMNS, _people(data), len(data.people)),
    ]
    writers.write_xlsx(out, sheets, progress, cancelled)
    return len(data.items)


def write_csv(
    data: Snapshot, out: Path, progress: Progress | None = None, cancelled: Cancel | None = None
) -> int:
    """The items sheet as CSV (UTF-8 with a byte-order mark)."""
    writers.write_csv(out, item_sheet(data), progress, cancelled)
    return len(data.items)


def open_deadlines(
    data: Snapshot, *, owner_id: int | None = None, model_id: int | None = None
) -> list[ics.Deadline]:
    """Items that still apply, are not done or justified out, and have a due date."""
    out = []
    for r in data.items:
        if r.due is None or r.status in workflow.CLOSED:
            continue
        if not r.applicable or r.withdrawn or r.model_retired:
            continue
        if owner_id is not None and r.owner_id != owner_id:
            continue
        if model_id is not None and r.model_id != model_id:
            continue
        out.append(
            ics.Deadline(r.id, r.key, r.title, r.model, r.owner, r.status.value, r.due, r.version)
        )
    return out


def write_ics(
    data: Snapshot,
    out: Path,
    *,
    owner_id: int | None = None,
    model_id: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """One all-day event per open deadline; returns how many."""
    deadlines = open_deadlines(data, owner_id=owner_id, model_id=model_id)
    name = f"GPAI Tracker: {data.organisation}" if data.organisation else "GPAI Tracker"
    body = ics.build(
        deadlines, register_id=data.register_id, name=name, now=now or dt.datetime.now(dt.UTC)
    )
    write_bytes(out, body)
    return len(deadlines)


def write_bytes(out: Path, body: bytes) -> None:
    import os

    fd, temp = writers.atomic_target(out)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    writers.finish(temp, out)


def check_format(fmt: str, out: Path, allowed: Sequence[str] = FORMATS) -> str:
    """The format asked for, or the one the file name's suffix names."""
    value = (fmt or out.suffix.lstrip(".")).lower()
    if value not in allowed:
        raise ValidationError(f"format {value!r} is not one of: {', '.join(allowed)}")
    return value
