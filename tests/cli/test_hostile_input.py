"""Input that used to crash, hang or mislead the command line (numbers, bytes, damage)."""

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import run_main

KEY = "atlas-2/AIA-53-1-a"


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    home = tmp_path_factory.mktemp("hostile") / "home"
    for args in (
        ["init", "--organisation", "Provider SA", "--admin-email", "ada@provider.eu"],
        ["person", "add", "Olga", "--email", "olga@provider.eu", "--role", "officer"],
        ["model", "add", "Atlas 2", "--placed-on-market", "2025-09-01"],
    ):
        assert run_main(*args, home=home).returncode == 0
    return home


@pytest.fixture
def reg(home, _template):
    shutil.copytree(_template, home)
    return home


def _refused(*args, home, message, env=None):
    result = run_main(*args, home=home, env=env)
    assert result.returncode == 1, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr, result.stderr
    return result


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "--limit", "9" * 30], "limit 999999999999999999999999999999 must be between"),
        (["audit", "--limit", "-1"], "limit '-1' is not a whole number"),
        (["due", KEY, "9999-12-31"], "due date 9999-12-31 is outside 2000-2100"),
        (["due", KEY, "1970-01-01"], "due date 1970-01-01 is outside"),
        (["list", "--due-before", "\u0662\u0660\u0662\u0666-01-01"], "is not a date"),
        (["show", "atlas-2/AIA-53-1-a#" + "9" * 40], "is not like"),
        (["model", "add", "M", "--placed-on-market", "2026-01-01", "--flop", "nan"], "'nan'"),
        (["model", "add", "M", "--placed-on-market", "2026-01-01", "--flop", "1e400"], "1e400"),
        (["model", "add", "M", "--placed-on-market", "9999-01-01"], "outside 2000-2100"),
        (["list", "--model", "ghost"], "model 'ghost' is not in the register"),
        (["list", "--owner", "ghost@provider.eu"], "'ghost@provider.eu' is not in the register"),
        (["list", "--status", "late"], "status 'late' is not one of"),
    ],
)
def test_numbers_dates_and_names_are_refused_with_one_line(reg, args, message):
    _refused(*args, home=reg, message=message)


def test_bytes_that_are_not_utf8_in_arguments_and_environment(reg):
    bad = "b\udce9@provider.eu"  # what Python makes of the byte 0xE9 in argv or environ
    _refused("list", "--owner", bad, home=reg, message="is not valid UTF-8")
    _refused("assign", KEY, "--owner", bad, home=reg, message="is not valid UTF-8")
    _refused(
        "due",
        KEY,
        "2027-01-01",
        home=reg,
        env={"GPAITRACKER_USER": bad},
        message="is not valid UTF-8",
    )
    _refused(
        "person",
        "add",
        "X\udcff",
        "--email",
        "x@provider.eu",
        "--role",
        "officer",
        home=reg,
        message="not valid UTF-8",
    )


def test_output_to_a_terminal_that_is_not_utf8(reg):
    assert (
        run_main(
            "person", "edit", "olga@provider.eu", "--name", "Olga Łukasiewicz…", home=reg
        ).returncode
        == 0
    )
    env = dict(os.environ, GPAITRACKER_HOME=str(reg), PYTHONIOENCODING="ascii")
    result = subprocess.run(
        [sys.executable, "-m", "gpaitracker", "person", "list"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert b"Olga \\u0141ukasiewicz\\u2026" in result.stdout


def test_a_busy_timeout_that_is_not_a_number_is_ignored(reg):
    result = run_main("list", home=reg, env={"GPAITRACKER_BUSY_TIMEOUT_MS": "²"})
    assert result.returncode == 0, result.stderr


def test_a_damaged_register_is_reported_by_the_tools_meant_to_diagnose_it(reg):
    path = reg / "register.sqlite"
    size = path.stat().st_size
    with path.open("r+b") as fh:
        # Data pages only: damage to the schema pages is refused at open, before any check.
        for offset in range(4096 * 24, size, 4096 * 2):
            fh.seek(offset + 100)
            fh.write(b"\xa5" * 600)
    check = run_main("check", "--full", home=reg)
    assert check.returncode == 3, check.stderr
    assert "Traceback" not in check.stderr and "problem(s) found" in check.stderr
    verify = run_main("audit", "--verify", home=reg)
    assert verify.returncode in (0, 3) and "Traceback" not in verify.stderr
