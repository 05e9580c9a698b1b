"""The command line as a user runs it: its output and its exit code.

Most tests run `main(argv)` in this process; a few start the installed command for real.
"""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli, run_main

ADA = "ada@provider.eu"


def ok(*args, home, **kw):
    result = run_main(*args, home=home, **kw)
    assert result.returncode == 0, result.stderr
    return result


def user_error(*args, home, **kw):
    result = run_main(*args, home=home, **kw)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr.strip()


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    """One register built through the CLI, copied for each test."""
    home = tmp_path_factory.mktemp("cli-template") / "home"
    ok(
        "init",
        "--organisation",
        "Provider SA",
        "--signatory",
        "--admin-name",
        "Ada",
        "--admin-email",
        ADA,
        home=home,
    )
    ok(
        "person",
        "add",
        "Olga Officer",
        "--email",
        "olga@provider.eu",
        "--role",
        "officer",
        home=home,
    )
    ok(
        "person",
        "add",
        "Rita Reviewer",
        "--email",
        "rita@provider.eu",
        "--role",
        "reviewer",
        home=home,
    )
    ok("model", "add", "Atlas 2", "--placed-on-market", "2025-09-01", "--flop", "3e24", home=home)
    return home


@pytest.fixture
def cli_home(home, _template):
    shutil.copytree(_template, home)
    return home


def test_version_and_help():
    from gpaitracker import __version__

    result = run_cli("--version", home=Path("/nonexistent"))
    assert result.stdout.strip() == f"gpaitracker {__version__}"


def test_every_command_has_help(tmp_path, capsys):
    commands = [
        ["init"],
        ["org", "show"],
        ["org", "edit"],
        ["model", "add"],
        ["model", "list"],
        ["person", "add"],
        ["person", "edit"],
        ["person", "list"],
        ["list"],
        ["show"],
        ["assign"],
        ["due"],
        ["priority"],
        ["note"],
        ["status"],
        ["audit"],
        ["check"],
        ["demo"],
        ["model", "edit"],
        ["catalogue", "list"],
        ["catalogue", "show"],
        ["catalogue", "diff"],
        ["catalogue", "upgrade"],
        ["catalogue", "import"],
        ["evidence", "add"],
        ["evidence", "list"],
        ["evidence", "verify"],
    ]
    from gpaitracker.cli.main import build_parser

    for command in commands:  # in-process: 17 interpreter start-ups would cost ~12 s
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args([*command, "--help"])
        assert done.value.code == 0, command
        assert "usage: gpaitracker " + " ".join(command) in capsys.readouterr().out
    result = run_cli("status", "--help", home=tmp_path)
    assert result.returncode == 0 and "not_applicable" in result.stdout


def test_init_records_os_user_as_first_admin(home):
    ok("init", "--organisation", "Solo Labs", home=home)
    people = json.loads(ok("person", "list", "--format", "json", home=home).stdout)
    assert len(people) == 1 and people[0]["role"] == "admin"
    import getpass

    assert people[0]["name"] == getpass.getuser()


def test_list_json_has_the_documented_keys(cli_home):
    items = json.loads(ok("list", "--format", "json", home=cli_home).stdout)
    assert items, "a new model fills the register"
    for key in ("key", "code", "title", "model", "status", "owner", "reviewer", "due", "rag"):
        assert key in items[0]
    item = next(i for i in items if i["key"] == "atlas-2/AIA-53-1-a")
    assert item["model"] == "Atlas 2"
    assert item["status"] == "not_started"
    assert item["due"] == "2025-09-01"
    assert item["rag"] == "red"  # due before today and not done


def test_working_an_item_end_to_end(cli_home):
    key = "atlas-2/AIA-53-1-a"
    ok(
        "assign",
        key,
        "--owner",
        "olga@provider.eu",
        "--reviewer",
        "rita@provider.eu",
        home=cli_home,
    )
    ok("due", key, "2027-01-15", home=cli_home)
    ok("status", key, "in_progress", "--as", "olga@provider.eu", home=cli_home)
    ok("status", key, "in_review", home=cli_home, env={"GPAITRACKER_USER": "olga@provider.eu"})
    err = user_error("status", key, "done", "--as", "olga@provider.eu", home=cli_home)
    assert "four-eyes" in err
    approved = ok(
        "status", key, "done", "--as", "rita@provider.eu", "--note", "MDF approved", home=cli_home
    )
    assert "approved with no valid evidence" in approved.stderr
    shown = json.loads(ok("show", key, "--format", "json", home=cli_home).stdout)
    assert shown["status"] == "done"
    assert shown["owner"] == "olga@provider.eu"
    assert shown["due"] == "2027-01-15"
    assert [c["text"] for c in shown["comments"]] == ["MDF approved"]
    assert (shown["submitted_by"], shown["approved_by"]) == ("olga@provider.eu", "rita@provider.eu")
    text = ok("show", key, home=cli_home).stdout
    assert "Technical documentation" in text
    assert "approved   by rita@provider.eu" in text
    assert "evidence   none attached" in text
    done = json.loads(ok("list", "--status", "done", "--format", "json", home=cli_home).stdout)
    assert [i["key"] for i in done] == [key]
    mine = ok("list", "--owner", "olga@provider.eu", "--format", "csv", home=cli_home).stdout
    assert mine.splitlines()[0].startswith("key,code,title")
    assert len(mine.splitlines()) == 2
    trail = json.loads(ok("audit", "--entity", key, "--format", "json", home=cli_home).stdout)
    assert [e["new"] for e in trail if e["field"] == "status"] == [
        "in_progress",
        "in_review",
        "done",
    ]
    assert trail[-1]["actor"] == "rita@provider.eu"


