"""Build large synthetic registers fast, with SQLAlchemy Core bulk inserts (not the ORM).

python -m benchmarks.generate HOME [--items N] [--audit-events N] ...

The register is real enough for `gpaitracker check` to pass: evidence revisions point at
objects in the evidence store, and the audit trail is a valid format-2 chain that records
every row the generator made, and every later edit, so replaying it gives the tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks.bulk import Actor, insert_rows, now, versioned
from benchmarks.shared_register import ADMIN
from benchmarks.synthetic_evidence import add_evidence, plan_links
from benchmarks.synthetic_trail import History, ItemState, append_events, item_key
from gpaitracker.audit import Change
from gpaitracker.db import Register, session_scope
from gpaitracker.evidence_store import EvidenceStore
from gpaitracker.migrate import open_register
from gpaitracker.models import AIModel, CatalogueEntry, Comment, EvidenceLink, Person, Requirement
from gpaitracker.services import organisation

__all__ = ["ADMIN", "admin_actor", "generate"]

ROLES = ["officer"] * 6 + ["reviewer"] * 3 + ["executive"]
MODEL_FIELDS = (
    "name",
    "version",
    "placed_on_market",
    "training_flop",
    "open_source",
    "designated_systemic_risk",
    "threshold_date",
    "notes",
)

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
    """Create a register in home with about these counts; returns it open.

    audit_events counts every event the generator records: creating the people, models,
    items and evidence first, then edits of the items up to that number.
    """
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
        emails, trail = _people(s, people)
        slugs, model_trail = _models(s, models)
        trail += model_trail
        states, static = _plan_items(s, slugs, items)
        history = History(rng, emails, admin)
        owners = list(emails)
        for n, item in enumerate(states):
            owner = rng.choice(owners) if owners else None
            reviewer = rng.choice([p for p in owners if p != owner]) if n % 3 == 0 else None
            trail += history.created(item, owner, reviewer)
        evidence_ids, evidence_trail = add_evidence(
            s, rng, EvidenceStore.of_home(home), admin, evidence
        )
        links, link_trail = plan_links(rng, evidence_ids, states, evidence)
        trail += evidence_trail + link_trail
        clock.lap(f"{people} people, {models} models, {len(evidence_ids):,} evidence files")
        edits = history.edits(states, max(0, audit_events - len(trail)))
        written = append_events(s, admin, itertools.chain(trail, edits))
        clock.lap(f"{written:,} audit events")
        rows = [_item_row(st, row, admin) for st, row in zip(states, static, strict=True)]
        insert_rows(s, Requirement, rows)
        insert_rows(s, Comment, history.comments)
        insert_rows(s, EvidenceLink, links)
        clock.lap(
            f"{len(states):,} items as the trail leaves them, {len(history.comments):,} "
            f"comments, {len(links):,} evidence links"
        )
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


def _people(session: Session, count: int) -> tuple[dict[int, str], list[Change]]:
    """People other than the admin (id -> email) and the events creating them."""
    at = now()
    shared = {"active": True, "created_at": at} | versioned(Person, at)
    rows = [
        {"name": f"Person {i}", "email": f"p{i}@provider.eu", "role": ROLES[i % len(ROLES)]}
        | shared
        for i in range(count)
    ]
    insert_rows(session, Person, rows)
    p = Person.__table__.c  # type: ignore[attr-defined]
    found = session.execute(select(p.id, p.email, p.name, p.role).where(p.email != ADMIN))
    emails: dict[int, str] = {}
    trail: list[Change] = []
    for person_id, email, name, role in found:
        emails[person_id] = email
        trail += [
            Change("create", "person", person_id, email, "name", None, name),
            Change("create", "person", person_id, email, "role", None, role),
        ]
    return emails, trail


def _models(session: Session, count: int) -> tuple[dict[int, str], list[Change]]:
    """Models (id -> slug) and the events creating them."""
    at = now()
    shared = {
        "version": "1.0",
        "placed_on_market": dt.date(2025, 9, 1),
        "training_flop": None,
        "open_source": False,
        "designated_systemic_risk": True,
        "threshold_date": dt.date(2025, 9, 1),
        "notes": "",
        "retired": False,
        "created_at": at,
    } | versioned(AIModel, at)
    rows = [{"name": f"Model {i}", "slug": f"model-{i}"} | shared for i in range(count)]
    insert_rows(session, AIModel, rows)
    m = AIModel.__table__.c  # type: ignore[attr-defined]
    slugs: dict[int, str] = {}
    trail: list[Change] = []
    for model_id, slug in session.execute(select(m.id, m.slug).order_by(m.id)):
        slugs[model_id] = slug
        row = rows[len(slugs) - 1]
        trail += [Change("create", "model", model_id, slug, f, None, row[f]) for f in MODEL_FIELDS]
    return slugs, trail


def _plan_items(
    session: Session, slugs: dict[int, str], count: int
) -> tuple[list[ItemState], list[dict[str, Any]]]:
    """count items spread evenly over the models, cycling through the catalogue's measures:
    their tracked state (as created) and their other columns, ids chosen up front."""
    e = CatalogueEntry.__table__.c  # type: ignore[attr-defined]
    entries = session.execute(select(e.id, e.code).where(e.kind == "measure").order_by(e.id)).all()
    if not entries:
        raise RuntimeError("the shipped catalogues have no measures to build items from")
    r = Requirement.__table__.c  # type: ignore[attr-defined]
    first = (session.execute(select(r.id).order_by(r.id.desc())).scalar() or 0) + 1
    rng = random.Random(len(slugs) * count)  # due dates do not shift with the other draws
    today = dt.date.today()
    per_model = max(1, count // len(slugs))
    states, static = [], []
    for n, (model_id, slug) in enumerate(
        (m, s) for m, s in slugs.items() for _ in range(per_model)
    ):
        entry_id, code = entries[(n % per_model) % len(entries)]
        occurrence = (n % per_model) // len(entries) + 1
        due = today + dt.timedelta(days=rng.randint(-200, 400))
        states.append(ItemState(first + n, item_key(slug, code, occurrence), due))
        static.append(
            {
                "id": first + n,
                "model_id": model_id,
                "entry_id": entry_id,
                "code": code,
                "occurrence": occurrence,
            }
        )
    return states, static


def _item_row(state: ItemState, static: dict[str, Any], admin: Actor) -> dict[str, Any]:
    """An item's row with the values its trail ends with, review fields to match."""
    at = now()
    in_review, done = state.status == "in_review", state.status == "done"
    return (
        static
        | versioned(Requirement, at)
        | {
            "due_date": state.due_date,
            "status": state.status,
            "priority": state.priority,
            "owner_id": state.owner_id,
            "reviewer_id": state.reviewer_id,
            "result": "",
            "na_justification": "",
            "applicable": True,
            "withdrawn": False,
            "created_at": at,
            "completed_at": at if done else None,
            "review_outcome": "done" if in_review else None,
            "submitted_by": admin.id if in_review or done else None,
            "submitted_at": at if in_review or done else None,
            "approved_by": admin.id if done else None,
            "approved_at": at if done else None,
            "cycle_owner_ids": [state.owner_id] if state.owner_id is not None else [],
        }
    )


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
