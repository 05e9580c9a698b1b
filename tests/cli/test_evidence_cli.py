"""`gpaitracker evidence ...` and `check --gc` as a user runs them, in a subprocess."""

import hashlib
import json
import os
import time

import pytest

from gpaitracker.cli.main import build_parser
from gpaitracker.db import session_scope
from gpaitracker.evidence_store import EvidenceStore
from gpaitracker.services import ai_models, register
from tests.conftest import run_cli

KEY, KEY2 = "atlas-2/AIA-53-1-a", "atlas-2/AIA-53-1-b"


@pytest.fixture
def atlas(org_register, admin):
    """The register folder, with model Atlas 2 and its items."""
    with session_scope(org_register, write=True) as s:
        ai_models.add_model(session=s, actor=admin, name="Atlas 2", placed_on_market="2025-09-01")
    org_register.engine.dispose()
    return org_register.home


def ok(*args, home):
    result = run_cli(*args, home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_add_list_export_verify(atlas, tmp_path):
    data = os.urandom(300_000)
    (tmp_path / "red team.pdf").write_bytes(data)
    out = ok("evidence", "add", KEY, str(tmp_path / "red team.pdf"), "--title", "Red team Q3",
             "--valid-until", "2099-12-31", home=atlas)  # fmt: skip
    assert out.startswith("evidence 1: red team.pdf (300,000 bytes")
    ok("evidence", "add", KEY, "https://example.com/policy", home=atlas)
    rows = json.loads(ok("evidence", "list", KEY, "--format", "json", home=atlas))
    assert [(r["id"], r["title"], r["kind"], r["state"]) for r in rows] == [
        (1, "Red team Q3", "file", "valid"),
        (2, "https://example.com/policy", "link", "valid"),
    ]
    assert rows[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert "Red team Q3" in ok("evidence", "list", home=atlas)
    ok("evidence", "export", "1", "--out", str(tmp_path / "copy.pdf"), home=atlas)
    assert (tmp_path / "copy.pdf").read_bytes() == data
    assert "evidence OK: 1 stored files re-hashed" in ok("evidence", "verify", home=atlas)


def test_revise_and_link(atlas, tmp_path):
    src = tmp_path / "policy.docx"
    src.write_bytes(b"v1")
    ok("evidence", "add", KEY, str(src), home=atlas)
    src.write_bytes(b"v2")
    assert "revision 2" in ok("evidence", "revise", "1", str(src), "--note", "annual", home=atlas)
    ok("evidence", "link", "1", KEY2, home=atlas)
    rows = json.loads(ok("evidence", "list", KEY2, "--format", "json", home=atlas))
    assert [(r["id"], r["revision"], r["keys"]) for r in rows] == [(1, 2, [KEY, KEY2])]
    ok("evidence", "export", "1", "--revision", "1", "--out", str(tmp_path / "v1"), home=atlas)
    assert (tmp_path / "v1").read_bytes() == b"v1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", KEY, "FILE", "--valid-until", "2026-13-01"],
         "valid-until date '2026-13-01' is not a date"),
        (["add", KEY, "FILE", "--title", "t" * 301], "title is 301 characters long"),
        (["add", KEY, "/dev/null"], "file /dev/null is a device"),
        (["add", KEY, "ftp://example.com/x"], "url 'ftp://example.com/x' must be an http"),
        (["add", KEY, "missing.pdf"], "missing.pdf does not exist"),
        (["add", "atlas-2/NOPE", "FILE"], "key 'atlas-2/NOPE' is not in the register"),
        (["export", "7", "--out", "x"], "evidence 7 is not in the register"),
        (["revise", "abc", "FILE"], "evidence id 'abc' is not a number"),
    ],
)  # fmt: skip
def test_user_errors_are_one_line_exit_1(atlas, tmp_path, args, message):
    (tmp_path / "file.txt").write_bytes(b"x")
    args = [str(tmp_path / "file.txt") if a == "FILE" else a for a in args]
    result = run_cli("evidence", *args, home=atlas)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(EvidenceStore.of_home(atlas).objects()) == []


def test_verify_and_check_name_changed_and_missing_files(atlas, tmp_path):
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(name.encode())
        ok("evidence", "add", KEY, str(tmp_path / name), "--title", f"Doc {name}", home=atlas)
    store = EvidenceStore.of_home(atlas)
    changed = store.path_of(hashlib.sha256(b"a.pdf").hexdigest())
    changed.chmod(0o644)
    changed.write_bytes(b"tampered")
    store.path_of(hashlib.sha256(b"b.pdf").hexdigest()).unlink()
    for command in (["evidence", "verify"], ["check"]):
        result = run_cli(*command, home=atlas)
        assert result.returncode == 3
        assert f"evidence 1 ('Doc a.pdf') revision 1: file {changed} was changed" in result.stderr
        assert "evidence 2 ('Doc b.pdf') revision 1: file" in result.stderr
        assert "is missing" in result.stderr


def test_check_reports_and_gc_removes_leftovers(atlas, tmp_path):
    store = EvidenceStore.of_home(atlas)
    (tmp_path / "orphan").write_bytes(b"never committed")
    orphan = store.import_file(tmp_path / "orphan")  # as if killed before the commit
    temp = store.root / ".tmp-killed"
    temp.write_bytes(b"half a file")
    result = run_cli("check", home=atlas)
    assert result.returncode == 0
    assert "1 unreferenced file(s) and 1 unfinished import(s)" in result.stdout
    assert "removed" not in ok("check", "--gc", home=atlas)  # too young: may be in progress
    old = time.time() - 3600
    for path in (temp, store.path_of(orphan.sha256)):
        os.utime(path, (old, old))
    out = ok("check", "--gc", home=atlas)
    assert out.count("removed unused evidence file") == 2
    assert list(store.objects()) == [] and store.temp_files() == []


def test_reopen_expired(atlas, org_register, admin, tmp_path):
    (tmp_path / "cert.pdf").write_bytes(b"cert")
    ok("evidence", "add", KEY, str(tmp_path / "cert.pdf"), "--valid-until", "2020-01-01",
       home=atlas)  # fmt: skip
    with session_scope(org_register, write=True) as s:
        for status in ("in_progress", "in_review", "done"):
            register.change_status(session=s, actor=admin, key=KEY, status=status)
    org_register.engine.dispose()
    assert "expired" in ok("evidence", "list", "--expired", home=atlas)
    out = ok("evidence", "reopen-expired", home=atlas)
    assert f"{KEY}: done, but all its evidence has expired" in out and "not reopened" in out
    out = ok("evidence", "reopen-expired", "--auto", "on", home=atlas)
    assert f"{KEY}: reopened (in_progress)" in out
    assert json.loads(ok("show", KEY, "--format", "json", home=atlas))["status"] == "in_progress"


@pytest.mark.parametrize(
    "command", ["add", "revise", "link", "list", "export", "verify", "reopen-expired"]
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["evidence", command, "--help"])
    assert exc.value.code == 0
    assert "usage: gpaitracker evidence" in capsys.readouterr().out


def test_check_gc_has_help(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["check", "--help"])
    assert "--gc" in capsys.readouterr().out
