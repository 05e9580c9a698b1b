"""The benchmark generator builds a register that `check` finds intact."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from benchmarks.generate import ADMIN, generate
from gpaitracker import audit, checks
from gpaitracker.evidence_store import EvidenceStore

# Rows of a register generated with the sizes below (people: 5 + the admin; comments: 1 in 5).
EXPECTED = {
    "requirement": 50,
    "evidence": 20,
    "evidence_revision": 20,
    "person": 6,
    "ai_model": 2,
    "comment": 10,
}


def test_generated_register_is_intact(tmp_path):
    home = tmp_path / "bench"
    register = generate(home, models=2, items=50, people=5, evidence=20, audit_events=200)
    try:
        with register.engine.connect() as conn:
            verified = audit.verify_chain(conn)
        store_report = checks.verify_store(register)
        report = checks.run_checks(register)
    finally:
        register.engine.dispose()

    assert verified.problem is None
    assert store_report.problems == []
    assert store_report.checked == 20
    assert store_report.unreferenced == [] and store_report.temp_files == []
    assert report.ok, report.problems

    store = EvidenceStore.of_home(home)
    with closing(sqlite3.connect(home / "register.sqlite")) as con:
        count = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in EXPECTED}
        revisions = con.execute("SELECT sha256, size FROM evidence_revision").fetchall()
        generated = con.execute(
            "SELECT e.format, e.actor_id, e.actor, e.row_id, e.label, m.slug || '/' || r.code "
            "|| CASE r.occurrence WHEN 1 THEN '' ELSE '#' || r.occurrence END "
            "FROM audit_event e JOIN requirement r ON r.id = e.row_id "
            "JOIN ai_model m ON m.id = r.model_id WHERE e.entity = 'requirement'"
        ).fetchall()
        admin_id = con.execute("SELECT id FROM person WHERE email = ?", (ADMIN,)).fetchone()[0]
        events = con.execute("SELECT count(*) FROM audit_event").fetchone()[0]

    assert count == EXPECTED
    for digest, size in revisions:
        assert store.rehash(digest) == digest
        assert store.path_of(digest).stat().st_size == size
    assert len({digest for digest, _ in revisions}) == 20  # distinct files
    # The 200 generated events name real items by id and key, and the admin by id and email.
    assert len(generated) == 200
    assert verified.checked == events >= 200
    assert all(row[:3] == (2, admin_id, ADMIN) and row[4] == row[5] for row in generated)
