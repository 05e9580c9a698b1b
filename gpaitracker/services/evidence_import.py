"""Importing evidence files: check, copy outside any transaction, then a short write.

A file of several gigabytes takes minutes to copy and hash. Doing that inside the write
transaction would hold the register's write lock all that time, so an import runs in three
steps: refuse bad input in a read transaction (before a long copy is wasted), copy and hash
into the store with no transaction open (progress reported, cancellable), then add the rows.
If the last step fails, the copied object is unreferenced and `checks.collect_garbage`
removes it later; it is never removed here, since another import may share its bytes.
"""

from __future__ import annotations

import datetime as dt
import os

from gpaitracker.changes import Changes
from gpaitracker.evidence_store import Cancel, Progress, StoredObject
from gpaitracker.services import evidence
from gpaitracker.services.register import KEEP, _Keep
from gpaitracker.services.workspace import Workspace


def import_file(
    ws: Workspace,
    *,
    requirement_id: int,
    path: str | os.PathLike[str],
    title: str | None = None,
    description: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> tuple[Changes, StoredObject]:
    """File a new piece of evidence for one item; returns the change set and the stored file.

    progress(done, total) is called with byte counts; cancel (a callable or an object with
    is_set(), like threading.Event) stops the copy with evidence_store.Cancelled, keeping
    nothing.
    """
    details = {
        "title": title,
        "description": description,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    ws.read(evidence.check_new, actor=ws.actor(), requirement_id=requirement_id, **details)
    obj = ws.store.import_file(path, progress, cancel)
    changes = ws.write(
        evidence.add_file_evidence,
        store=ws.store,
        requirement_id=requirement_id,
        source=obj,
        **details,
    )
    return changes, obj


def import_revision(
    ws: Workspace,
    *,
    evidence_id: int,
    path: str | os.PathLike[str],
    note: str = "",
    title: str | None = None,
    valid_from: dt.date | _Keep | None = KEEP,
    valid_until: dt.date | _Keep | None = KEEP,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> tuple[Changes, StoredObject]:
    """Add a new revision of a file, with a new title or validity if given (None for a date
    clears it); same steps and arguments as import_file."""
    details = {"note": note, "title": title, "valid_from": valid_from, "valid_until": valid_until}
    ws.read(evidence.check_revision, actor=ws.actor(), evidence_id=evidence_id, **details)
    obj = ws.store.import_file(path, progress, cancel)
    changes = ws.write(
        evidence.add_revision, store=ws.store, evidence_id=evidence_id, source=obj, **details
    )
    return changes, obj
