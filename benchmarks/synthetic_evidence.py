"""Synthetic evidence: small distinct files really in the evidence store, their rows, their
links to items, and the audit changes the evidence services would have recorded."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks.bulk import Actor, insert_rows, now, versioned
from benchmarks.synthetic_trail import REQ, ItemState
from gpaitracker.audit import Change
from gpaitracker.evidence_store import EvidenceStore
from gpaitracker.models import Evidence, EvidenceRevision

EV = "evidence"
WORDS = "model evaluation red-team incident policy copyright energy training summary risk"


def evidence_bytes(i: int, rng: random.Random) -> bytes:
    """A small, distinct text document (a few hundred bytes)."""
    body = " ".join(rng.choices(WORDS.split(), k=rng.randint(20, 80)))
    return f"GPAI Tracker benchmark evidence {i}\n\n{body}\n".encode()


def write_object(store: EvidenceStore, data: bytes, folders: set[Path] | None = None) -> str:
    """Put data into the store as a read-only object; returns its SHA-256.

    Unlike EvidenceStore.import_file there is no temporary file and no fsync: this is
    throwaway benchmark data, and 10,000 fsyncs would dominate generating it. folders
    remembers the store folders known to exist, to spare a mkdir per object.
    """
    digest = hashlib.sha256(data).hexdigest()
    path = store.path_of(digest)
    if folders is None or path.parent not in folders:
        path.parent.mkdir(parents=True, exist_ok=True)
        if folders is not None:
            folders.add(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        return digest
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return digest


def add_evidence(
    session: Session, rng: random.Random, store: EvidenceStore, admin: Actor, count: int
) -> tuple[list[int], list[Change]]:
    """count file evidence rows with one revision each, whose objects are in the store."""
    at = now()
    first = (session.execute(select(Evidence.id).order_by(Evidence.id.desc())).scalar() or 0) + 1
    ids = list(range(first, first + count))
    shared = {"description": "", "kind": "file", "created_by": admin.id, "created_at": at}
    rows = [
        {"id": e, "title": f"Evidence {i}"} | shared | versioned(Evidence, at)
        for i, e in enumerate(ids)
    ]
    insert_rows(session, Evidence, rows)
    revisions = []
    changes = []
    folders: set[Path] = set()
    for row in rows:
        evidence_id, label = row["id"], f"evidence {row['id']}"
        data = evidence_bytes(evidence_id, rng)
        digest, name = write_object(store, data, folders), f"evidence-{evidence_id}.txt"
        revisions.append(
            {
                "evidence_id": evidence_id,
                "number": 1,
                "sha256": digest,
                "size": len(data),
                "media_type": "text/plain",
                "original_name": name,
                "note": "",
                "added_by": admin.id,
                "added_at": at,
            }
        )
        changes += [
            Change("create", EV, evidence_id, label, f, None, row[f])
            for f in ("title", "description", "kind")
        ]
        changes.append(
            Change(
                "revise",
                EV,
                evidence_id,
                label,
                "revision 1",
                None,
                f"{digest} {len(data)} bytes {name}",
            )
        )
    insert_rows(session, EvidenceRevision, revisions)
    return ids, changes


def plan_links(
    rng: random.Random, evidence_ids: list[int], items: list[ItemState], count: int
) -> tuple[list[dict[str, Any]], list[Change]]:
    """About count random links (rows to insert once the items exist) and their changes."""
    if not evidence_ids or not items:
        return [], []
    pairs = sorted({(rng.choice(evidence_ids), rng.randrange(len(items))) for _ in range(count)})
    rows, changes = [], []
    for evidence_id, n in pairs:
        item = items[n]
        rows.append({"evidence_id": evidence_id, "requirement_id": item.id})
        changes += [
            Change(
                "link", EV, evidence_id, f"evidence {evidence_id}", "requirement", None, item.key
            ),
            Change("link", REQ, item.id, item.key, "evidence", None, evidence_id),
        ]
    return rows, changes
