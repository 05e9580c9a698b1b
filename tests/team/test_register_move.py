"""migrate --from --to: a local register to a server and back, everything intact."""

import hashlib

import pytest
from sqlalchemy import text

from gpaitracker import register_copy
from gpaitracker.errors import PermissionDenied, StorageError
from gpaitracker.migrate import open_register
from gpaitracker.services import demo, evidence_export, lookup
from gpaitracker.services.register_move import move_register
from gpaitracker.services.workspace import Workspace
from tests.conftest import run_cli, run_main

pytestmark = pytest.mark.postgres


def _demo(folder):
    ws = Workspace(open_register(folder))
    ws.create(demo.create, store=ws.store, admin_name="Ada Admin", admin_email="ada@p.eu")
    return ws


def _fingerprint(folder, url=None):
    """Row counts, the audit head and every evidence file's SHA-256 as exported."""
    reg = open_register(folder, url, create=False)
    ws = Workspace(reg)
    counts = register_copy.row_counts(reg)
    del counts["meta"]  # where check notes the head it verified
    with reg.engine.connect() as conn:
        head = conn.execute(text("SELECT id, hash FROM audit_event ORDER BY id DESC")).first()
        ids = [i for (i,) in conn.execute(text("SELECT id FROM evidence WHERE kind = 'file'"))]
    files = {}
    for eid in sorted(ids):
        out = ws.read(
            evidence_export.export,
            store=ws.store,
            evidence_id=eid,
            out_path=folder.parent / f"x-{folder.name}-{eid}",
        )
        files[eid] = hashlib.sha256(out.read_bytes()).hexdigest()
    ws.close()
    return counts, tuple(head), files


def test_local_register_to_server_and_back(tmp_path, pg_empty_url):
    local = tmp_path / "local"
    _demo(local).close()
    before = _fingerprint(local)
    done = run_cli("migrate", "--from", str(local), "--to", pg_empty_url, home=tmp_path / "h")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "check of the source: OK" in done.stdout and "check of the target: OK" in done.stdout
    assert f"requirement: {before[0]['requirement']}\n" in done.stdout
    assert f"evidence files: {len(before[2])}\n" in done.stdout
    on_server = _fingerprint(tmp_path / "h", pg_empty_url)
    assert on_server == before
    # The server register works on: a new edit chains onto the copied trail.
    ran = run_main(
        "--db", pg_empty_url, "due", "atlas-2/AIA-53-1-a", "2027-01-31", home=tmp_path / "h"
    )
    assert ran.returncode == 0, ran.stderr
    offline = tmp_path / "offline"
    back = move_register(pg_empty_url, str(offline))
    assert back.source_check.ok and back.target_check.ok and back.rows == back.target_rows
    counts, _head, files = _fingerprint(offline)
    assert files == before[2] and counts["audit_event"] == before[0]["audit_event"] + 1
    assert (offline / "evidence").is_dir()
    check = run_main("check", "--full", home=offline)
    assert check.returncode == 0, check.stdout + check.stderr


def test_target_with_a_register_is_refused_and_left_alone(tmp_path, pg_url):
    local = tmp_path / "local"
    _demo(local).close()
    move_register(str(local), pg_url)
    before = register_copy.row_counts(open_register(tmp_path, pg_url))
    with pytest.raises(StorageError, match="already holds a register"):
        move_register(str(local), pg_url)
    assert register_copy.row_counts(open_register(tmp_path, pg_url)) == before


def test_only_an_admin_copies_a_whole_register(tmp_path, pg_empty_url):
    local = tmp_path / "local"
    ws = _demo(local)
    someone = ws.read(lookup.person_id, email="olga.lindqvist@northwind.example")
    assert someone
    ws.close()
    with pytest.raises(PermissionDenied, match="needs an admin"):
        move_register(str(local), pg_empty_url, acting="olga.lindqvist@northwind.example")
