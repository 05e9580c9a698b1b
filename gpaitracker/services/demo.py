"""An example register for newcomers: three models, owners, evidence, some overdue work."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sqlmodel import Session

from gpaitracker.evidence_store import EvidenceStore
from gpaitracker.models import Person
from gpaitracker.services import ai_models, evidence, organisation, people, queries, register

PEOPLE = [
    ("Olga Lindqvist", "olga.lindqvist@northwind.example", "officer"),
    ("Karim Haddad", "karim.haddad@northwind.example", "officer"),
    ("Rita Moreau", "rita.moreau@northwind.example", "reviewer"),
    ("Elena Rossi", "elena.rossi@northwind.example", "executive"),
    ("Ahmed Clark", "ahmed.clark@northwind.example", "auditor"),
]
MODELS = [
    # name, placed on market, FLOP: one legacy, one new, one with systemic risk
    ("Orca 1", dt.date(2024, 6, 1), "4e24"),
    ("Atlas 2", dt.date(2026, 3, 1), "8e24"),
    ("Titan 1", dt.date(2025, 9, 1), "3e25"),
]
EVIDENCE = [
    ("titan-1/AIA-53-1-a", "model-documentation-titan-1.txt", "Model Documentation Form v2", None),
    ("titan-1/COP-C-1.1", "copyright-policy.txt", "Copyright policy 2025", None),
    ("titan-1/COP-SS-1.1", "safety-security-framework.txt", "Safety and Security Framework", None),
    ("orca-1/AIA-53-1-c", "copyright-policy-orca.txt", "Crawler opt-out log Q2", "2026-06-30"),
    ("atlas-2/AIA-53-1-d", "training-summary-atlas-2.txt", "Training content summary", None),
]


def create(*, session: Session, admin_name: str, admin_email: str, store: EvidenceStore) -> Person:
    """Fill an empty register with the example; returns the first admin."""
    _, admin = organisation.create_register(
        session=session,
        name="Northwind AI SA",
        admin_name=admin_name,
        admin_email=admin_email,
        signatory=True,
    )
    staff = {
        email: people.add_person(session=session, actor=admin, name=name, email=email, role=role)
        for name, email, role in PEOPLE
    }
    officers = [p for p in staff.values() if p.role == "officer"]
    reviewer = next(p for p in staff.values() if p.role == "reviewer")
    for name, placed, flop in MODELS:
        ai_models.add_model(
            session=session, actor=admin, name=name, placed_on_market=placed, training_flop=flop,
            version="1.0", threshold_date=dt.date(2025, 6, 1) if float(flop) > 1e25 else None,
        )  # fmt: skip
    rows = queries.list_rows(session=session)
    for n, row in enumerate(rows):
        owner = officers[n % len(officers)]
        register.assign(session=session, actor=admin, key=row.key, owner=owner.email,
                        reviewer=reviewer.email)  # fmt: skip
        _progress(session, row.key, n, owner, reviewer)
    with tempfile.TemporaryDirectory() as tmp:
        for key, filename, title, valid_until in EVIDENCE:
            path = Path(tmp) / filename
            path.write_text(f"{title}\nExample evidence created by 'gpaitracker demo'.\n")
            evidence.add_file_evidence(session=session, actor=admin, store=store, key=key,
                                       path=path, title=title, valid_until=valid_until)  # fmt: skip
    evidence.add_link_evidence(
        session=session, actor=admin, key="titan-1/AIA-53-1-d",
        url="https://northwind.example/ai/titan-1/training-summary", title="Published summary",
    )  # fmt: skip
    return admin


def _progress(session: Session, key: str, n: int, owner: Person, reviewer: Person) -> None:
    """Move a share of items along the workflow so the register looks lived in."""
    stage = n % 6
    if stage == 0:
        return
    register.change_status(session=session, actor=owner, key=key, status="in_progress")
    if stage == 1:
        return
    if stage == 2:
        register.change_status(session=session, actor=owner, key=key, status="blocked",
                               note="waiting for the evaluation vendor")  # fmt: skip
        return
    register.change_status(session=session, actor=owner, key=key, status="in_review")
    if stage >= 4:
        register.change_status(session=session, actor=reviewer, key=key, status="done",
                               note="checked against the evidence")  # fmt: skip
