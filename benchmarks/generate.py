"""Build large synthetic registers fast, with SQLAlchemy Core bulk inserts (not the ORM).

python -m benchmarks.generate HOME [--items N] [--audit-events N] ...

The register is real enough for `gpaitracker check` to pass: evidence revisions point at
objects that exist in the evidence store, and the audit trail is a valid format-2 chain whose
events name real register items (row id + key) and the admin (id + email).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks.bulk import Actor, insert_rows, now, versioned
from benchmarks.shared_register import ADMIN
from benchmarks.synthetic_audit import Item, append_events, register_items
from benchmarks.synthetic_evidence import add_evidence, link_evidence
from gpaitracker.db import Register, session_scope
from gpaitracker.evidence_store import EvidenceStore
from gpaitracker.migrate import open_register
from gpaitracker.models import AIModel, CatalogueEntry, Comment, Person, Requirement, Status
from gpaitracker.services import organisation

__all__ = ["ADMIN", "admin_actor", "generate"]

STATUSES = [s.value for s in Status if s != Status.NOT_APPLICABLE]
PRIORITIES = ["low", "medium", "medium", "high", "critical"]
ROLES = ["officer"] * 6 + ["reviewer"] * 3 + ["executive"]
COMMENTS = [
    "Waiting for the evaluation report from the safety team",
    "Copyright policy draft shared with legal",
    "Training data summary template filled in",
    "Energy figures still missing for the last training run",
    "Incident response contact confirmed",
]

Log = Callable[[str], None]


def generate(
    home: Path,
    *,
    models: int = 50,
    items: int = 50_000,
    people: int = 200,
    evidence: int = 10_000,
    audit_events: int = 1_000_000,
    seed: int = 7,
    log: Log | None = None,
) -> Register:
    """Create a register in home with the given counts; returns it open."""
    say = log or (lambda _msg: None)
    rng = random.Random(seed)
    clock = _Clock(say)
    register = open_register(home)
    with session_scope(register, write=True) as s:
        organisation.create_register(
            session=s,
            name="Bench Provider",
            admin_name="Bench Admin",
            admin_email=ADMIN,
            signatory=True,
        )
        clock.lap("organisation, admin and catalogues")
    # Everything else in one transaction: a failure leaves no half-built register behind.
    with session_scope(register, write=True) as s:
        admin = admin_actor(s)
        person_ids = _people(s, people)
        model_ids = _models(s, models)
        clock.lap(f"{people} people, {models} models")
        item_rows = _items(s, rng, model_ids, person_ids, items)
        comments = _comments(s, rng, item_rows, admin)
        clock.lap(f"{len(item_rows):,} register items, {comments:,} comments")
        evidence_ids = add_evidence(s, rng, EvidenceStore.of_home(home), admin, evidence)
        link_evidence(s, rng, evidence_ids, [i.id for i in item_rows], evidence)
        clock.lap(f"{len(evidence_ids):,} evidence rows and stored files")
        append_events(s, admin, item_rows, audit_events)
        clock.lap(f"{audit_events:,} audit events")
    say(f"generated in {clock.total():.1f} s")
    return register


class _Clock:
    def __init__(self, say: Log) -> None:
        self.say = say
        self.start = self.last = time.perf_counter()

    def lap(self, what: str) -> None:
        t = time.perf_counter()
        self.say(f"  {what}: {t - self.last:.1f} s")
        self.last = t

    def total(self) -> float:
        return time.perf_counter() - self.start


def admin_actor(session: Session) -> Actor:
    row = session.execute(select(Person.id, Person.email).where(Person.email == ADMIN)).one()
    return Actor(int(row[0]), str(row[1]))


def _people(session: Session, count: int) -> list[int]:
    at = now()
    common = {"active": True, "created_at": at, **versioned(Person, at)}
    rows = [
        {"name": f"Person {i}", "email": f"p{i}@provider.eu", "role": ROLES[i % len(ROLES)]}
        | common
        for i in range(count)
    ]
    insert_rows(session, Person, rows)
    return [r[0] for r in session.execute(select(Person.id).where(Person.email != ADMIN))]


def _models(session: Session, count: int) -> list[int]:
    at = now()
    common = {
        "version": "1.0",
        "placed_on_market": dt.date(2025, 9, 1),
        "open_source": False,
        "designated_systemic_risk": True,
        "notes": "",
        "retired": False,
        "created_at": at,
        **versioned(AIModel, at),
    }
    rows = [{"name": f"Model {i}", "slug": f"model-{i}"} | common for i in range(count)]
    insert_rows(session, AIModel, rows)
    return [r[0] for r in session.execute(select(AIModel.id).order_by(AIModel.id))]


def _items(
    session: Session, rng: random.Random, model_ids: list[int], person_ids: list[int], count: int
) -> list[Item]:
    """count items spread evenly over the models, cycling through the catalogue's measures."""
    entries = session.execute(
        select(CatalogueEntry.id, CatalogueEntry.code)
        .where(CatalogueEntry.kind == "measure")
        .order_by(CatalogueEntry.id)
    ).all()
    if not entries:
        raise RuntimeError("the shipped catalogues have no measures to build items from")
    at, today = now(), dt.date.today()
    common = {
        "result": "",
        "na_justification": "",
        "applicable": True,
        "withdrawn": False,
        "created_at": at,
        **versioned(Requirement, at),
    }
    per_model = max(1, count // len(model_ids))
    rows = []
    for n in range(per_model * len(model_ids)):
        entry_id, code = entries[(n % per_model) % len(entries)]
        rows.append(
            {
                "model_id": model_ids[n // per_model],
                "entry_id": entry_id,
                "code": code,
                "occurrence": (n % per_model) // len(entries) + 1,
                "owner_id": rng.choice(person_ids) if person_ids else None,
                "reviewer_id": rng.choice(person_ids) if person_ids and n % 3 == 0 else None,
                "due_date": today + dt.timedelta(days=rng.randint(-200, 400)),
                "priority": rng.choice(PRIORITIES),
                "status": rng.choice(STATUSES),
            }
            | common
        )
    insert_rows(session, Requirement, rows)
    return register_items(session)


def _comments(session: Session, rng: random.Random, items: list[Item], author: Actor) -> int:
    """A comment on every fifth item, so text searches also look through comments."""
    at = now()
    rows = [
        {
            "requirement_id": item.id,
            "author_id": author.id,
            "at": at,
            "kind": "comment",
            "text": f"{rng.choice(COMMENTS)} ({item.key})",
        }
        for item in items[::5]
    ]
    insert_rows(session, Comment, rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate a synthetic GPAI Tracker register")
    parser.add_argument("home", type=Path)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--evidence", type=int, default=10_000)
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    register = generate(
        args.home,
        models=args.models,
        items=args.items,
        people=args.people,
        evidence=args.evidence,
        audit_events=args.audit_events,
        seed=args.seed,
        log=print,
    )
    register.engine.dispose()
    print(f"register written to {args.home} (acting admin: {ADMIN})")


if __name__ == "__main__":
    main()
