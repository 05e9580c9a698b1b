"""The benchmark generator builds a register that `check` finds intact."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from benchmarks.generate import ADMIN, generate
from gpaitracker import audit, checks
from gpaitracker.evidence_store import EvidenceStore

# Rows of a register generated with the sizes below (people: 5 + the admin).
EXPECTED = {"requirement": 50, "evidence": 20, "evidence_revision": 20, "person": 6, "ai_model": 2}
EVENTS = 1_000  # ~260 record the rows made, the rest are edits of items


def test_generated_register_is_intact(tmp_path):
    home = tmp_path / "bench"
    register = generate(home, models=2, items=50, people=5, evidence=20, audit_events=EVENTS)
    try:
        with register.engine.connect() as conn:
            verified = audit.verify_chain(conn)
        store_report = checks.verify_store(register)
        report = checks.run_checks(register, full=True)
    finally:
        register.engine.dispose()

    assert verified.problem is None
    assert store_report.problems == []
    assert store_report.checked == 20
    assert store_report.unreferenced == [] and store_report.temp_files == []
    # Among others: the tables hold exactly what replaying the audit trail gives.
    assert report.ok, report.problems

    store = EvidenceStore.of_home(home)
    with closing(sqlite3.connect(home / "register.sqlite")) as con:
        count = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in EXPECTED}
        revisions = con.execute("SELECT sha256, size FROM evidence_revision").fetchall()
        item_events = con.execute(
            "SELECT e.format, e.actor_id, e.actor, e.label, m.slug || '/' || r.code "
            "|| CASE r.occurrence WHEN 1 THEN '' ELSE '#' || r.occurrence END "
            "FROM audit_event e JOIN requirement r ON r.id = e.row_id "
            "JOIN ai_model m ON m.id = r.model_id WHERE e.entity = 'requirement'"
        ).fetchall()
        unnamed = con.execute(
            "SELECT count(*) FROM audit_event e WHERE e.entity = 'requirement' "
            "AND e.row_id NOT IN (SELECT id FROM requirement)"
        ).fetchone()[0]
        comment_events = con.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'comment'"
        ).fetchone()[0]
        comments = con.execute("SELECT count(*) FROM comment").fetchone()[0]
        admin_id = con.execute("SELECT id FROM person WHERE email = ?", (ADMIN,)).fetchone()[0]
        events = con.execute("SELECT count(*) FROM audit_event").fetchone()[0]

    assert count == EXPECTED
    for digest, size in revisions:
        assert store.rehash(digest) == digest
        assert store.path_of(digest).stat().st_size == size
    assert len({digest for digest, _ in revisions}) == 20  # distinct files
    # Item events name real items by id and key, and the admin by id and email.
    assert unnamed == 0
    assert len(item_events) > EVENTS // 2
    assert all(row[:3] == (2, admin_id, ADMIN) and row[3] == row[4] for row in item_events)
    assert comments == comment_events > 0
    assert verified.checked == events >= EVENTS
