"""`gpaitracker evidence ...` and `check --gc` as a user runs them.

Most tests run `main(argv)` in this process; one starts the installed command for real.
"""

import hashlib
import io
import json
import os
import time
from contextlib import redirect_stderr, redirect_stdout

import pytest

from gpaitracker.cli.main import build_parser, main
from gpaitracker.enums import Role, Status
from gpaitracker.evidence_store import EvidenceStore
from gpaitracker.services import people, register
from tests.conftest import run_cli, run_main
from tests.services.helpers import add_model, as_person, item_id, person_id

KEY, KEY2 = "atlas-2/AIA-53-1-a", "atlas-2/AIA-53-1-b"


@pytest.fixture
def atlas(org_ws):
    """The register folder, with model Atlas 2 and its items."""
    add_model(org_ws, name="Atlas 2")
    return org_ws.home


def ok(*args, home):
    result = run_main(*args, home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_add_list_export_verify_in_a_real_process(atlas, tmp_path):
    data = os.urandom(300_000)
    (tmp_path / "red team.pdf").write_bytes(data)
    result = run_cli(
        "evidence",
        "add",
        KEY,
        str(tmp_path / "red team.pdf"),
        "--title",
        "Red team Q3",
        "--valid-until",
        "2099-12-31",
        home=atlas,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("evidence 1: red team.pdf (300,000 bytes")
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    ok("evidence", "add", KEY, "https://example.com/policy", home=atlas)
    rows = json.loads(ok("evidence", "list", KEY, "--format", "json", home=atlas))
    assert [(r["id"], r["title"], r["kind"], r["state"]) for r in rows] == [
        (1, "Red team Q3", "file", "valid"),
        (2, "https://example.com/policy", "link", "valid"),
    ]
    assert rows[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert rows[0]["valid_until"] == "2099-12-31" and rows[0]["keys"] == [KEY]
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
    assert ok("evidence", "link", "1", KEY2, home=atlas) == f"evidence 1: linked to {KEY2}\n"
    rows = json.loads(ok("evidence", "list", KEY2, "--format", "json", home=atlas))
    assert [(r["id"], r["revision"], r["keys"]) for r in rows] == [(1, 2, [KEY, KEY2])]
    ok("evidence", "export", "1", "--revision", "1", "--out", str(tmp_path / "v1"), home=atlas)
    assert (tmp_path / "v1").read_bytes() == b"v1"
    out = ok("evidence", "link", "1", KEY, "--remove", home=atlas)
    assert out == f"evidence 1: unlinked from {KEY}\n"
    err = run_main("evidence", "link", "1", KEY2, "--remove", home=atlas).stderr
    assert (
        err == f"gpaitracker: error: evidence 1 is only linked to {KEY2}; link it to "
        "another item first\n"
    )


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal(atlas, tmp_path, monkeypatch):
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(3 << 20))
    monkeypatch.setenv("GPAITRACKER_HOME", str(atlas))
    out, err = io.StringIO(), _Terminal()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["evidence", "add", KEY, str(src)]) == 0
    assert out.getvalue().startswith("evidence 1: big.bin (3,145,728 bytes")
    assert "\r100% of 3,145,728 bytes" in err.getvalue() and "%" not in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["add", KEY, "FILE", "--valid-until", "2026-13-01"],
            "valid-until date '2026-13-01' is not a date",
        ),
        (
            ["add", KEY, "FILE", "--valid-from", "2026-02-01", "--valid-until", "2026-01-01"],
            "valid-until date 2026-01-01 is before valid-from date 2026-02-01",
        ),
        (["add", KEY, "FILE", "--title", "t" * 301], "title is 301 characters long"),
        (["add", KEY, "/dev/null"], "file /dev/null is a device"),
        (["add", KEY, "ftp://example.com/x"], "url 'ftp://example.com/x' must be an http"),
        (["add", KEY, "missing.pdf"], "missing.pdf does not exist"),
        (["add", "atlas-2/NOPE", "FILE"], "key 'atlas-2/NOPE' is not in the register"),
        (["add", "no key", "FILE"], "key 'no key' is not like 'model-slug/CODE'"),
        (["export", "7", "--out", "x"], "evidence 7 is not in the register"),
        (["revise", "abc", "FILE"], "evidence id 'abc' is not a whole number"),
        (["link", "1", KEY2], "evidence 1 is not in the register"),
        (["list", "atlas-2/NOPE"], "key 'atlas-2/NOPE' is not in the register"),
    ],
)
def test_user_errors_are_one_line_exit_1(atlas, tmp_path, args, message):
    (tmp_path / "file.txt").write_bytes(b"x")
    args = [str(tmp_path / "file.txt") if a == "FILE" else a for a in args]
    result = run_main("evidence", *args, home=atlas)
    assert result.returncode == 1, result.stdout
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(EvidenceStore.of_home(atlas).objects()) == []


