"""Synthetic evidence: small distinct files in the evidence store, with their rows and links."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks.bulk import Actor, insert_rows, now, versioned
from gpaitracker.evidence_store import EvidenceStore
from gpaitracker.models import Evidence, EvidenceLink, EvidenceRevision

WORDS = [
    "model",
    "evaluation",
    "red-team",
    "incident",
    "policy",
    "copyright",
    "energy",
    "training",
    "summary",
    "risk",
    "mitigation",
    "report",
]


def evidence_bytes(i: int, rng: random.Random) -> bytes:
    """A small, distinct text document (a few hundred bytes)."""
    body = " ".join(rng.choices(WORDS, k=rng.randint(20, 80)))
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
) -> list[int]:
    """count file evidence rows, one revision each, whose objects really are in the store."""
    at = now()
    first = (session.execute(select(Evidence.id).order_by(Evidence.id.desc())).scalar() or 0) + 1
    ids = list(range(first, first + count))
    common = {"description": "", "kind": "file", "created_by": admin.id, "created_at": at}
    insert_rows(
        session,
        Evidence,
        [
            {"id": e, "title": f"Evidence {i}", **common, **versioned(Evidence, at)}
            for i, e in enumerate(ids)
        ],
    )
    revisions = []
    folders: set[Path] = set()
    for i, evidence_id in enumerate(ids):
        data = evidence_bytes(i, rng)
        revisions.append(
            {
                "evidence_id": evidence_id,
                "number": 1,
                "sha256": write_object(store, data, folders),
                "size": len(data),
                "media_type": "text/plain",
                "original_name": f"evidence-{i}.txt",
                "note": "",
                "added_by": admin.id,
                "added_at": at,
            }
        )
    insert_rows(session, EvidenceRevision, revisions)
    return ids


def link_evidence(
    session: Session, rng: random.Random, evidence_ids: list[int], item_ids: list[int], count: int
) -> None:
    """About count random links between evidence and register items."""
    if not evidence_ids or not item_ids:
        return
    links = {(rng.choice(evidence_ids), rng.choice(item_ids)) for _ in range(count)}
    rows = [{"evidence_id": e, "requirement_id": r} for e, r in sorted(links)]
    insert_rows(session, EvidenceLink, rows)