def test_filters_overdue_and_due_before(cli_home):
    overdue = json.loads(ok("list", "--overdue", "--format", "json", home=cli_home).stdout)
    assert overdue and all(i["rag"] == "red" for i in overdue)
    before = json.loads(
        ok("list", "--due-before", "2000-01-01", "--format", "json", home=cli_home).stdout
    )
    assert before == []
    err = user_error("list", "--due-before", "2026-13-01", home=cli_home)
    assert "'2026-13-01' is not a date" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["due", "atlas-2/AIA-53-1-a", "2025-02-30"], "due date '2025-02-30' is not a date"),
        (["due", "atlas-2/NOPE", "2026-01-01"], "'atlas-2/NOPE' is not in the register"),
        (["assign", "atlas-2/AIA-53-1-a", "--owner", "ghost@x.eu"], "'ghost@x.eu' is not in"),
        (["status", "atlas-2/AIA-53-1-a", "done"], "from not_started to done"),
        (["status", "atlas-2/AIA-53-1-a", "not_applicable"], "justification"),
        (["person", "add", "X", "--email", "x@x.eu", "--role", "boss"], "role 'boss'"),
        (["model", "add", "M", "--placed-on-market", "soon"], "'soon' is not a date"),
        (["model", "add", "M", "--placed-on-market", "2026-01-01", "--flop", "lots"], "'lots'"),
    ],
)
def test_user_errors_exit_1_with_one_line(cli_home, args, message):
    assert message in user_error(*args, home=cli_home)