def test_read_only_people_cannot_add(atlas, org_ws, tmp_path):
    org_ws.write(people.add_person, name="Aud", email="aud@p.eu", role=Role.AUDITOR)
    (tmp_path / "a.txt").write_bytes(b"a")
    result = run_main(
        "--as", "aud@p.eu", "evidence", "add", KEY, str(tmp_path / "a.txt"), home=atlas
    )
    assert result.returncode == 1
    assert "person aud@p.eu has role auditor, which is read-only" in result.stderr
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
        result = run_main(*command, home=atlas)
        assert result.returncode == 3
        assert f"evidence 1 ('Doc a.pdf') revision 1: file {changed} was changed" in result.stderr
        assert "evidence 2 ('Doc b.pdf') revision 1: file" in result.stderr
        assert "is missing" in result.stderr


def test_verify_prints_at_most_20_problems_then_a_count(atlas, tmp_path):
    store = EvidenceStore.of_home(atlas)
    for n in range(23):
        (tmp_path / f"{n}.txt").write_bytes(f"file {n}".encode())
        ok("evidence", "add", KEY, str(tmp_path / f"{n}.txt"), home=atlas)
        store.path_of(hashlib.sha256(f"file {n}".encode()).hexdigest()).unlink()
    result = run_main("evidence", "verify", home=atlas)
    assert result.returncode == 3
    lines = result.stderr.splitlines()
    assert sum(line.startswith("PROBLEM: ") for line in lines) == 20
    assert lines[-2:] == ["... and 3 more evidence problem(s)", "23 problem(s) found"]


def test_check_reports_and_gc_removes_leftovers(atlas, tmp_path):
    store = EvidenceStore.of_home(atlas)
    (tmp_path / "orphan").write_bytes(b"never committed")
    orphan = store.import_file(tmp_path / "orphan")  # as if killed before the commit
    temp = store.root / ".tmp-killed"
    temp.write_bytes(b"half a file")
    result = run_main("check", home=atlas)
    assert result.returncode == 0
    assert "1 unreferenced file(s) and 1 unfinished import(s)" in result.stdout
    assert "not used by any evidence" in ok("evidence", "verify", home=atlas)
    assert "removed" not in ok("check", "--gc", home=atlas)  # too young: may be in progress
    old = time.time() - 3600
    for path in (temp, store.path_of(orphan.sha256)):
        os.utime(path, (old, old))
    out = ok("check", "--gc", home=atlas)
    assert out.count("removed unused evidence file") == 2
    assert list(store.objects()) == [] and store.temp_files() == []


def _make_done(ws, key):
    """Owner Olga submits the item for review; reviewer Rita approves it as done."""
    ws.write(people.add_person, name="Olga", email="olga@p.eu", role=Role.OFFICER)
    ws.write(people.add_person, name="Rita", email="rita@p.eu", role=Role.REVIEWER)
    rid = item_id(ws, key)
    ws.write(
        register.assign,
        requirement_id=rid,
        owner_id=person_id(ws, "olga@p.eu"),
        reviewer_id=person_id(ws, "rita@p.eu"),
    )
    owner, reviewer = as_person(ws, "olga@p.eu"), as_person(ws, "rita@p.eu")
    steps = ((owner, Status.IN_PROGRESS), (owner, Status.IN_REVIEW), (reviewer, Status.DONE))
    for who, status in steps:
        who.write(register.change_status, requirement_id=rid, status=status)


def test_reopen_expired(atlas, org_ws, tmp_path):
    (tmp_path / "cert.pdf").write_bytes(b"cert")
    ok(
        "evidence",
        "add",
        KEY,
        str(tmp_path / "cert.pdf"),
        "--valid-until",
        "2020-01-01",
        home=atlas,
    )
    _make_done(org_ws, KEY)
    assert "expired" in ok("evidence", "list", "--expired", home=atlas)
    out = ok("--as", "olga@p.eu", "evidence", "reopen-expired", home=atlas)  # reading is enough
    assert f"{KEY}: done, but all its evidence has expired" in out and "not reopened" in out
    result = run_main("--as", "olga@p.eu", "evidence", "reopen-expired", "--auto", "on", home=atlas)
    assert result.returncode == 1 and "must be an admin" in result.stderr
    out = ok("evidence", "reopen-expired", "--auto", "on", home=atlas)
    assert out == f"{KEY}: reopened (in_progress), all its evidence has expired\n"
    assert json.loads(ok("show", KEY, "--format", "json", home=atlas))["status"] == "in_progress"
    assert ok("evidence", "reopen-expired", home=atlas) == (
        "no done items with only expired evidence\n"
    )


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


def test_export_to_a_missing_folder_is_refused_and_exports_are_not_private(atlas, tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"a")
    ok("evidence", "add", KEY, str(tmp_path / "a.pdf"), home=atlas)
    target = f"{tmp_path / 'NEWDIR'}{os.sep}"
    result = run_main("evidence", "export", "1", "--out", target, home=atlas)
    assert result.returncode == 1
    assert result.stderr == f"gpaitracker: error: output folder {target} does not exist\n"
    assert not (tmp_path / "NEWDIR").exists()
    (tmp_path / "NEWDIR").mkdir()
    old = os.umask(0o022)
    try:
        out = ok("evidence", "export", "1", "--out", target, home=atlas)
    finally:
        os.umask(old)
    assert out == f"exported to {tmp_path / 'NEWDIR' / 'a.pdf'} (SHA-256 verified)\n"
    assert (tmp_path / "NEWDIR" / "a.pdf").stat().st_mode & 0o777 == 0o644


