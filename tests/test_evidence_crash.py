"""Kill a process importing evidence at random moments; the register must stay consistent."""

import os
import random
import signal
import sqlite3
import time

import pytest

from gpaitracker import checks
from gpaitracker.db import Register, create_register_engine
from gpaitracker.services import evidence, evidence_import, lookup
from gpaitracker.services.workspace import Workspace
from tests.services.helpers import add_model

ROUNDS = 50
KEYS = ["atlas-2/AIA-53-1-a", "atlas-2/AIA-53-1-b"]
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")


def _import_forever(home, url, sources, seed):  # runs in the forked child
    rng = random.Random(seed)
    ws = Workspace(Register(create_register_engine(url), home, url))
    items = [ws.read(lookup.requirement_id, key=key) for key in KEYS]
    scratch = home.parent / f"fresh-{seed}.bin"
    while True:
        if rng.random() < 0.5:
            source = rng.choice(sources)  # same bytes again: the dedupe path
        else:
            scratch.write_bytes(os.urandom(rng.randint(1, 4) << 20))
            source = scratch
        files = [r.id for r in ws.read(evidence.list_evidence) if r.kind == "file"]
        if files and rng.random() < 0.3:
            evidence_import.import_revision(ws, evidence_id=rng.choice(files), path=source)
        else:
            evidence_import.import_file(ws, requirement_id=rng.choice(items), path=source)


def test_sigkill_during_imports_never_corrupts(org_ws, tmp_path):
    add_model(org_ws, name="Atlas 2")
    org_register = org_ws.register
    org_register.engine.dispose()
    rng = random.Random(20260802)
    sources = []
    for i in range(4):
        path = tmp_path / f"source-{i}.bin"
        path.write_bytes(os.urandom(rng.randint(1, 3) << 20))
        sources.append(path)
    home, url = org_register.home, org_register.url

    start = time.monotonic()
    for round_no in range(ROUNDS):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                _import_forever(home, url, sources, round_no)
            except BaseException:
                code = 2
            finally:
                os._exit(code)
        time.sleep(rng.uniform(0.005, 0.25))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        # Killed, not died of an error of its own (which would make this test vacuous).
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
    elapsed = time.monotonic() - start

    db = home / "register.sqlite"
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        revisions = con.execute("SELECT count(*) FROM evidence_revision").fetchone()[0]
    assert revisions > 0, "no import ever committed; the kill loop tested nothing"
    store_report = checks.verify_store(org_register)
    assert store_report.problems == []  # every revision row points to an intact object
    assert store_report.checked > 0
    report = checks.run_checks(org_register)
    assert report.ok, report.problems
    # Whatever the kills left behind is collectable and the store stays intact afterwards.
    checks.collect_garbage(org_register, min_age_s=0)
    after = checks.verify_store(org_register)
    assert (after.problems, after.unreferenced, after.temp_files) == ([], [], [])
    assert elapsed < 60
