"""Evidence in team mode lives in the database: content-addressed, chunked, checked, collected."""

import os

import pytest
from sqlalchemy import text

from gpaitracker import checks
from gpaitracker.errors import PermissionDenied
from gpaitracker.evidence_db import DatabaseEvidenceStore
from gpaitracker.services import evidence_export, evidence_import, lookup

pytestmark = pytest.mark.postgres
KEY = "atlas-2/AIA-53-1-a"
MIB = 1 << 20


@pytest.fixture
def team(pg_team):
    return pg_team


def _count(ws, sql):
    with ws.register.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_file_is_stored_in_chunks_in_the_database_and_exported_intact(team, tmp_path):
    payload = os.urandom(2 * MIB + 12345)
    source = tmp_path / "Model Documentation v3.pdf"
    source.write_bytes(payload)
    olga = team.ws("olga")
    assert isinstance(olga.store, DatabaseEvidenceStore)
    rid = olga.read(lookup.requirement_id, key=KEY)
    seen = []
    _, obj = evidence_import.import_file(
        olga, requirement_id=rid, path=source, progress=lambda d, t: seen.append(d)
    )
    assert seen[-1] == len(payload) and not obj.deduplicated
    chunks = _count(olga, f"SELECT count(*) FROM evidence_chunk WHERE sha256 = '{obj.sha256}'")
    assert chunks == 3
    assert not (team.home / "evidence").exists()  # nothing beside the register on this laptop
    again = evidence_import.import_file(olga, requirement_id=rid, path=source)[1]
    assert again.deduplicated and _count(olga, "SELECT count(*) FROM evidence_object") == 6
    eid = olga.read(lookup.evidence_id, ref=_newest_evidence(olga))
    out = olga.read(
        evidence_export.export, store=olga.store, evidence_id=eid, out_path=tmp_path / "o"
    )
    assert out.read_bytes() == payload
    assert checks.run_checks(olga.register).ok
    olga.close()


def _newest_evidence(ws):
    return str(_count(ws, "SELECT max(id) FROM evidence"))


def test_check_finds_a_changed_chunk_and_gc_removes_unreferenced_objects(team, tmp_path):
    owner = team.ws()
    rid = owner.read(lookup.requirement_id, key=KEY)
    source = tmp_path / "policy.txt"
    source.write_bytes(b"copyright policy " * 1000)
    _, obj = evidence_import.import_file(owner, requirement_id=rid, path=source)
    with owner.register.engine.begin() as conn:
        conn.execute(
            text("UPDATE evidence_chunk SET data = :d WHERE sha256 = :s"),
            {"d": b"forged", "s": obj.sha256},
        )
    report = checks.run_checks(owner.register)
    assert not report.ok
    assert any(obj.sha256[:12] in p and "was changed" in p for p in report.problems)
    stray = tmp_path / "stray.bin"
    stray.write_bytes(b"never filed")
    left = owner.store.import_file(stray)
    assert any(left.sha256[:12] in str(u) for u in checks.verify_store(owner.register).unreferenced)
    removed = checks.collect_garbage(owner.register, 0)
    assert len(removed) == 1 and not owner.store.has(left.sha256)
    assert owner.store.has(obj.sha256)
    owner.close()


def test_read_only_login_cannot_store_evidence(team, tmp_path):
    source = tmp_path / "x.txt"
    source.write_text("x")
    eve = team.ws("eve")
    rid = eve.read(lookup.requirement_id, key=KEY)
    with pytest.raises(PermissionDenied, match="read-only access"):
        evidence_import.import_file(eve, requirement_id=rid, path=source)
    with pytest.raises(PermissionDenied, match="read-only access"):
        eve.store.import_file(source)
    eve.close()