def test_revise_changes_the_title_with_or_without_a_file(atlas, tmp_path):
    src = tmp_path / "policy.docx"
    src.write_bytes(b"v1")
    ok("evidence", "add", KEY, str(src), home=atlas)
    ok("evidence", "add", KEY, "https://example.com/policy", home=atlas)
    out = ok("evidence", "revise", "1", "--title", "Copyright policy", home=atlas)
    assert out == "evidence 1: updated (Copyright policy)\n"
    assert ok("evidence", "revise", "2", "--title", "Policy page", home=atlas).endswith(
        "(Policy page)\n"
    )  # a link has no revisions, but a title
    src.write_bytes(b"v2")
    ok(
        "evidence",
        "revise",
        "1",
        str(src),
        "--title",
        "Copyright policy 2027",
        "--valid-until",
        "2027-12-31",
        "--note",
        "annual",
        home=atlas,
    )
    rows = json.loads(ok("evidence", "list", "--format", "json", home=atlas))
    assert [(r["title"], r["revision"], r["valid_until"]) for r in rows] == [
        ("Copyright policy 2027", 2, "2027-12-31"),
        ("Policy page", None, None),
    ]
    ok("evidence", "revise", "1", "--valid-until", "-", home=atlas)
    assert (
        json.loads(ok("evidence", "list", "--format", "json", home=atlas))[0]["valid_until"] is None
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["revise", "1"], "nothing to change: give a FILE, --title, --valid-from or --valid-until"),
        (["revise", "1", "--note", "n"], "--note describes a new revision: give the FILE too"),
        (["revise", "1", "--valid-until", "9999-12-31"], "valid-until date 9999-12-31 is outside"),
        (["revise", "1", "--title", ""], "title must not be empty"),
        (["list", "--expiring", "9" * 40], "expiring days 9999999999999999999999"),
        (["list", "--expiring", "99999999"], "expiring days 99999999 must be between 0 and 36500"),
        (["list", "--expiring", "\u0663"], "expiring days '\u0663' is not a whole number"),
        (["list", "--expiring", "-1"], "expiring days '-1' is not a whole number"),
        (["export", "1", "--out", "x", "--revision", "9" * 30], "revision 999999999"),
        (["export", "1", "--out", "x", "--revision", "\u0661"], "is not a whole number"),
        (["add", KEY, "FILE", "--valid-until", "9999-12-31"], "valid-until date 9999-12-31 is"),
        (["add", KEY, "FILE", "--valid-from", "1970-01-01"], "valid-from date 1970-01-01 is"),
    ],
)
def test_numbers_and_dates_are_bounded_ascii(atlas, tmp_path, args, message):
    (tmp_path / "file.txt").write_bytes(b"x")
    ok("evidence", "add", KEY, str(tmp_path / "file.txt"), home=atlas)
    args = [str(tmp_path / "file.txt") if a == "FILE" else a for a in args]
    result = run_main("evidence", *args, home=atlas)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert len(json.loads(ok("evidence", "list", "--format", "json", home=atlas))) == 1


def test_list_expiring_accepts_a_bounded_number(atlas, tmp_path):
    (tmp_path / "a.txt").write_bytes(b"a")
    ok("evidence", "add", KEY, str(tmp_path / "a.txt"), "--valid-until", "2100-12-31", home=atlas)
    assert "1 evidence" in ok("evidence", "list", "--expiring", "36500", home=atlas)
    assert "0 evidence" in ok("evidence", "list", "--expiring", "0", home=atlas)


def test_add_says_when_an_altered_stored_copy_was_repaired(atlas, tmp_path):
    src = tmp_path / "a.pdf"
    src.write_bytes(b"genuine bytes")
    ok("evidence", "add", KEY, str(src), home=atlas)
    again = ok("evidence", "add", KEY2, str(src), home=atlas)
    assert again.endswith("(same bytes already stored)\n")
    stored = EvidenceStore.of_home(atlas).path_of(hashlib.sha256(b"genuine bytes").hexdigest())
    stored.chmod(0o644)
    stored.write_bytes(b"altered bytes")  # same size, other bytes
    out = ok("evidence", "add", KEY2, str(src), home=atlas)
    assert "same bytes already stored" not in out
    assert out.endswith(
        "(the stored copy of these bytes had been altered or damaged; it was replaced with "
        "this file)\n"
    )
    assert stored.read_bytes() == b"genuine bytes"
    stored.chmod(0o644)
    stored.write_bytes(b"altered again")
    src.write_bytes(b"genuine bytes")
    out = ok("evidence", "revise", "1", str(src), home=atlas)
    assert "it was replaced with this file" in out
    assert "evidence OK" in ok("evidence", "verify", home=atlas)