def test_non_utf8_and_huge_notes_are_refused(cli_home):
    """Through the real command: bytes that are not UTF-8 arrive as surrogates in argv."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, GPAITRACKER_HOME=str(cli_home))
    bad = subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"gpaitracker",
            b"note",
            b"atlas-2/AIA-53-1-a",
            b"caf\xe9 latin-1",
        ],
        capture_output=True,
        env=env,
    )
    assert bad.returncode == 1 and b"not valid UTF-8" in bad.stderr
    big = run_main("note", "atlas-2/AIA-53-1-a", "x" * 100_000, home=cli_home)
    assert big.returncode == 1 and "limit is 20000" in big.stderr


def test_usage_errors_exit_2(cli_home):
    assert run_main("due", home=cli_home).returncode == 2
    assert run_main("list", "--format", "xml", home=cli_home).returncode == 2
    assert run_main("frobnicate", home=cli_home).returncode == 2
    assert run_main("assign", "atlas-2/AIA-53-1-a", home=cli_home).returncode == 2


def test_tampered_audit_is_reported_by_verify_and_check(cli_home):
    assert "intact" in ok("audit", "--verify", home=cli_home).stdout
    assert "register OK" in ok("check", home=cli_home).stdout
    con = sqlite3.connect(cli_home / "register.sqlite")
    con.execute("UPDATE audit_event SET new_value='mallory@x.eu' WHERE id=5")
    con.commit()
    con.close()
    verify = run_main("audit", "--verify", home=cli_home)
    assert verify.returncode == 3 and "audit event 5" in verify.stderr
    check = run_main("check", "--full", home=cli_home)
    assert check.returncode == 3 and "audit event 5" in check.stderr


def test_not_a_database_and_newer_schema(home):
    home.mkdir(parents=True)
    (home / "register.sqlite").write_text("hello, I am a text file\n")
    assert "not an SQLite database" in user_error("list", home=home)
    (home / "register.sqlite").unlink()
    ok("init", "--organisation", "P", home=home)
    con = sqlite3.connect(home / "register.sqlite")
    con.execute("UPDATE alembic_version SET version_num='0099_future'")
    con.commit()
    con.close()
    assert "newer than this GPAI Tracker knows" in user_error("list", home=home)


def test_locked_register(cli_home):
    con = sqlite3.connect(cli_home / "register.sqlite", isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    try:
        err = user_error(
            "due",
            "atlas-2/AIA-53-1-a",
            "2026-05-01",
            home=cli_home,
            env={"GPAITRACKER_BUSY_TIMEOUT_MS": "200"},
        )
        assert "busy with another change" in err
    finally:
        con.execute("ROLLBACK")
        con.close()


def test_check_is_incremental_and_catches_a_cut_off_tail(cli_home):
    first = ok("check", home=cli_home).stdout
    assert "all verified" in first
    ok("due", "atlas-2/AIA-53-1-a", "2027-02-01", home=cli_home)
    again = ok("check", home=cli_home).stdout
    assert "(1 new verified)" in again
    con = sqlite3.connect(cli_home / "register.sqlite")
    con.execute("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)")
    con.commit()
    con.close()
    cut = run_main("check", home=cli_home)
    assert cut.returncode == 3 and "now missing (events were deleted)" in cut.stderr


def test_audit_head_is_an_anchor_outside_the_register(cli_home):
    line = ok("audit", "head", home=cli_home).stdout.splitlines()[0]
    head = line.split()[1]
    assert "intact" in ok("audit", "--verify", "--head", head, home=cli_home).stdout
    con = sqlite3.connect(cli_home / "register.sqlite")
    con.execute("DELETE FROM audit_event WHERE id >= ?", (int(head.split(":")[0]),))
    con.commit()
    con.close()
    # The chain alone still verifies: only the head kept elsewhere shows the cut.
    assert run_main("audit", "--verify", home=cli_home).returncode == 0
    cut = run_main("audit", "--verify", "--head", head, home=cli_home)
    assert cut.returncode == 3 and "no longer in the trail" in cut.stderr
    assert "is not like ID:SHA256" in user_error(
        "audit", "--verify", "--head", "5:xyz", home=cli_home
    )


def test_read_commands_never_create_a_register(tmp_path):
    missing = tmp_path / "typo-home"
    err = user_error("list", home=missing)
    assert "no register at" in err
    assert not missing.exists()


def test_audit_history_follows_an_email_change(cli_home):
    ok("assign", "atlas-2/AIA-53-1-a", "--owner", "olga@provider.eu", home=cli_home)
    ok("person", "edit", "olga@provider.eu", "--new-email", "olga.o@provider.eu", home=cli_home)
    trail = json.loads(
        ok("audit", "--entity", "olga.o@provider.eu", "--format", "json", home=cli_home).stdout
    )
    assert [e["field"] for e in trail] == ["name", "role", "email"]
    assert len({e["row_id"] for e in trail}) == 1


def test_note_adds_to_the_thread_and_escapes_on_the_terminal(cli_home):
    key = "atlas-2/AIA-53-1-a"
    ok("note", key, "first", home=cli_home)
    ok("note", key, "second\n\x1b[31mFAKE ROW", "--as", "olga@provider.eu", home=cli_home)
    shown = json.loads(ok("show", key, "--format", "json", home=cli_home).stdout)
    assert [c["text"] for c in shown["comments"]] == ["first", "second\n\x1b[31mFAKE ROW"]
    text = ok("show", key, home=cli_home).stdout
    assert "\x1b" not in text and "second\\n\\x1b[31mFAKE ROW" in text


def test_items_that_no_longer_apply_look_different_and_are_found_as_not_applicable(cli_home):
    ok("model", "add", "Titan", "--placed-on-market", "2026-09-01", "--flop", "3e25", home=cli_home)
    # Items due on the same day (here: at placement) come in catalogue order.
    codes = [
        i["code"]
        for i in json.loads(
            ok("list", "--model", "titan", "--format", "json", home=cli_home).stdout
        )
        if i["code"].startswith("COP-SS-") and i["due"] == "2026-09-01"
    ]
    numbers = [tuple(int(n) for n in c.removeprefix("COP-SS-").split(".")) for c in codes]
    assert numbers == sorted(numbers) and (10, 1) in numbers  # 2.1 before 10.1
    ok("model", "edit", "titan", "--flop", "1e24", "--yes", home=cli_home)
    default = ok("list", "--model", "titan", home=cli_home).stdout
    assert "COP-SS-" not in default
    everything = ok("list", "--model", "titan", "--all", home=cli_home).stdout
    assert "(no longer applies)" in everything and " grey " in everything
    na = json.loads(
        ok("list", "--status", "not_applicable", "--format", "json", home=cli_home).stdout
    )
    assert {i["code"] for i in na} >= {"COP-SS-2.1", "COP-SS-10.1"}
    assert all(i["rag"] == "grey" for i in na)
    shown = ok("show", "titan/COP-SS-2.1", home=cli_home).stdout
    assert "applies    no: no longer applies to this model" in shown


def test_every_command_is_mapped_to_the_module_that_defines_it():
    """Only the chosen command's parser is built for a run; the map must know them all."""
    import argparse

    from gpaitracker.cli import main as cli_main

    for module in cli_main.MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        module.add_parsers(sub, argparse.ArgumentParser(add_help=False))
        for command in sub.choices:
            assert cli_main.COMMANDS[command] is module, command
    assert cli_main._command_of(["--home", "list", "show", "x"]) == "show"
    assert cli_main._command_of(["--as", "a@b.eu", "--read-only"]) is None
