"""An example register for newcomers: three models, owners, evidence, some overdue work."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from gpaitracker.authz import Actor
from gpaitracker.enums import Role, Status
from gpaitracker.evidence_db import AnyStore
from gpaitracker.models import Person
from gpaitracker.services import (
    ai_models,
    evidence,
    lookup,
    organisation,
    people,
    queries,
    register,
)

PEOPLE = [
    ("Olga Lindqvist", "olga.lindqvist@northwind.example", Role.OFFICER),
    ("Karim Haddad", "karim.haddad@northwind.example", Role.OFFICER),
    ("Rita Moreau", "rita.moreau@northwind.example", Role.REVIEWER),
    ("Elena Rossi", "elena.rossi@northwind.example", Role.EXECUTIVE),
    ("Ahmed Clark", "ahmed.clark@northwind.example", Role.AUDITOR),
]
MODELS = [
    # name, placed on market, FLOP: one legacy, one new, one with systemic risk
    ("Orca 1", dt.date(2024, 6, 1), 4e24),
    ("Atlas 2", dt.date(2026, 3, 1), 8e24),
    ("Titan 1", dt.date(2025, 9, 1), 3e25),
]
EVIDENCE = [
    ("titan-1/AIA-53-1-a", "model-documentation-titan-1.txt", "Model Documentation Form v2", None),
    ("orca-1/COP-C-1.1", "copyright-policy.txt", "Copyright policy 2025", None),
    ("titan-1/COP-SS-1.1", "safety-security-framework.txt", "Safety and Security Framework", None),
    (
        "orca-1/AIA-53-1-c",
        "copyright-policy-orca.txt",
        "Crawler opt-out log Q2",
        dt.date(2026, 6, 30),
    ),
    ("atlas-2/AIA-53-1-d", "training-summary-atlas-2.txt", "Training content summary", None),
]


def _actor(session: Session, person_id: int) -> Actor:
    person = session.get(Person, person_id)
    assert person is not None
    return Actor.of(person)


def create(*, session: Session, store: AnyStore, admin_name: str, admin_email: str) -> Actor:
    """Fill an empty register with the example, in the caller's transaction; returns its admin."""
    organisation.create_register(
        session=session,
        name="Northwind AI SA",
        admin_name=admin_name,
        admin_email=admin_email,
        signatory=True,
    )
    admin_id = people.first_admin_id(session=session)
    assert admin_id is not None
    admin = _actor(session, admin_id)
    staff: dict[Role, list[Actor]] = {}
    for name, email, role in PEOPLE:
        people.add_person(session=session, actor=admin, name=name, email=email, role=role)
        person = _actor(session, lookup.person_id(session=session, email=email))
        staff.setdefault(role, []).append(person)
    for name, placed, flop in MODELS:
        ai_models.add_model(
            session=session,
            actor=admin,
            name=name,
            placed_on_market=placed,
            training_flop=flop,
            version="1.0",
            threshold_date=dt.date(2025, 6, 1) if flop > 1e25 else None,
        )
    officers, reviewer = staff[Role.OFFICER], staff[Role.REVIEWER][0]
    for n, row in enumerate(queries.list_rows(session=session)):
        owner = officers[n % len(officers)]
        register.assign(
            session=session,
            actor=admin,
            requirement_id=row.id,
            owner_id=owner.id,
            reviewer_id=reviewer.id,
        )
        _progress(session, row.id, n, owner, reviewer)
    with tempfile.TemporaryDirectory() as tmp:
        for key, filename, title, valid_until in EVIDENCE:
            path = Path(tmp) / filename
            path.write_text(f"{title}\nExample evidence of the GPAI Tracker demo register.\n")
            evidence.add_file_evidence(
                session=session,
                actor=admin,
                store=store,
                source=store.import_file(path),
                requirement_id=lookup.requirement_id(session=session, key=key),
                title=title,
                valid_until=valid_until,
            )
    evidence.add_link_evidence(
        session=session,
        actor=admin,
        requirement_id=lookup.requirement_id(session=session, key="titan-1/AIA-53-1-d"),
        url="https://northwind.example/ai/titan-1/training-summary",
        title="Published summary",
    )
    return admin


def _progress(session: Session, item_id: int, n: int, owner: Actor, reviewer: Actor) -> None:
    """Move a share of items along the workflow so the register looks lived in."""
    stage = n % 6
    if stage == 0:
        return

    def move(actor: Actor, status: Status, note: str = "") -> None:
        register.change_status(
            session=session, actor=actor, requirement_id=item_id, status=status, note=note
        )

    move(owner, Status.IN_PROGRESS)
    if stage == 1:
        return
    if stage == 2:
        move(owner, Status.BLOCKED, "waiting for the evaluation vendor")
        return
    move(owner, Status.IN_REVIEW)
    if stage >= 4:
        move(reviewer, Status.DONE, "checked against the evidence")
