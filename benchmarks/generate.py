"""Build large synthetic registers fast, with SQLAlchemy Core bulk inserts (not the ORM)."""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

from sqlalchemy import insert, select

from gpaitracker import audit
from gpaitracker.db import Register, session_scope
from gpaitracker.migrate import open_register
from gpaitracker.models import (
    AIModel,
    AuditEvent,
    CatalogueEntry,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    Person,
    Requirement,
    Status,
    utcnow,
)
from gpaitracker.services import organisation

ADMIN = "bench-admin@provider.eu"
STATUSES = [s.value for s in Status if s != Status.NOT_APPLICABLE]


def generate(
    home: Path,
    *,
    models: int = 50,
    items: int = 50_000,
    people: int = 200,
    evidence: int = 10_000,
    audit_events: int = 1_000_000,
    seed: int = 7,
) -> Register:
    rng = random.Random(seed)
    register = open_register(home)
    with session_scope(register, write=True) as s:
        organisation.create_register(
            session=s, name="Bench Provider", admin_name="Bench Admin", admin_email=ADMIN,
            signatory=True,
        )  # fmt: skip
        entries = s.execute(
            select(CatalogueEntry.id, CatalogueEntry.code).where(CatalogueEntry.kind == "measure")
        ).all()
        s.execute(
            insert(Person),
            [
                {
                    "name": f"Person {i}",
                    "email": f"p{i}@provider.eu",
                    "role": "officer",
                    "active": True,
                    "created_at": utcnow(),
                }
                for i in range(people)
            ],  # fmt: skip
        )
        person_ids = [r[0] for r in s.execute(select(Person.id)).all()]
        s.execute(
            insert(AIModel),
            [
                {
                    "name": f"Model {i}",
                    "slug": f"model-{i}",
                    "version": "1",
                    "placed_on_market": dt.date(2025, 9, 1),
                    "open_source": False,
                    "designated_systemic_risk": True,
                    "notes": "",
                    "retired": False,
                    "created_at": utcnow(),
                }
                for i in range(models)
            ],  # fmt: skip
        )
        model_ids = [r[0] for r in s.execute(select(AIModel.id)).all()]
        today = dt.date.today()
        rows = []
        per_model = max(1, items // len(model_ids))
        items = per_model * len(model_ids)
        for n in range(items):
            model_id = model_ids[n // per_model]
            entry_id, code = entries[(n % per_model) % len(entries)]
            rows.append({
                "model_id": model_id, "entry_id": entry_id, "code": code,
                "occurrence": (n % per_model) // len(entries) + 1,
                "owner_id": rng.choice(person_ids), "reviewer_id": None,
                "due_date": today + dt.timedelta(days=rng.randint(-200, 400)),
                "priority": "medium", "status": rng.choice(STATUSES), "result": "", "notes": "",
                "na_justification": "", "applicable": True, "withdrawn": False, "version": 1,
                "created_at": utcnow(), "updated_at": utcnow(),
            })  # fmt: skip
        for start in range(0, len(rows), 20_000):
            s.execute(insert(Requirement), rows[start : start + 20_000])
        req_ids = [r[0] for r in s.execute(select(Requirement.id)).all()]
        s.execute(
            insert(Evidence),
            [
                {
                    "title": f"Evidence {i}",
                    "description": "",
                    "kind": "file",
                    "created_at": utcnow(),
                }
                for i in range(evidence)
            ],  # fmt: skip
        )
        ev_ids = [r[0] for r in s.execute(select(Evidence.id)).all()]
        s.execute(
            insert(EvidenceRevision),
            [
                {
                    "evidence_id": e,
                    "number": 1,
                    "sha256": f"{e:064x}",
                    "size": 1000,
                    "media_type": "application/pdf",
                    "original_name": f"doc{e}.pdf",
                    "note": "",
                    "added_at": utcnow(),
                }
                for e in ev_ids
            ],  # fmt: skip
        )
        links = {(rng.choice(ev_ids), rng.choice(req_ids)) for _ in range(evidence)}
        s.execute(insert(EvidenceLink), [{"evidence_id": a, "requirement_id": b} for a, b in links])
        _bulk_audit(s, audit_events)
    return register


def _bulk_audit(session, count: int, batch: int = 50_000) -> None:
    """Append count valid, chained events (so verification benchmarks see a real chain)."""
    prev = (
        session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
        or audit.GENESIS
    )
    at = utcnow()
    done = 0
    while done < count:
        rows = []
        for i in range(done, min(count, done + batch)):
            key = f"model-{i % 50}/COP-SS-{i % 10}.1"
            digest = audit.event_hash(prev, at, ADMIN, "update", "requirement", key, "notes",
                                      None, f"note {i}")  # fmt: skip
            rows.append({"at": at, "actor": ADMIN, "action": "update", "entity": "requirement",
                         "entity_id": key, "field": "notes", "old_value": None,
                         "new_value": f"note {i}", "prev_hash": prev, "hash": digest})  # fmt: skip
            prev = digest
        session.execute(insert(AuditEvent), rows)
        done += len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate a synthetic GPAI Tracker register")
    parser.add_argument("home", type=Path)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    args = parser.parse_args()
    generate(args.home, models=args.models, items=args.items, audit_events=args.audit_events)
    print(f"register written to {args.home}")


if __name__ == "__main__":
    main()
